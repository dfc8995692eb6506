/**
 * Single-process mode (server.yaml `singleProcess: true`, issue 14): one process serves (no primary,
 * no forked worker), detached and with --fg; `wharf stop` stops it; pickup deploys work; a blocked
 * service makes it exit with a log line naming the service; singleProcess with 2 workers is refused.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createEnv, eventually, type TestEnv } from '../helpers/env.js';

const scratch = mkdtempSync(join(tmpdir(), 'wharf-single-'));

const SERVICES = `import { writeFileSync } from 'node:fs';
import { service, text } from 'wharf';

export class Ok extends service({ name: 'sp1.ok' }) {
  async handle() {
    return { pid: process.pid, version: 1 };
  }
}

const kept: Buffer[] = [];
export class Leak extends service({ name: 'sp1.leak' }) {
  async handle() {
    kept.push(Buffer.alloc(20 * 1024 * 1024, 1));
    return { kept: kept.length };
  }
}

export class Spin extends service({ name: 'sp1.spin', input: { file: text() } }) {
  async handle() {
    writeFileSync(this.input.file, String(process.pid));
    while (true) {}
  }
}
`;

const CHANNELS = `channels:
  http:
    - { name: sp1-ok, urlPath: /sp1/ok, service: sp1.ok }
    - { name: sp1-spin, urlPath: /sp1/spin, service: sp1.spin, timeoutMs: 1000 }
    - { name: sp1-leak, urlPath: /sp1/leak, service: sp1.leak }
`;

/** Processes whose command line names the environment's server1 directory (the web admin has its own). */
function serverProcesses(env: TestEnv): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(join(env.dir, 'server1')) || cmd.includes(`${env.dir} --fg`)) out.push({ pid: Number(d), cmd });
    } catch {
      /* gone */
    }
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function ping(env: TestEnv): Promise<{ pid: number } | undefined> {
  try {
    const r = await env.fetch('/wharf/ping', { headers: { connection: 'close' }, signal: AbortSignal.timeout(3000) });
    return r.status === 200 ? ((await r.json()) as { pid: number }) : undefined;
  } catch {
    return undefined;
  }
}

const pidFile = (env: TestEnv): string => join(env.dir, 'server1/pids/server.pid');

describe('single-process mode', () => {
  let env: TestEnv;
  let yaml: string;
  beforeAll(async () => {
    env = await createEnv({ workers: 1, start: false });
    yaml = join(env.dir, 'server1/config/server.yaml');
    appendFileSync(yaml, 'singleProcess: true\nwatchdog:\n  blockedMs: 1500\n');
  }, 120_000);
  afterAll(async () => {
    await env?.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is refused with more than one worker', async () => {
    const text = readFileSync(yaml, 'utf8');
    writeFileSync(yaml, text.replace(/^workers: 1$/m, 'workers: 2'));
    try {
      const r = await env.cli(['start', 'ENV', '--server', 'server1']);
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(/singleProcess: true needs workers: 1 \(it has workers: 2\)/);
    } finally {
      writeFileSync(yaml, text);
    }
  }, 60_000);

  it('detached: one process serves, pickup deploys, wharf stop stops it', async () => {
    await env.start();
    const p = await ping(env);
    expect(p).toBeDefined();
    expect(readFileSync(pidFile(env), 'utf8').trim()).toBe(String(p!.pid));
    const procs = serverProcesses(env);
    expect(procs.map((x) => x.pid)).toEqual([p!.pid]);
    expect(procs[0]!.cmd).toContain('primary-main');
    expect(procs.some((x) => x.cmd.includes('worker-main'))).toBe(false);
    expect(env.log()).toContain('(single process)');

    // Hot deploy through the pickup directory, then a channel to it.
    env.pickup('sp1.ts', SERVICES);
    await eventually(() => env.log().includes('hot-deployed sp1.ts'), 20_000, 'pickup deploy');
    await env.importYaml(CHANNELS);
    const body = await eventually(
      async () => {
        const r = await env.fetch('/sp1/ok', { headers: { connection: 'close' } });
        return r.status === 200 ? ((await r.json()) as { pid: number; version: number }) : undefined;
      },
      15_000,
      '/sp1/ok served',
    );
    expect(body).toEqual({ pid: p!.pid, version: 1 });
    // A new version through the pickup directory replaces it live.
    env.pickup('sp1.ts', SERVICES.replace('version: 1', 'version: 2'));
    await eventually(
      async () => ((await (await env.fetch('/sp1/ok')).json()) as { version: number }).version === 2,
      20_000,
      'version 2 served',
    );

    const stop = await env.cli(['stop', 'ENV']);
    expect(stop.code).toBe(0);
    expect(alive(p!.pid)).toBe(false);
    expect(existsSync(pidFile(env))).toBe(false);
    expect(env.log()).toContain('server server1 stopped');
  }, 120_000);

  it('--fg: serves from the CLI process itself; wharf stop ends it with exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'start', env.dir, '--fg', '--server', 'server1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WHARF_LOG_FORMAT: 'json' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const p = await eventually(() => ping(env), 30_000, 'fg server answers');
      expect(p.pid).toBe(child.pid);
      expect(serverProcesses(env).map((x) => x.pid)).toEqual([child.pid]);
      const r = await env.fetch('/sp1/ok', { headers: { connection: 'close' } });
      expect(((await r.json()) as { pid: number }).pid).toBe(child.pid);
      expect((await env.cli(['stop', 'ENV'])).code).toBe(0);
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(output).toContain('server server1 stopped');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 90_000);

  it('memory recycling: past recycle.rssMb the process stops gracefully with exit 75 (for its supervisor)', async () => {
    const text = readFileSync(yaml, 'utf8');
    writeFileSync(yaml, `${text}recycle:\n  rssMb: 320\n  heapMb: 0\n  checkMs: 250\n`);
    const child = spawn(process.execPath, [BIN, 'start', env.dir, '--fg', '--server', 'server1'], {
      stdio: 'ignore',
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      await eventually(() => ping(env), 30_000, 'fg server answers');
      let calls = 0;
      while (child.exitCode === null && calls < 40) {
        calls++;
        await env.fetch('/sp1/leak', { headers: { connection: 'close' } }).then(
          (r) => r.text(),
          () => undefined,
        );
      }
      expect(await exited).toEqual({ code: 75, signal: null });
      expect(env.log()).toContain('server server1 stopping to be restarted by its supervisor (single-process mode)');
      expect(existsSync(pidFile(env))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      writeFileSync(yaml, text);
    }
  }, 90_000);

  it('a blocked service makes the process exit with a log line naming the service', async () => {
    await env.start();
    const p = (await ping(env))!;
    const file = join(scratch, 'spin.pid');
    const call = await env
      .fetch(`/sp1/spin?file=${encodeURIComponent(file)}`, {
        headers: { connection: 'close' },
        signal: AbortSignal.timeout(30_000),
      })
      .then((r) => `status ${r.status}`)
      .catch((e: unknown) => e);
    expect(call).toBeInstanceOf(Error);
    expect(Number(readFileSync(file, 'utf8'))).toBe(p.pid);
    await eventually(() => !alive(p.pid), 15_000, 'process gone');
    const line = env
      .log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; service?: string; pid?: number })
      .find((l) => l.msg.includes('blocked for'));
    expect(line?.service).toBe('sp1.spin');
    expect(line?.pid).toBe(p.pid);
    expect(line?.msg).toMatch(
      /^worker 1 blocked for \d+ ms running service sp1\.spin \(cid [^)]+\); exiting \(single-process mode: a supervisor restarts the server\)$/,
    );
    expect(await ping(env)).toBeUndefined();
  }, 60_000);
});
