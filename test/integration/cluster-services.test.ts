/**
 * The Redis cluster services against the real Redis on 6379, several instances standing in for the
 * workers of a cluster: invokeAsync exactly once when nobody dies, taken over when its worker dies,
 * dead-lettered when it keeps killing workers; cluster-wide locks; lease failover within the TTL.
 * Each test uses its own key prefix. Redis not running → these tests fail.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLease } from '../../src/cluster/lease.js';
import { pingRedis, versionAtLeast } from '../../src/cluster/redis/connect.js';
import { RedisClusterServices } from '../../src/cluster/redis/services.js';
import type { AsyncInvocation } from '../../src/cluster/types.js';
import { sleep } from '../helpers/wait.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const prefixes: string[] = [];
const fresh = (): string => {
  const p = `wharf:test-${randomUUID().slice(0, 8)}:`;
  prefixes.push(p);
  return p;
};
const inv = (i: number, extra: Partial<AsyncInvocation> = {}): AsyncInvocation => ({
  cid: `cid-${i}`,
  service: 'svc',
  input: { i },
  ...extra,
});

async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await sleep(20);
  }
}

describe('Redis cluster services', () => {
  const open: RedisClusterServices[] = [];
  const make = async (
    prefix: string,
    name: string,
    o: { claimIdleMs?: number; concurrency?: number; maxDeliveries?: number } = {},
  ): Promise<RedisClusterServices> => {
    const s = await RedisClusterServices.connect({ redis: REDIS, prefix, consumer: name, blockMs: 200, ...o });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    const { version } = await pingRedis(REDIS);
    expect(versionAtLeast(version, '6.2.0')).toBe(true);
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((s) => s.stop(1000)));
    const c = createClient({ socket: REDIS });
    await c.connect();
    for (const p of prefixes) {
      const keys = await c.keys(`${p}*`);
      if (keys.length) await c.del(keys);
    }
    await c.close();
  });

  it('runs every async invocation exactly once across three workers, slow ones included', async () => {
    const prefix = fresh();
    const runs = new Map<string, string[]>();
    const workers = await Promise.all(['a', 'b', 'c'].map((n) => make(prefix, n, { claimIdleMs: 600 })));
    for (const [i, w] of workers.entries()) {
      await w.start(async (x) => {
        // Some run longer than claimIdleMs: the heartbeat keeps them from being taken over.
        await sleep(x.cid.endsWith('7') ? 1500 : 5);
        runs.set(x.cid, [...(runs.get(x.cid) ?? []), ['a', 'b', 'c'][i]!]);
      });
    }
    const n = 120;
    await Promise.all(Array.from({ length: n }, (_, i) => workers[i % 3]!.invokeAsync(inv(i))));
    await until(() => runs.size === n, 15_000, 'all invocations ran');
    await sleep(2000); // time for any duplicate (a wrongful takeover) to show
    expect([...runs.values()].filter((r) => r.length !== 1)).toEqual([]);
    expect(new Set([...runs.values()].flat()).size).toBe(3);
    expect(await workers[0]!.pending()).toBe(0);
  });

  it('takes over the invocations of a worker that died (at least once) within claimIdleMs', async () => {
    const prefix = fresh();
    const ranOn: Array<[string, string]> = [];
    const victim = await make(prefix, 'victim', { claimIdleMs: 800 });
    // The victim accepts and starts them, then "dies": its runner never finishes, nothing is acked.
    await victim.start(async () => new Promise<void>(() => undefined));
    for (let i = 0; i < 5; i++) await victim.invokeAsync(inv(i));
    await sleep(500);
    // kill -9: the connection is gone, the heartbeat stops.
    (victim as unknown as { heartbeat?: NodeJS.Timeout }).heartbeat &&
      clearInterval((victim as unknown as { heartbeat: NodeJS.Timeout }).heartbeat);
    (victim as unknown as { running: boolean }).running = false;
    (victim as unknown as { blocking: { destroy(): void } }).blocking.destroy();
    (victim as unknown as { cmd: { destroy(): void } }).cmd.destroy();
    open.splice(open.indexOf(victim), 1);
    const t0 = Date.now();
    const rescuer = await make(prefix, 'rescuer', { claimIdleMs: 800 });
    await rescuer.start(async (x) => {
      ranOn.push([x.cid, 'rescuer']);
    });
    await until(() => ranOn.length === 5, 10_000, 'takeover');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(ranOn.map(([c]) => c).sort()).toEqual(['cid-0', 'cid-1', 'cid-2', 'cid-3', 'cid-4']);
    expect(rescuer.stats.claimed).toBe(5);
    expect(await rescuer.pending()).toBe(0);
  });

  it('moves an invocation that keeps killing its workers to the dead-letter stream', async () => {
    const prefix = fresh();
    const w1 = await make(prefix, 'w1', { claimIdleMs: 300, maxDeliveries: 2 });
    // Queued by another worker; then delivered three times to workers that die before acking.
    const c = createClient({ socket: REDIS });
    await c.connect();
    await c.sendCommand(['XADD', w1.stream, '*', 'cid', 'cid-1', 'inv', JSON.stringify(inv(1))]);
    for (let d = 0; d < 3; d++) {
      if (d === 0)
        await c.sendCommand(['XREADGROUP', 'GROUP', 'workers', `ghost${d}`, 'COUNT', '10', 'STREAMS', w1.stream, '>']);
      else {
        await sleep(350);
        await c.sendCommand(['XAUTOCLAIM', w1.stream, 'workers', `ghost${d}`, '300', '0-0']);
      }
    }
    await sleep(350);
    const ran: string[] = [];
    await w1.start(async (x) => {
      ran.push(x.cid);
    });
    await until(() => w1.stats.dead === 1, 5000, 'dead-lettered');
    expect(ran).toEqual([]);
    const dead = (await c.sendCommand(['XRANGE', w1.deadStream, '-', '+'])) as Array<[string, string[]]>;
    expect(dead.length).toBe(1);
    expect(dead[0]![1]).toContain('cid-1');
    await c.close();
  });

  it('locks: one holder at a time cluster-wide, waits, times out with 409, lapses after the TTL, token-checked release', async () => {
    const prefix = fresh();
    const a = await make(prefix, 'a');
    const b = await make(prefix, 'b');
    const l1 = await a.lock('invoices', { ttlMs: 5000 });
    await expect(b.lock('invoices', { waitMs: 0 })).rejects.toMatchObject({ code: 'WHARF_ERR_CONFLICT', status: 409 });
    const waiting = b.lock('invoices', { waitMs: 3000 });
    await sleep(200);
    await l1.release();
    const l2 = await waiting;
    await l1.release(); // a second release by the old holder must not free b's lock
    await expect(a.lock('invoices', { waitMs: 100 })).rejects.toMatchObject({ code: 'WHARF_ERR_CONFLICT' });
    await l2.release();
    // A holder that dies: the lock lapses after its TTL.
    await a.lock('short', { ttlMs: 300 });
    const t0 = Date.now();
    const l3 = await b.lock('short', { waitMs: 2000 });
    expect(Date.now() - t0).toBeGreaterThan(150);
    expect(Date.now() - t0).toBeLessThan(1000);
    await l3[Symbol.asyncDispose]();
  });

  it('leases: one holder; another takes over within the TTL when the holder dies', async () => {
    const prefix = fresh();
    const a = await make(prefix, 'a');
    const b = await make(prefix, 'b');
    const ttl = 1000;
    const la = await acquireLease(a.leaseStore, 'scheduler', 'A', { ttlMs: ttl });
    expect(la.held).toBe(true);
    let bGot = 0;
    const pending = acquireLease(b.leaseStore, 'scheduler', 'B', { ttlMs: ttl, pollMs: 100 }).then((l) => {
      bGot = Date.now();
      return l;
    });
    await sleep(1500);
    expect(bGot).toBe(0); // renewals keep it with A
    // A dies: its renewals stop (kill -9 = no release).
    (a as unknown as { cmd: { destroy(): void } }).cmd.destroy();
    open.splice(open.indexOf(a), 1);
    const died = Date.now();
    const lb = await pending;
    expect(lb.held).toBe(true);
    expect(bGot - died).toBeLessThanOrEqual(ttl + 200);
    await lb.release();
    expect(await b.leaseStore.tryLease('scheduler', 'C', ttl)).toBe(true);
  });
});
