/**
 * `wharf start --supervise` on real processes (issue 13): kill -9 of the primary → a new primary
 * answers /wharf/ping within seconds; `wharf stop` stops the supervisor first and leaves no process.
 * File modes: the quickstart's are tight; a start fixes a loosened ODB / environment and warns.
 */
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, type TestEnv } from '../helpers/env.js';

const mode = (p: string): number => statSync(p).mode & 0o777;
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidOf = (file: string): number => Number(readFileSync(file, 'utf8').trim());

describe('supervised server and file modes', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 1, start: false });
  });
  afterAll(async () => {
    await env?.destroy();
  });

  it('the quickstart leaves the environment 0700 and its secrets 0600, and writes a systemd unit', () => {
    for (const d of ['', 'odb', 'server1', 'server1/config', 'server1/logs', 'server1/pids', 'web-admin', 'systemd'])
      expect(mode(join(env.dir, d)), d).toBe(0o700);
    for (const f of [
      'odb/wharf.db',
      'secret.key',
      'cli-credentials.json',
      'metrics.token',
      'server1/config/server.yaml',
    ])
      expect(mode(join(env.dir, f)), f).toBe(0o600);
    const cluster = /cluster: (\S+)/.exec(readFileSync(join(env.dir, 'wharf.yaml'), 'utf8'))![1]!;
    expect(readdirSync(join(env.dir, 'systemd'))).toEqual([`wharf-${cluster}-server1.service`]);
    const unit = readFileSync(join(env.dir, 'systemd', `wharf-${cluster}-server1.service`), 'utf8');
    expect(unit).toContain(`start ${env.dir} --fg --server server1`);
    expect(unit).toMatch(/^Restart=on-failure$/m);
  });

  it('start fixes a loosened ODB and environment directory and warns, naming the file and the old mode', async () => {
    chmodSync(join(env.dir, 'odb/wharf.db'), 0o644);
    chmodSync(env.dir, 0o755);
    const r = await env.cli(['start', 'ENV', '--supervise']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${join(env.dir, 'odb/wharf.db')} was 0644 (too open), now 0600`);
    expect(r.stderr).toContain(`warning: ${env.dir} was 0755 (too open), now 0700`);
    expect(mode(join(env.dir, 'odb/wharf.db'))).toBe(0o600);
    expect(mode(env.dir)).toBe(0o700);
    expect(r.stdout).toMatch(/server1 started \(pid \d+, supervised by pid \d+\)/);
  });

  it('a kill -9 of the primary: a new primary answers; wharf stop leaves no process', async () => {
    const pids = join(env.dir, 'server1/pids');
    const supervisor = pidOf(join(pids, 'supervisor.pid'));
    const first = pidOf(join(pids, 'server.pid'));
    expect(alive(supervisor)).toBe(true);
    const ping1 = (await (await env.fetch('/wharf/ping')).json()) as { pid: number };
    const info = await env.ok(['info', 'ENV', '--json']);
    expect(JSON.parse(info)[0]).toMatchObject({
      server: 'server1',
      supervised: true,
      supervisorPid: supervisor,
      pid: first,
    });
    const workers1 = (
      await env.admin<{ items: Array<{ pid: number }> }>('GET', '/wharf/admin/cluster/workers')
    ).body.items.map((w) => w.pid);
    expect(workers1).toContain(ping1.pid);

    process.kill(first, 'SIGKILL');
    // Back within the backoff (1 s) plus a start, on a loaded machine.
    const second = await eventually(
      async () => {
        const r = await env.fetch('/wharf/ping', { signal: AbortSignal.timeout(2000) });
        if (!r.ok) return undefined;
        const p = pidOf(join(pids, 'server.pid'));
        return p !== first && alive(p) ? p : undefined;
      },
      60_000,
      'a new primary answering',
    );
    expect(alive(first)).toBe(false);
    expect(pidOf(join(pids, 'supervisor.pid'))).toBe(supervisor);
    const log = readFileSync(join(env.dir, 'server1/logs/supervisor.log'), 'utf8');
    expect(log).toContain(`primary pid ${first} died (killed by SIGKILL)`);
    expect(log).toMatch(/restarting in 1 s/);
    expect(log).toContain(`primary started (pid ${second})`);
    const workers2 = (
      await env.admin<{ items: Array<{ pid: number }> }>('GET', '/wharf/admin/cluster/workers')
    ).body.items.map((w) => w.pid);

    const stopped = await env.cli(['stop', 'ENV']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('server1 stopped (and its supervisor)');
    for (const pid of [supervisor, first, second, ...workers1, ...workers2])
      await eventually(() => !alive(pid), 30_000, `pid ${pid} gone`);
    expect(readFileSync(join(env.dir, 'server1/logs/supervisor.log'), 'utf8')).toMatch(
      /SIGTERM: stopping primary pid \d+ \(no restart\)[^]*supervisor exits/,
    );
    await expect(env.fetch('/wharf/ping')).rejects.toThrow();
    expect(JSON.parse(await env.ok(['info', 'ENV', '--json']))[0]).toMatchObject({
      state: 'stopped',
      supervised: false,
    });
  });
});
