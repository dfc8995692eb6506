/**
 * Which object kind a channel of the traffic series is (the series names channels by name and says
 * only 'http' or 'message'): the series' own `kindId` when it has one, `channels.http` for HTTP, else
 * looked up in the lists of the message channel kinds (loaded once, again when an unknown name shows up).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { kinds as kindsStore, kindGroup, type KindInfo } from '../meta';
import { useStore } from '../store';
import type { SeriesLine } from '../charts/series';
import { HTTP_KIND, resolveChannelKind } from './channel-kind-resolve';
const RETRY_MS = 30_000;

/** Kinds whose objects can be message channels in the series (every channel kind but HTTP and jobs). */
export function messageChannelKinds(list: KindInfo[]): string[] {
  return list
    .filter((k) => kindGroup(k.id) === 'Channels' && k.id !== HTTP_KIND && k.id !== 'scheduler.jobs')
    .map((k) => k.id);
}

/** A resolver for the lines of `lines` (re-renders when lookups finish). */
export function useChannelKinds(lines: SeriesLine[] | undefined): (line: SeriesLine) => string | undefined {
  const list = useStore(kindsStore);
  const [byKind, setByKind] = useState<Record<string, string[]>>({});
  const lastLoad = useRef(0);
  const loading = useRef(false);
  const unknown = (lines ?? []).some((l) => !resolveChannelKind(l, byKind));
  useEffect(() => {
    if (!list || !unknown || loading.current || Date.now() - lastLoad.current < RETRY_MS) return;
    loading.current = true;
    lastLoad.current = Date.now();
    const ids = messageChannelKinds(list);
    Promise.all(
      ids.map((id) =>
        api<{ items?: Array<{ name?: unknown }> }>('GET', `config/${encodeURIComponent(id)}`).then(
          (r) => [id, (r.items ?? []).map((o) => o.name).filter((n): n is string => typeof n === 'string')] as const,
          () => [id, [] as string[]] as const,
        ),
      ),
    )
      .then((pairs) => setByKind(Object.fromEntries(pairs)))
      .finally(() => {
        loading.current = false;
      });
  }, [list, unknown]);
  return (line) => resolveChannelKind(line, byKind);
}
