/**
 * What the dashboard and the cluster page poll: the servers (ODB records), this server's workers, the
 * deployed services (the ODB's module hashes), `info` (ODB version, connectors) and extra paths (e.g.
 * `problems`, `cluster/load-balancer`), with drift confirmed over two polls (see confirmDrift). When a
 * drift shows up for the first time the next poll comes sooner, so a real one is shown within seconds.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { loadInfo, type ServerInfo } from '../meta';
import { computeDrift, confirmDrift, type DriftReport, type Expected } from './drift';
import {
  odbModules,
  serverMembers,
  workerMembers,
  type ServerRecord,
  type ServiceEntry,
  type WorkersAnswer,
} from './types';

const RECHECK_MS = 6000;

export type ConfirmedDrift = DriftReport & { pending: string[] };

export interface Fetched<T> {
  value?: T;
  error?: unknown;
}

export interface ClusterView {
  servers: Fetched<ServerRecord[]>;
  workers: Fetched<WorkersAnswer>;
  services: Fetched<ServiceEntry[]>;
  info?: ServerInfo;
  expected: Expected;
  serverDrift?: ConfirmedDrift;
  workerDrift?: ConfirmedDrift;
  extra: Record<string, Fetched<unknown>>;
  /** A poll has completed. */
  loaded: boolean;
  /** Polls again now (e.g. after a change). */
  refresh: () => void;
}

async function get<T>(path: string, prev: Fetched<T> | undefined, pick: (r: unknown) => T): Promise<Fetched<T>> {
  try {
    return { value: pick(await api<unknown>('GET', path)) };
  } catch (error) {
    // keep the last good value next to the error
    return prev?.value !== undefined ? { value: prev.value, error } : { error };
  }
}

const items = <T>(r: unknown): T[] => {
  const x = (r as { items?: unknown } | undefined)?.items;
  return Array.isArray(x) ? (x as T[]) : [];
};

export function useCluster(everyMs: number, extras: Record<string, string> = {}): ClusterView {
  const kick = useRef<() => void>(() => undefined);
  const refresh = useRef(() => kick.current()).current;
  const [view, setView] = useState<ClusterView>({
    servers: {},
    workers: {},
    services: {},
    expected: {},
    extra: {},
    loaded: false,
    refresh,
  });
  const last = useRef(view);
  const rawServer = useRef<DriftReport | undefined>(undefined);
  const rawWorker = useRef<DriftReport | undefined>(undefined);
  const extrasKey = JSON.stringify(extras);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let queued = false;
    const poll = async () => {
      if (stopped) return;
      // One poll at a time: a refresh asked for during a poll runs right after it.
      if (running) {
        queued = true;
        return;
      }
      running = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      let again = everyMs;
      if (!document.hidden) {
        const prev = last.current;
        const [servers, workers, services, info, ...more] = await Promise.all([
          get<ServerRecord[]>('cluster/servers', prev.servers, items),
          get<WorkersAnswer>('cluster/workers', prev.workers, (r) => ({
            ...(r as WorkersAnswer),
            items: items<WorkersAnswer['items'][number]>(r),
          })),
          get<ServiceEntry[]>('services', prev.services, items),
          loadInfo().catch(() => prev.info),
          ...Object.values(extras).map((p, i) => get<unknown>(p, prev.extra[Object.keys(extras)[i]!], (r) => r)),
        ]);
        if (stopped) return;
        const odbVersion =
          info && typeof info['odbVersion'] === 'number' ? (info['odbVersion'] as number) : workers.value?.odbVersion;
        const expected: Expected = {
          ...(odbVersion !== undefined ? { version: odbVersion } : {}),
          ...(services.value ? { modules: odbModules(services.value) } : {}),
        };
        const sRaw = servers.value ? computeDrift(serverMembers(servers.value), expected) : undefined;
        const wRaw = workers.value ? computeDrift(workerMembers(workers.value.items), expected) : undefined;
        const serverDrift = sRaw ? confirmDrift(rawServer.current, sRaw) : undefined;
        const workerDrift = wRaw ? confirmDrift(rawWorker.current, wRaw) : undefined;
        rawServer.current = sRaw;
        rawWorker.current = wRaw;
        const extra: Record<string, Fetched<unknown>> = {};
        Object.keys(extras).forEach((k, i) => (extra[k] = more[i]!));
        const next: ClusterView = {
          servers,
          workers,
          services,
          ...(info ? { info } : {}),
          expected,
          ...(serverDrift ? { serverDrift } : {}),
          ...(workerDrift ? { workerDrift } : {}),
          extra,
          loaded: true,
          refresh,
        };
        last.current = next;
        setView(next);
        if ((serverDrift?.pending.length ?? 0) + (workerDrift?.pending.length ?? 0) > 0)
          again = Math.min(everyMs, RECHECK_MS);
      }
      running = false;
      if (stopped) return;
      if (queued) {
        queued = false;
        void poll();
      } else timer = setTimeout(poll, again);
    };
    kick.current = () => void poll();
    void poll();
    return () => {
      kick.current = () => undefined;
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [everyMs, extrasKey]);
  return view;
}
