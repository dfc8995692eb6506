/** `wharf info ENV`: per server, pid, port, state; when running, config version, workers, services. */
import type { Command } from 'commander';
import { AdminClient } from '../client.js';
import { openEnv } from '../env.js';
import { print, printTable } from '../output.js';
import { readPidfile } from './pidfile.js';

interface Info {
  server: string;
  pid: number;
  workers: number;
  configVersion: number;
  odbVersion: number;
  modules: Record<string, string>;
  connectors: Array<{ kind: string; name: string; state: string; health: { status: string; detail?: string } }>;
  servers: Array<{ name: string; configVersion: number; moduleHashes: Record<string, string>; lastSeen: string }>;
}

export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('Show each server: pid, address, config version, workers, deployed modules, connectors, drift')
    .argument('<env>')
    .option('--json', 'print JSON')
    .action(async (envPath: string, opts: { json?: boolean }) => {
      const env = openEnv(envPath);
      const out: Record<string, unknown>[] = [];
      for (const s of env.servers) {
        const pid = readPidfile(s.pidFile);
        const row: Record<string, unknown> = { server: s.name, address: `${s.host}:${s.port}`, state: pid.state === 'live' ? 'running' : 'stopped', pid: pid.state === 'live' ? pid.pid : undefined };
        if (pid.state === 'live') {
          try {
            const i = await new AdminClient(env, s.name).call<Info>('GET', '/wharf/admin/info');
            Object.assign(row, { workers: i.workers, configVersion: i.configVersion, odbVersion: i.odbVersion, modules: i.modules, connectors: i.connectors });
            const drift = i.servers.filter((x) => x.configVersion !== i.odbVersion || JSON.stringify(x.moduleHashes) !== JSON.stringify(i.modules));
            row['drift'] = drift.map((d) => `${d.name} runs config ${d.configVersion} (ODB ${i.odbVersion})`);
          } catch (e) {
            row['error'] = e instanceof Error ? e.message : String(e);
          }
        }
        out.push(row);
      }
      if (opts.json) return print(JSON.stringify(out, null, 2));
      printTable(
        ['server', 'state', 'pid', 'address', 'workers', 'config', 'odb'],
        out.map((r) => [r['server'], r['state'], r['pid'], r['address'], r['workers'], r['configVersion'], r['odbVersion']]),
      );
      for (const r of out) {
        const mods = r['modules'] as Record<string, string> | undefined;
        if (mods) for (const [m, h] of Object.entries(mods)) print(`  ${String(r['server'])} module ${m} ${h.slice(0, 12)}`);
        const conns = r['connectors'] as Info['connectors'] | undefined;
        if (conns) for (const c of conns) print(`  ${String(r['server'])} ${c.kind} ${c.name}: ${c.health.status}${c.health.detail ? ` (${c.health.detail})` : ''}`);
        for (const d of (r['drift'] as string[] | undefined) ?? []) print(`  DRIFT: ${d}`);
        if (r['error']) print(`  ${String(r['server'])}: ${String(r['error'])}`);
      }
    });
}
