/**
 * Cluster services over Redis, for a cluster of servers:
 *
 * - `invokeAsync`: the invocation is XADDed to one stream per cluster; every worker of every server
 *   is a consumer of one consumer group, so each entry goes to exactly one worker (XREADGROUP `>`).
 *   The worker runs it, then XACKs and XDELs it. While it runs, the worker refreshes its claim
 *   (XCLAIM JUSTID resets the idle time), so a slow job is never taken from a live worker: exactly
 *   once when nobody dies. A worker that dies (kill -9) leaves its entries pending; after
 *   `claimIdleMs` without a refresh any other worker takes them over with XAUTOCLAIM and runs them:
 *   at least once when someone dies. An entry delivered `maxDeliveries` times without an ack (it
 *   kills its workers) is moved to a dead-letter stream instead of being run again.
 * - `lock`: SET key token NX PX ttl; released by a Lua compare-and-delete on the token, so a holder
 *   whose lock lapsed never deletes someone else's.
 * - `leaseStore`: leases for once-per-cluster connectors (a Lua take-or-renew); when the holder dies
 *   the key expires and another server takes over within one TTL.
 *
 * Redis is configured by the environment: with persistence off (the quickstart's and the tests'
 * Redis), queued invocations do not survive a restart of Redis itself, only of the servers.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { WharfError } from '../../errors.js';
import type { LeaseStore } from '../lease.js';
import type { AsyncInvocation, AsyncRunner, ClusterServices, LockOptions, ServiceLock } from '../types.js';
import { redisClient, type RedisConfig } from './connect.js';

export interface RedisClusterOptions {
  redis: RedisConfig;
  /** Key prefix of the cluster (`clusterPrefix(name)`). */
  prefix: string;
  /** This worker's consumer name, unique in the cluster (server, worker id, pid). */
  consumer: string;
  /** Invocations run at once by this worker (default 8). */
  concurrency?: number;
  /** A pending entry whose consumer has not refreshed it for this long is taken over (default 15 s). */
  claimIdleMs?: number;
  /** Deliveries after which an entry goes to the dead-letter stream (default 5). */
  maxDeliveries?: number;
  /** How long a blocking read waits (default 1 s; bounds how fast `stop` returns). */
  blockMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

export const GROUP = 'workers';

const LEASE_TAKE = `local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

const DEL_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type RawEntry = [id: string, fields: string[] | null];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function fieldsOf(fields: string[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fields) return out;
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

export class RedisLeaseStore implements LeaseStore {
  constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
  ) {}

  async tryLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const r = await this.client.sendCommand<number>([
      'EVAL',
      LEASE_TAKE,
      '1',
      `${this.prefix}lease:${name}`,
      holder,
      String(Math.max(1, Math.round(ttlMs))),
    ]);
    return Number(r) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.client.sendCommand(['EVAL', DEL_IF, '1', `${this.prefix}lease:${name}`, holder]);
  }
}

export class RedisClusterServices implements ClusterServices {
  readonly leaseStore: RedisLeaseStore;
  readonly stream: string;
  readonly deadStream: string;
  private run: AsyncRunner | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly inflight = new Map<string, Promise<void>>();
  private heartbeat: NodeJS.Timeout | undefined;
  private lastClaim = 0;
  private lastSweep = 0;
  private readonly concurrency: number;
  private readonly claimIdleMs: number;
  private readonly maxDeliveries: number;
  private readonly blockMs: number;
  /** Counters for /wharf/metrics. */
  readonly stats = { accepted: 0, run: 0, claimed: 0, dead: 0 };

  private constructor(
    private readonly opts: RedisClusterOptions,
    private readonly cmd: RedisClientType,
    private readonly blocking: RedisClientType,
  ) {
    this.leaseStore = new RedisLeaseStore(cmd, opts.prefix);
    this.stream = `${opts.prefix}async`;
    this.deadStream = `${opts.prefix}async:dead`;
    this.concurrency = opts.concurrency ?? 8;
    this.claimIdleMs = opts.claimIdleMs ?? 15_000;
    this.maxDeliveries = opts.maxDeliveries ?? 5;
    this.blockMs = opts.blockMs ?? 1000;
  }

  static async connect(opts: RedisClusterOptions): Promise<RedisClusterServices> {
    const cmd = redisClient(opts.redis, { failFast: true });
    const blocking = redisClient(opts.redis);
    await cmd.connect();
    await blocking.connect();
    const s = new RedisClusterServices(opts, cmd, blocking);
    await s.ensureGroup();
    return s;
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>): void {
    this.opts.log?.(level, msg, extra);
  }

  private async ensureGroup(): Promise<void> {
    try {
      // From the start of the stream: entries added before the group existed are not lost.
      await this.cmd.sendCommand(['XGROUP', 'CREATE', this.stream, GROUP, '0', 'MKSTREAM']);
    } catch (e) {
      if (!String(e instanceof Error ? e.message : e).includes('BUSYGROUP')) throw e;
    }
  }

  async invokeAsync(inv: AsyncInvocation): Promise<void> {
    if (!this.run) throw new WharfError('WHARF_ERR_SHUTTING_DOWN');
    const payload = JSON.stringify({
      cid: inv.cid,
      service: inv.service,
      input: inv.input,
      callback: inv.callback,
      parentCid: inv.parentCid,
    });
    try {
      await this.cmd.sendCommand(['XADD', this.stream, '*', 'cid', inv.cid, 'inv', payload]);
    } catch (e) {
      throw new WharfError(
        'WHARF_ERR_UPSTREAM',
        [`cannot queue the async invocation of ${inv.service}: Redis: ${e instanceof Error ? e.message : String(e)}`],
        { status: 503, cause: e },
      );
    }
    this.stats.accepted++;
  }

  async lock(name: string, opts: LockOptions = {}): Promise<ServiceLock> {
    const ttl = Math.max(1, Math.round(opts.ttlMs ?? 30_000));
    const deadline = Date.now() + (opts.waitMs ?? 10_000);
    const key = `${this.opts.prefix}lock:${name}`;
    const token = `${this.opts.consumer}:${randomUUID()}`;
    let pause = 10;
    for (;;) {
      const r = await this.cmd.sendCommand<string | null>(['SET', key, token, 'NX', 'PX', String(ttl)]);
      if (r === 'OK') break;
      if (Date.now() >= deadline)
        throw new WharfError('WHARF_ERR_CONFLICT', [`lock \`${name}\` is held by another invocation`]);
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
      pause = Math.min(pause * 2, 100);
    }
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await this.cmd.sendCommand(['EVAL', DEL_IF, '1', key, token]);
    };
    return { name, release, [Symbol.asyncDispose]: release };
  }

  async start(run: AsyncRunner): Promise<void> {
    this.run = run;
    this.running = true;
    this.loop = this.consume();
    // Keep our in-flight entries fresh so nobody takes them from a live worker.
    this.heartbeat = setInterval(() => void this.refresh(), Math.max(200, Math.floor(this.claimIdleMs / 3)));
    this.heartbeat.unref();
  }

  private async refresh(): Promise<void> {
    const ids = [...this.inflight.keys()];
    if (ids.length === 0) return;
    try {
      await this.cmd.sendCommand(['XCLAIM', this.stream, GROUP, this.opts.consumer, '0', ...ids, 'JUSTID']);
    } catch {
      /* Redis is away: the entries may be taken over; they then run at least once */
    }
  }

  private async consume(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inflight.size;
      if (free <= 0) {
        await Promise.race(this.inflight.values());
        continue;
      }
      try {
        if (Date.now() - this.lastClaim >= Math.min(1000, this.claimIdleMs / 3)) {
          this.lastClaim = Date.now();
          const claimed = await this.claimAbandoned(free);
          if (Date.now() - this.lastSweep > 60_000) await this.sweepConsumers();
          if (claimed > 0) continue;
        }
        const reply = await this.blocking.sendCommand<Array<[string, RawEntry[]]> | null>([
          'XREADGROUP',
          'GROUP',
          GROUP,
          this.opts.consumer,
          'COUNT',
          String(free),
          'BLOCK',
          String(this.blockMs),
          'STREAMS',
          this.stream,
          '>',
        ]);
        // Entries read while stopping are ours now: run them rather than leave them for a claim.
        for (const [, entries] of reply ?? []) for (const [id, fields] of entries) this.start1(id, fieldsOf(fields));
      } catch (e) {
        if (!this.running) break;
        const msg = e instanceof Error ? e.message : String(e);
        if (msg.includes('NOGROUP')) {
          // Redis restarted empty (or the stream was deleted): make the group again.
          await this.ensureGroup().catch(() => undefined);
        } else {
          this.log('warn', `async invocations: Redis read failed (${msg}); retrying`);
          await sleep(500);
        }
      }
    }
  }

  /** Takes over entries idle for claimIdleMs (their worker died); returns how many it started. */
  private async claimAbandoned(max: number): Promise<number> {
    let started = 0;
    let cursor = '0-0';
    for (let round = 0; round < 10 && started < max; round++) {
      const r = await this.cmd.sendCommand<[string, Array<RawEntry | null>, string[]?]>([
        'XAUTOCLAIM',
        this.stream,
        GROUP,
        this.opts.consumer,
        String(this.claimIdleMs),
        cursor,
        'COUNT',
        String(max - started),
      ]);
      const [next, entries] = r;
      for (const e of entries) {
        if (!e || !e[1]) continue;
        const [id, fields] = e;
        const deliveries = await this.deliveries(id);
        const f = fieldsOf(fields);
        this.stats.claimed++;
        if (deliveries > this.maxDeliveries) {
          await this.deadLetter(id, f, deliveries);
          continue;
        }
        this.log(
          'warn',
          `async invocation ${f['cid'] ?? id} taken over from a worker that stopped answering (delivery ${deliveries})`,
          { cid: f['cid'] },
        );
        this.start1(id, f);
        started++;
      }
      if (next === '0-0') break;
      cursor = next;
    }
    return started;
  }

  /** Forgets consumers of dead workers (nothing pending, silent for an hour). */
  private async sweepConsumers(): Promise<void> {
    this.lastSweep = Date.now();
    try {
      const rows = await this.cmd.sendCommand<unknown[][]>(['XINFO', 'CONSUMERS', this.stream, GROUP]);
      for (const row of rows) {
        const f = fieldsOf(row.map(String));
        if (
          f['name'] &&
          f['name'] !== this.opts.consumer &&
          Number(f['pending']) === 0 &&
          Number(f['idle']) > 3_600_000
        ) {
          await this.cmd.sendCommand(['XGROUP', 'DELCONSUMER', this.stream, GROUP, f['name']]);
        }
      }
    } catch {
      /* housekeeping only */
    }
  }

  private async deliveries(id: string): Promise<number> {
    try {
      const r = await this.cmd.sendCommand<Array<[string, string, number, number]>>([
        'XPENDING',
        this.stream,
        GROUP,
        id,
        id,
        '1',
      ]);
      return Number(r[0]?.[3] ?? 1);
    } catch {
      return 1;
    }
  }

  private async deadLetter(id: string, f: Record<string, string>, deliveries: number): Promise<void> {
    this.stats.dead++;
    this.log(
      'error',
      `async invocation ${f['cid'] ?? id} was delivered ${deliveries} times without finishing; moved to ${this.deadStream}`,
      { cid: f['cid'] },
    );
    await this.cmd.sendCommand([
      'XADD',
      this.deadStream,
      '*',
      'id',
      id,
      'cid',
      f['cid'] ?? '',
      'inv',
      f['inv'] ?? '',
      'deliveries',
      String(deliveries),
    ]);
    await this.ack(id);
  }

  private start1(id: string, f: Record<string, string>): void {
    const run = this.run;
    if (!run) return;
    let inv: AsyncInvocation;
    try {
      inv = JSON.parse(f['inv'] ?? '') as AsyncInvocation;
    } catch {
      this.log('error', `async invocation ${id}: unreadable entry dropped`);
      void this.ack(id);
      return;
    }
    const p = (async () => {
      try {
        await run(inv);
        this.stats.run++;
      } catch (e) {
        this.log(
          'error',
          `async invocation ${inv.cid} of ${inv.service} failed: ${e instanceof Error ? e.message : String(e)}`,
          { cid: inv.cid },
        );
      }
      await this.ack(id);
    })().finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
  }

  private async ack(id: string): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await this.cmd.sendCommand(['XACK', this.stream, GROUP, id]);
        await this.cmd.sendCommand(['XDEL', this.stream, id]);
        return;
      } catch {
        await sleep(250);
      }
    }
    this.log('warn', `async invocation ${id}: could not acknowledge it; another worker may run it again`);
  }

  /** Invocations queued and not yet acknowledged (for tests and metrics). */
  async pending(): Promise<number> {
    const r = await this.cmd.sendCommand<[number, ...unknown[]]>(['XPENDING', this.stream, GROUP]);
    const len = await this.cmd.sendCommand<number>(['XLEN', this.stream]);
    return Math.max(Number(r[0] ?? 0), Number(len));
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    this.running = false;
    this.run = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await Promise.race([this.loop, sleep(this.blockMs + 500)]);
    const deadline = sleep(timeoutMs);
    await Promise.race([Promise.allSettled([...this.inflight.values()]), deadline]);
    // Leave the group unless entries are still pending on us (deleting the consumer would lose them;
    // others claim them after claimIdleMs).
    try {
      const mine = await this.cmd.sendCommand<unknown[]>([
        'XPENDING',
        this.stream,
        GROUP,
        '-',
        '+',
        '1',
        this.opts.consumer,
      ]);
      if (mine.length === 0)
        await this.cmd.sendCommand(['XGROUP', 'DELCONSUMER', this.stream, GROUP, this.opts.consumer]);
    } catch {
      /* Redis away */
    }
    this.blocking.destroy();
    await this.cmd.close().catch(() => this.cmd.destroy());
  }
}
