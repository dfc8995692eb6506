/**
 * Watchdogs and isolation (issue 13): a worker whose event loop is blocked by a service is logged
 * (service, cid) and replaced while the other worker serves; a module whose top level never ends is
 * refused and the worker lives; a worker over its RSS ceiling is recycled gracefully; a corrupt ODB
 * fails the start with exit 5 and one clear message. A real server with 2 workers and small limits.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, runCli, type TestEnv } from '../helpers/env.js';

const SERVICES = `import { service, text } from 'wharf';
import { writeFileSync } from 'node:fs';

const kept: Buffer[] = [];

export class Spin extends service({ name: 'wd.spin', input: { file: text() } }) {
  async handle() {
    writeFileSync(this.input.file, this.cid);
    while (true) {}
  }
}

export class Leak extends service({ name: 'wd.leak' }) {
  async handle() {
    kept.push(Buffer.alloc(20 * 1024 * 1024, 1));
    return { kept: kept.length, pid: process.pid };
  }
}

export class Ok extends service({ name: 'wd.ok' }) {
  async handle() {
    return { ok: true, pid: process.pid };
  }
}
`;

const CHANNELS = `channels:
  http:
    - { name: wd-spin, urlPath: /wd/spin, service: wd.spin, timeoutMs: 1000 }
    - { name: wd-leak, urlPath: /wd/leak, service: wd.leak }
    - { name: wd-ok, urlPath: /wd/ok, service: wd.ok }
`;

interface LogLine {
  time: string;
  level: number;
  msg: string;
  worker?: number;
  pid?: number;
  service?: string;
  cid?: string;
  blockedMs?: number;
  rssMb?: number;
}

function logLines(env: TestEnv): LogLine[] {
  return env
    .log()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

async function workerPids(env: TestEnv): Promise<Map<number, number>> {
  const r = await env.admin<{ items: Array<{ worker: number; pid: number }> }>('GET', '/wharf/admin/cluster/workers');
  return new Map(r.body.items.map((w) => [w.worker, w.pid]));
}

async function ping(env: TestEnv): Promise<boolean> {
  try {
    const r = await env.fetch('/wharf/ping', { headers: { connection: 'close' }, signal: AbortSignal.timeout(5000) });
    await r.text();
    return r.status === 200;
  } catch {
    return false;
  }
}

/** Pings every 100 ms until stopped; each outcome with its time. */
function pinger(env: TestEnv): { stop(): Promise<Array<{ at: number; ok: boolean }>> } {
  const seen: Array<{ at: number; ok: boolean }> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      seen.push({ at, ok: await ping(env) });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

describe('watchdog, load time limit and recycling (2 workers)', () => {
  let env: TestEnv;
  let scratch: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'wharf-wd-'));
    env = await createEnv({ workers: 2, start: false });
    appendFileSync(
      join(env.dir, 'server1/config/server.yaml'),
      'moduleLoadTimeoutMs: 1000\nwatchdog:\n  blockedMs: 1500\n',
    );
    await env.start();
    await env.deploy('wd.ts', SERVICES);
    await env.importYaml(CHANNELS);
    await eventually(
      async () => (await env.fetch('/wd/ok', { headers: { connection: 'close' } })).status === 200,
      10_000,
      'wd.ok served',
    );
  }, 180_000);
  afterAll(async () => {
    await env?.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('a module whose top level never finishes is refused over the admin API; the workers live and serve', async () => {
    const before = await workerPids(env);
    expect(before.size).toBe(2);
    // The hard heap stop behind recycle.heapMb (default 1024 MB): 1024 + 256.
    for (const pid of before.values())
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-old-space-size=1280');
    const source =
      "import { service } from 'wharf';\nwhile (true) {}\nexport class L extends service({ name: 'wd.loop' }) { handle() {} }\n";
    const r = await env.admin<{ error: { code: string; message: string } }>('POST', '/wharf/admin/services', {
      name: 'wd-loop.ts',
      source,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('WHARF_ERR_DEPLOY_FAILED');
    expect(r.body.error.message).toMatch(/wd-loop\.ts: did not finish loading within 1000 ms/);
    expect(await ping(env)).toBe(true);
    for (let i = 0; i < 4; i++)
      expect((await env.fetch('/wd/ok', { headers: { connection: 'close' } })).status).toBe(200);
    // Same processes: nobody was killed (the watchdog waits out a module load's own limit).
    expect(await workerPids(env)).toEqual(before);
    expect((await env.admin('GET', '/wharf/admin/services/wd.loop')).status).toBe(404);
  }, 60_000);

  it('a service that blocks its worker: the call fails, the log names service and cid, a new worker replaces it, ping keeps answering', async () => {
    const before = await workerPids(env);
    const cidFile = join(scratch, 'spin.cid');
    const pings = pinger(env);
    await new Promise((r) => setTimeout(r, 500));
    const startedAt = Date.now();
    const call = await env
      .fetch(`/wd/spin?file=${encodeURIComponent(cidFile)}`, {
        headers: { connection: 'close' },
        signal: AbortSignal.timeout(30_000),
      })
      .then((res) => `status ${res.status}`)
      .catch((e: unknown) => e);
    // The connection of the blocked call is cut when its worker is killed (no answer comes).
    expect(call).toBeInstanceOf(Error);
    expect(String((call as Error).name)).not.toBe('TimeoutError');
    const cid = readFileSync(cidFile, 'utf8');
    const line = await eventually(
      () => logLines(env).find((l) => l.msg.includes('blocked for') && l.service === 'wd.spin'),
      10_000,
      'watchdog log line',
    );
    expect(line.level).toBe(50);
    expect(line.cid).toBe(cid);
    expect(line.msg).toMatch(
      new RegExp(`^worker [12] blocked for \\d+ ms running service wd\\.spin \\(cid ${cid}\\); replacing it$`),
    );
    expect(line.blockedMs).toBeGreaterThanOrEqual(1500);
    const blockedWorker = line.worker!;
    expect(line.pid).toBe(before.get(blockedWorker));
    const after = await eventually(
      async () => {
        const now = await workerPids(env);
        return now.size === 2 && now.get(blockedWorker) !== before.get(blockedWorker) ? now : undefined;
      },
      30_000,
      'a new worker pid',
    );
    const other = blockedWorker === 1 ? 2 : 1;
    expect(after.get(other)).toBe(before.get(other));
    await new Promise((r) => setTimeout(r, 500));
    const seen = await pings.stop();
    // The server kept answering while the worker was blocked and replaced, and answers every ping since.
    const during = seen.filter((p) => p.at >= startedAt && p.at <= Date.parse(line.time));
    expect(during.some((p) => p.ok)).toBe(true);
    const replaced = logLines(env).find(
      (l) => l.msg === 'worker ready' && l.worker === blockedWorker && l.pid === after.get(blockedWorker),
    );
    expect(replaced).toBeDefined();
    const died = logLines(env).find((l) =>
      l.msg.startsWith(`worker ${blockedWorker} (pid ${before.get(blockedWorker)}) died; starting a new one now`),
    );
    expect(died).toBeDefined();
    expect(seen.filter((p) => p.at > Date.parse(replaced!.time)).every((p) => p.ok)).toBe(true);
    for (let i = 0; i < 6; i++)
      expect((await env.fetch('/wd/ok', { headers: { connection: 'close' } })).status).toBe(200);
    console.log(
      `[watchdog figures] call at ${new Date(startedAt).toISOString()}, blocked line ${line.time} (blockedMs ${line.blockedMs}), primary saw death ${died!.time}, replacement ready ${replaced!.time}; pings during block ${during.length} (ok ${during.filter((p) => p.ok).length})`,
    );
  }, 90_000);
});

describe('RSS ceiling recycle (2 workers)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 2, start: false });
    const yaml = join(env.dir, 'server1/config/server.yaml');
    appendFileSync(yaml, 'recycle:\n  rssMb: 320\n  heapMb: 0\n  checkMs: 250\n');
    await env.start();
    await env.deploy('wd.ts', SERVICES);
    await env.importYaml(CHANNELS);
    await eventually(
      async () => (await env.fetch('/wd/ok', { headers: { connection: 'close' } })).status === 200,
      10_000,
      'wd.ok served',
    );
  }, 180_000);
  afterAll(async () => {
    await env?.destroy();
  });

  it('a worker leaking memory is recycled gracefully: log line, new pid, no failed request among the calls made meanwhile', async () => {
    const before = await workerPids(env);
    expect(before.size).toBe(2);
    expect(logLines(env).some((l) => l.msg.includes('memory recycling is off'))).toBe(false);
    let okCalls = 0;
    const failed: string[] = [];
    const leaks: string[] = [];
    const okCall = async (): Promise<void> => {
      try {
        const r = await env.fetch('/wd/ok', { headers: { connection: 'close' }, signal: AbortSignal.timeout(20_000) });
        const b = (await r.json()) as { ok?: boolean };
        if (r.status !== 200 || b.ok !== true) failed.push(`status ${r.status}`);
        okCalls++;
      } catch (e) {
        failed.push(String(e));
      }
    };
    const recycledBoth = (): boolean =>
      logLines(env).filter((l) => l.msg.includes('recycled: exited after draining')).length >= 1;
    for (let i = 0; i < 60 && !recycledBoth(); i++) {
      try {
        const r = await env.fetch('/wd/leak', {
          headers: { connection: 'close' },
          signal: AbortSignal.timeout(20_000),
        });
        const b = (await r.json()) as { kept: number; pid: number };
        leaks.push(`${b.pid}:${b.kept}`);
      } catch (e) {
        leaks.push(`failed: ${String(e)}`);
      }
      for (let j = 0; j < 3; j++) await okCall();
    }
    // Keep calling while the replacement takes over and the old process drains.
    const until = Date.now() + 3000;
    while (Date.now() < until) await okCall();
    const lines = logLines(env);
    const asked = lines.find((l) => /asking to be recycled/.test(l.msg));
    const recycling = lines.find((l) =>
      /^recycling worker [12] \(pid \d+\): RSS \d+ MB is over recycle\.rssMb 320 MB; starting its replacement$/.test(
        l.msg,
      ),
    );
    const ready = lines.find((l) => /replacement \(pid \d+\) ready; draining the old one/.test(l.msg));
    const exited = lines.find((l) => /recycled: exited after draining/.test(l.msg));
    expect(asked, lines.map((l) => l.msg).join('\n')).toBeDefined();
    expect(recycling).toBeDefined();
    expect(ready).toBeDefined();
    expect(exited).toBeDefined();
    expect(failed).toEqual([]);
    expect(okCalls).toBeGreaterThan(10);
    const after = await workerPids(env);
    expect(after.size).toBe(2);
    expect(after.get(recycling!.worker!)).not.toBe(before.get(recycling!.worker!));
    // No "died" line: the recycled worker exited by itself, nothing was restarted behind it.
    expect(lines.some((l) => l.msg.includes('died; starting a new one'))).toBe(false);
    console.log(
      `[recycle trace] ${[asked, recycling, ready, exited].map((l) => `${l!.time} ${l!.msg}${l!.rssMb ? ` (rssMb ${l!.rssMb})` : ''}`).join(' | ')}; leak calls ${leaks.join(' ')}; ok calls ${okCalls}, failed ${failed.length}`,
    );
  }, 180_000);
});

describe('a corrupt ODB', () => {
  it('fails the start with exit 5 and the ODB error, no unrelated stack trace', async () => {
    const env = await createEnv({ workers: 1, start: false });
    try {
      // Keep SQLite's header (so the pre-start ping passes) and garble every page after the first.
      const db = join(env.dir, 'odb/wharf.db');
      const bytes = readFileSync(db);
      for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 131) % 251;
      writeFileSync(db, bytes);
      const r = await runCli(['start', env.dir, '--fg'], { timeoutMs: 60_000 });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/ODB/);
      expect(r.stderr).toMatch(/malformed|not a database/);
      expect(r.stderr).not.toMatch(/sonic boom/i);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await env.destroy();
    }
  }, 120_000);
});
