/**
 * The spare worker (server.yaml `watchdog.spare`, issue 13): a loaded, idle worker that takes the place
 * of a worker the watchdog killed. Real server (2 workers + the spare), real RabbitMQ: the spare does
 * not consume before it is activated; after a block the channel serves through the former spare, a
 * new spare follows, the other worker kept serving, and config changed while the spare waited holds.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, type TestEnv } from '../helpers/env.js';

const QUEUE = `wharf-spare-${Date.now().toString(36)}`;
const scratch = mkdtempSync(join(tmpdir(), 'wharf-spare-'));
const SEEN = join(scratch, 'seen.txt');

const SERVICES = `import { appendFileSync, writeFileSync } from 'node:fs';
import { service, text } from 'wharf';

export class Spin extends service({ name: 'sp.spin', input: { file: text() } }) {
  async handle() {
    writeFileSync(this.input.file, String(process.pid));
    while (true) {}
  }
}

export class Ok extends service({ name: 'sp.ok' }) {
  async handle() {
    return { pid: process.pid, mode: this.config['sp']?.['mode'] ?? null };
  }
}

export class Seen extends service({ name: 'sp.seen', input: { id: text() } }) {
  async handle() {
    appendFileSync(${JSON.stringify(SEEN)}, process.pid + ' ' + this.input.id + '\\n');
  }
}
`;

const CONFIG = (mode: string, extraChannel = ''): string =>
  [
    'definitions:',
    '  amqp:',
    '    - { name: rabbit, host: 127.0.0.1, username: guest, password: guest }',
    'config:',
    '  user:',
    `    - { name: sp, values: { mode: ${mode} } }`,
    'channels:',
    '  http:',
    '    - { name: sp-spin, urlPath: /sp/spin, service: sp.spin, timeoutMs: 1000 }',
    '    - { name: sp-ok, urlPath: /sp/ok, service: sp.ok }',
    extraChannel,
    '  amqp:',
    `    - { name: sp-seen, definition: rabbit, queue: ${QUEUE}, service: sp.seen }`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');

interface LogLine {
  time: string;
  msg: string;
  worker?: number;
  spare?: boolean;
  pid?: number;
}

const logLines = (env: TestEnv): LogLine[] =>
  env
    .log()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

const spareReadyPids = (env: TestEnv): number[] =>
  logLines(env)
    .filter((l) => l.msg.startsWith('spare worker ready') && l.spare === true)
    .map((l) => l.pid!);

async function workerPids(env: TestEnv): Promise<Map<number, number>> {
  const r = await env.admin<{ items: Array<{ worker: number; pid: number }> }>('GET', '/wharf/admin/cluster/workers');
  return new Map(r.body.items.map((w) => [w.worker, w.pid]));
}

const seen = (): Array<{ pid: number; id: string }> => {
  try {
    return readFileSync(SEEN, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => ({ pid: Number(l.split(' ')[0]), id: l.split(' ')[1]! }));
  } catch {
    return [];
  }
};

async function publish(ids: string[]): Promise<void> {
  const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const ch = await conn.createConfirmChannel();
  for (const id of ids) ch.sendToQueue(QUEUE, Buffer.from(JSON.stringify({ id })), { persistent: true });
  await ch.waitForConfirms();
  await conn.close();
}

async function consumers(): Promise<number> {
  const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  try {
    const ch = await conn.createChannel();
    return (await ch.checkQueue(QUEUE)).consumerCount;
  } finally {
    await conn.close();
  }
}

/** GET /sp/ok (new connection each time, so the cluster spreads them) until `pid` answers. */
async function okFrom(env: TestEnv, pid: number, path = '/sp/ok'): Promise<{ pid: number; mode: string | null }> {
  return eventually(
    async () => {
      const r = await env.fetch(path, { headers: { connection: 'close' }, signal: AbortSignal.timeout(5000) });
      const b = (await r.json()) as { pid: number; mode: string | null };
      return r.status === 200 && b.pid === pid ? b : undefined;
    },
    15_000,
    `${path} answered by pid ${pid}`,
  );
}

describe('spare worker (watchdog.spare, 2 workers)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.assertQueue(QUEUE, { durable: true });
    await conn.close();
    env = await createEnv({ workers: 2, start: false });
    appendFileSync(join(env.dir, 'server1/config/server.yaml'), 'watchdog:\n  blockedMs: 1500\n  spare: true\n');
    await env.start();
    await env.deploy('sp.ts', SERVICES);
    await env.importYaml(CONFIG('before'));
    await eventually(
      async () => (await env.fetch('/sp/ok', { headers: { connection: 'close' } })).status === 200,
      15_000,
      'sp.ok served',
    );
  }, 180_000);
  afterAll(async () => {
    await env?.destroy();
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.deleteQueue(QUEUE);
    await conn.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('an idle spare: not a worker, does not consume; after a block it takes the place, a new spare follows', async () => {
    const sparePid = await eventually(() => spareReadyPids(env)[0], 30_000, 'spare ready');
    const before = await workerPids(env);
    expect(before.size).toBe(2);
    expect([...before.values()]).not.toContain(sparePid);
    // A process of its own, alive, loaded.
    expect(readFileSync(`/proc/${sparePid}/cmdline`, 'utf8')).toContain('worker-main');

    // Message channel: two consumers (the workers), and the spare consumes nothing.
    await eventually(async () => (await consumers()) === 2, 15_000, 'two AMQP consumers');
    const first = Array.from({ length: 20 }, (_, i) => `a${i}`);
    await publish(first);
    await eventually(() => seen().length >= first.length, 15_000, 'first messages consumed');
    expect(seen().every((s) => [...before.values()].includes(s.pid))).toBe(true);
    expect(await consumers()).toBe(2);

    // Config changed while the spare waits: a user config value and a new HTTP channel.
    await env.importYaml(CONFIG('after', '    - { name: sp-new, urlPath: /sp/new, service: sp.ok }'), ['--replace']);
    await eventually(
      async () => {
        const r = await env.fetch('/sp/ok', { headers: { connection: 'close' } });
        return ((await r.json()) as { mode: string }).mode === 'after';
      },
      15_000,
      'config applied by the workers',
    );

    // A service blocks a worker: the watchdog kills it, the spare takes its place.
    const pidFile = join(scratch, 'spin.pid');
    const call = await env
      .fetch(`/sp/spin?file=${encodeURIComponent(pidFile)}`, {
        headers: { connection: 'close' },
        signal: AbortSignal.timeout(30_000),
      })
      .then((r) => `status ${r.status}`)
      .catch((e: unknown) => e);
    expect(call).toBeInstanceOf(Error);
    const blockedPid = Number(readFileSync(pidFile, 'utf8'));
    const blockedId = [...before.entries()].find(([, p]) => p === blockedPid)![0];
    const otherId = blockedId === 1 ? 2 : 1;
    const taken = await eventually(
      () => logLines(env).find((l) => l.msg.includes('the spare worker (pid') && l.msg.includes('takes its place')),
      15_000,
      'spare activation line',
    );
    expect(taken.msg).toBe(
      `worker ${blockedId} (pid ${blockedPid}) died; the spare worker (pid ${sparePid}) takes its place`,
    );
    const after = await eventually(
      async () => {
        const now = await workerPids(env);
        return now.get(blockedId) === sparePid ? now : undefined;
      },
      15_000,
      'the former spare listed as the worker',
    );
    expect(after.size).toBe(2);
    expect(after.get(otherId)).toBe(before.get(otherId));
    const ready = logLines(env).find((l) => l.msg === 'worker ready' && l.pid === sparePid);
    expect(ready?.worker).toBe(blockedId);
    const blockedLine = logLines(env).find((l) => l.msg.startsWith(`worker ${blockedId} blocked for`));
    console.log(
      `[spare figures] watchdog line ${blockedLine?.time}, spare activated ${taken.time}, serving as worker ${blockedId} ${ready!.time} (${Date.parse(ready!.time) - Date.parse(blockedLine!.time)} ms after the kill)`,
    );
    // No fork of a fresh worker for that id.
    expect(logLines(env).some((l) => l.msg.startsWith(`worker ${blockedId} (pid ${blockedPid}) died; starting`))).toBe(
      false,
    );

    // The channel serves through the former spare, with the config changed while it waited.
    expect((await okFrom(env, sparePid)).mode).toBe('after');
    await okFrom(env, sparePid, '/sp/new');
    await okFrom(env, before.get(otherId)!);

    // It consumes now (as the killed worker did): two consumers again, messages reach it.
    await eventually(async () => (await consumers()) === 2, 15_000, 'two AMQP consumers after activation');
    const second = Array.from({ length: 40 }, (_, i) => `b${i}`);
    await publish(second);
    await eventually(() => second.every((id) => seen().some((s) => s.id === id)), 15_000, 'second messages consumed');
    expect(seen().some((s) => s.pid === sparePid && s.id.startsWith('b'))).toBe(true);

    // A new spare, loaded and idle.
    const nextSpare = await eventually(
      () => spareReadyPids(env).find((p) => p !== sparePid),
      30_000,
      'a new spare ready',
    );
    expect([...(await workerPids(env)).values()]).not.toContain(nextSpare);
    expect(await consumers()).toBe(2);
  }, 120_000);

  it('a spare that dies is started again after a pause; the workers are untouched', async () => {
    const workers = await workerPids(env);
    const spare = spareReadyPids(env).at(-1)!;
    const readyBefore = spareReadyPids(env).length;
    process.kill(spare, 'SIGKILL');
    const line = await eventually(
      () => logLines(env).find((l) => l.msg.startsWith(`the spare worker (pid ${spare}) died; starting a new one in`)),
      10_000,
      'spare death line',
    );
    expect(line.msg).toMatch(/starting a new one in \d+ ms$/);
    const next = await eventually(
      () => (spareReadyPids(env).length > readyBefore ? spareReadyPids(env).at(-1) : undefined),
      30_000,
      'another spare ready',
    );
    expect(next).not.toBe(spare);
    expect([...(await workerPids(env)).values()]).not.toContain(next);
    expect(await workerPids(env)).toEqual(workers);
  }, 60_000);

  it('wharf stop stops the spare too', async () => {
    const spare = spareReadyPids(env).at(-1)!;
    await env.stop();
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await eventually(() => !alive(spare), 15_000, 'spare gone');
    expect(logLines(env).some((l) => l.msg === 'spare worker stopped' && l.spare === true)).toBe(true);
  }, 60_000);
});

describe('spare worker and memory recycling (1 worker)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 1, start: false });
    appendFileSync(
      join(env.dir, 'server1/config/server.yaml'),
      'watchdog:\n  spare: true\nrecycle:\n  rssMb: 320\n  heapMb: 0\n  checkMs: 250\n',
    );
    await env.start();
    await env.deploy(
      'leak.ts',
      `import { service } from 'wharf';
const kept: Buffer[] = [];
export class Leak extends service({ name: 'sp.leak' }) {
  async handle() {
    kept.push(Buffer.alloc(20 * 1024 * 1024, 1));
    return { pid: process.pid };
  }
}
`,
    );
    await env.importYaml('channels:\n  http:\n    - { name: sp-leak, urlPath: /sp/leak, service: sp.leak }\n');
  }, 180_000);
  afterAll(async () => {
    await env?.destroy();
  });

  it('a worker over its ceiling is replaced by the ready spare, then drains', async () => {
    const sparePid = await eventually(() => spareReadyPids(env)[0], 30_000, 'spare ready');
    const before = (await workerPids(env)).get(1)!;
    for (let i = 0; i < 40 && !logLines(env).some((l) => l.msg.startsWith('recycling worker 1')); i++)
      await env.fetch('/sp/leak', { headers: { connection: 'close' } }).then((r) => r.text());
    const line = await eventually(
      () => logLines(env).find((l) => l.msg.startsWith('recycling worker 1')),
      10_000,
      'recycle line',
    );
    expect(line.msg).toMatch(/; the spare worker takes its place$/);
    await eventually(
      () => logLines(env).some((l) => l.msg === `worker 1 (pid ${before}) recycled: exited after draining`),
      30_000,
      'old worker drained',
    );
    expect((await workerPids(env)).get(1)).toBe(sparePid);
    const r = await env.fetch('/sp/leak', { headers: { connection: 'close' } });
    expect(((await r.json()) as { pid: number }).pid).toBe(sparePid);
    await eventually(() => spareReadyPids(env).some((p) => p !== sparePid), 30_000, 'a new spare ready');
  }, 120_000);
});
