/**
 * `wharf info ENV`: per server, pid, port, state; when running, the config version and the module
 * hashes it runs (every worker), connector health, and DRIFT when a server or a worker runs
 * something other than what the ODB holds (checked twice, half a second apart, so a change in
 * flight is not reported). In a cluster also the load balancer: agent, HAProxy, its backends. And
 * the web admin: url, pid, running, whether it reaches the admin API. Whether each server runs
 * under `--supervise` (its supervisor's pid) and who may read its /wharf/metrics.
 */
import type { Command } from 'commander';
import { runningPids } from '../../cluster/lb/haproxy.js';
import type { Odb } from '../../odb/odb.js';
import { AdminClient, exchange } from '../client.js';
import { openEnv, type Env } from '../env.js';
import { print, printTable } from '../output.js';
import { resolve } from 'node:path';
import { readPidfile } from './pidfile.js';
import { supervisorPidFile } from './supervise.js';
import { webAdminPidFile } from './start-web-admin.js';
import { urlOf } from '../../web-admin/server/run.js';

interface Info {
  server: string;
  pid: number;
  workers: number;
  configVersion: number;
  odbVersion: number;
  modules: Record<string, string>;
  connectors: Array<{ kind: string; name: string; state: string; health: { status: string; detail?: string } }>;
  servers: Array<{ name: string; configVersion: number; moduleHashes: Record<string, string>; lastSeen: string }>;
  /** Channels and jobs naming a service that is not deployed (absent from servers before it). */
  warnings?: Array<{ message: string }>;
}

interface WorkersInfo {
  odbVersion: number;
  items: Array<{ worker: number; pid: number; configVersion: number; modules: Record<string, string> }>;
}

const same = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

async function truth(env: Env): Promise<{ version: number; modules: Record<string, string> } | undefined> {
  const s = env.servers[0];
  if (!s) return undefined;
  let odb: Odb | undefined;
  try {
    odb = await (await import('../../odb/odb.js')).Odb.open(s.odb);
    const version = await odb.version();
    const modules: Record<string, string> = {};
    for (const m of await odb.listModules()) modules[m.name] = m.hash;
    return { version, modules };
  } catch {
    return undefined;
  } finally {
    await odb?.close().catch(() => undefined);
  }
}

/** What's wrong with one server against the ODB (empty: in step). */
function driftOf(
  name: string,
  info: Info,
  workers: WorkersInfo | undefined,
  odb: { version: number; modules: Record<string, string> },
): string[] {
  const out: string[] = [];
  const list = workers?.items.length
    ? workers.items
    : [{ worker: 0, pid: info.pid, configVersion: info.configVersion, modules: info.modules }];
  for (const w of list) {
    const who = w.worker ? `${name} worker ${w.worker}` : name;
    if (w.configVersion < odb.version) out.push(`${who} runs config ${w.configVersion} (ODB ${odb.version})`);
    if (!same(w.modules, odb.modules)) {
      const differ = [...new Set([...Object.keys(w.modules), ...Object.keys(odb.modules)])].filter(
        (m) => w.modules[m] !== odb.modules[m],
      );
      out.push(
        `${who} runs other service modules than the ODB holds: ${differ.map((m) => `${m} ${(w.modules[m] ?? 'missing').slice(0, 12)} vs ${(odb.modules[m] ?? 'not in ODB').slice(0, 12)}`).join(', ')}`,
      );
    }
  }
  return out;
}

export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description(
      'Show each server: pid, address, config version, workers, deployed modules, connectors, drift; and the load balancer',
    )
    .argument('<env>')
    .option('--json', 'print JSON')
    .action(async (envPath: string, opts: { json?: boolean }) => {
      const env = openEnv(envPath);
      const out: Record<string, unknown>[] = [];
      const live: Array<{ row: Record<string, unknown>; name: string }> = [];
      for (const s of env.servers) {
        const pid = readPidfile(s.pidFile);
        const sup = readPidfile(supervisorPidFile(s));
        const row: Record<string, unknown> = {
          server: s.name,
          address: `${s.host}:${s.port}`,
          state: pid.state === 'live' ? 'running' : sup.state === 'live' ? 'restarting (supervised)' : 'stopped',
          pid: pid.state === 'live' ? pid.pid : undefined,
          supervised: sup.state === 'live',
          supervisorPid: sup.state === 'live' ? sup.pid : undefined,
          metrics: s.metrics.public
            ? 'public'
            : s.metrics.bearerTokenFile
              ? `admin credentials or the bearer token in ${resolve(s.dir, s.metrics.bearerTokenFile)}`
              : 'admin credentials',
        };
        if (pid.state === 'live') live.push({ row, name: s.name });
        out.push(row);
      }
      const fetchAll = async (): Promise<Map<string, { info: Info; workers?: WorkersInfo }>> => {
        const got = new Map<string, { info: Info; workers?: WorkersInfo }>();
        await Promise.all(
          live.map(async ({ row, name }) => {
            try {
              const client = new AdminClient(env, name);
              const info = await client.call<Info>('GET', '/wharf/admin/info');
              const workers = await client
                .call<WorkersInfo>('GET', '/wharf/admin/cluster/workers')
                .catch(() => undefined);
              got.set(name, { info, ...(workers ? { workers } : {}) });
              delete row['error'];
            } catch (e) {
              row['error'] = e instanceof Error ? e.message : String(e);
            }
          }),
        );
        return got;
      };
      let answers = await fetchAll();
      // The ODB (kysely: ~150 ms to load) only when a running server's answer is to be compared with it.
      let odb = answers.size > 0 ? await truth(env) : undefined;
      const drifting = (): boolean =>
        !!odb && [...answers].some(([name, a]) => driftOf(name, a.info, a.workers, odb!).length > 0);
      if (drifting()) {
        // A change may be in flight: look again before calling it drift.
        await new Promise((r) => setTimeout(r, 500));
        answers = await fetchAll();
        odb = await truth(env);
      }
      for (const { row, name } of live) {
        const a = answers.get(name);
        if (!a) continue;
        const i = a.info;
        Object.assign(row, {
          workers: i.workers,
          configVersion: i.configVersion,
          odbVersion: odb?.version ?? i.odbVersion,
          modules: i.modules,
          connectors: i.connectors,
          warnings: (i.warnings ?? []).map((w) => w.message),
        });
        if (a.workers?.items.length)
          row['workerVersions'] = a.workers.items.map((w) => ({
            worker: w.worker,
            pid: w.pid,
            configVersion: w.configVersion,
            modules: w.modules,
          }));
        const truthNow = odb ?? { version: i.odbVersion, modules: i.modules };
        row['drift'] = driftOf(name, i, a.workers, truthNow);
      }
      if (env.lb) {
        const lb = env.lb;
        const agent = readPidfile(lb.pidFile);
        const hp = runningPids(lb.haproxyPidFile);
        const row: Record<string, unknown> = {
          component: lb.name,
          server: lb.name,
          state:
            agent.state === 'live' && hp.length
              ? 'running'
              : hp.length
                ? 'haproxy only (agent stopped)'
                : agent.state === 'live'
                  ? 'agent only'
                  : 'stopped',
          pid: agent.state === 'live' ? agent.pid : undefined,
          haproxyPids: hp,
          address: `${env.file.loadBalancer?.host ?? lb.frontendHost}:${env.file.loadBalancer?.port ?? lb.frontendPort}`,
        };
        try {
          const o = await (await import('../../odb/odb.js')).Odb.open(lb.odb);
          try {
            const { currentSettings, currentBackends } = await import('../../cluster/lb/agent.js');
            const st = await currentSettings(o, lb);
            row['address'] = `${st.frontendHost}:${st.frontendPort}`;
            row['settings'] = st;
            row['backends'] = (await currentBackends(o)).map((b) => `${b.name}@${b.host}:${b.port}`);
          } finally {
            await o.close();
          }
        } catch (e) {
          row['error'] = e instanceof Error ? e.message : String(e);
        }
        out.push(row);
      }
      if (env.webAdmin) {
        const w = env.webAdmin;
        const pid = readPidfile(webAdminPidFile(w));
        const url = urlOf(w);
        const row: Record<string, unknown> = {
          component: 'web-admin',
          server: w.name,
          state: pid.state === 'live' ? 'running' : 'stopped',
          running: pid.state === 'live',
          pid: pid.state === 'live' ? pid.pid : undefined,
          address: `${w.host}:${w.port}`,
          url,
          adminUrl: w.adminUrl,
        };
        if (pid.state === 'live' && !w.tls) {
          try {
            const r = await exchange(url, 'GET', '/api/status', {}, undefined, 2000);
            row['adminApi'] = (JSON.parse(r.text) as { adminApi?: string }).adminApi;
          } catch (e) {
            row['error'] = `not answering at ${url}: ${e instanceof Error ? e.message : String(e)}`;
          }
        }
        out.push(row);
      }
      if (opts.json) return print(JSON.stringify(out, null, 2));
      printTable(
        ['server', 'state', 'pid', 'address', 'workers', 'config', 'odb', 'supervised'],
        out.map((r) => [
          r['server'],
          r['state'],
          r['pid'],
          r['address'],
          r['workers'],
          r['configVersion'],
          r['odbVersion'],
          r['supervised'] === undefined
            ? undefined
            : r['supervised']
              ? `yes (pid ${String(r['supervisorPid'])})`
              : 'no',
        ]),
      );
      for (const r of out) {
        const mods = r['modules'] as Record<string, string> | undefined;
        if (mods)
          for (const [m, h] of Object.entries(mods)) print(`  ${String(r['server'])} module ${m} ${h.slice(0, 12)}`);
        const wv = r['workerVersions'] as Array<{ worker: number; pid: number; configVersion: number }> | undefined;
        if (wv && wv.length > 1)
          print(
            `  ${String(r['server'])} workers: ${wv.map((w) => `#${w.worker} (pid ${w.pid}) config ${w.configVersion}`).join(', ')}`,
          );
        const conns = r['connectors'] as Info['connectors'] | undefined;
        if (conns)
          for (const c of conns)
            print(
              `  ${String(r['server'])} ${c.kind} ${c.name}: ${c.health.status}${c.health.detail ? ` (${c.health.detail})` : ''}`,
            );
        if (r['backends'])
          print(
            `  ${String(r['server'])} haproxy pid ${(r['haproxyPids'] as number[]).join(', ') || '-'}; backends: ${(r['backends'] as string[]).join(', ') || '(none)'}`,
          );
        for (const d of (r['drift'] as string[] | undefined) ?? []) print(`  DRIFT: ${d}`);
        for (const w of (r['warnings'] as string[] | undefined) ?? []) print(`  ${String(r['server'])} WARNING: ${w}`);
        if (r['url'])
          print(
            `  ${String(r['server'])} ${String(r['url'])}, admin API ${String(r['adminUrl'])}${r['adminApi'] ? ` (${String(r['adminApi'])})` : ''}`,
          );
        if (r['metrics']) print(`  ${String(r['server'])} /wharf/metrics: ${String(r['metrics'])}`);
        if (r['error']) print(`  ${String(r['server'])}: ${String(r['error'])}`);
      }
    });
}
