/**
 * A Swift connection in one worker: a pool of `poolSize` clients that services borrow from, FIFO waiters
 * with a borrow timeout, and live settings changes — a change of credentials, URL or pool size starts a
 * new pool for new borrows while borrowed clients finish on the old one, which closes once they are all
 * back. `SwiftConnection` is the part services see.
 */
import { WharfError } from '../../errors.js';
import type { ConnectorHealth } from '../../connectors/types.js';
import { resolvedWithin } from '../../connectors/shared/lifecycle.js';
import type { ServiceLogger } from '../../service/service.js';
import { SwiftError, type SwiftClient } from '../../connectors/swift/client.js';
import { clientOptionsOf, poolKey, type SwiftConnectionConfig } from './kind.js';
import { ClientPool } from './pool.js';
import { PooledSwiftClient } from './pooled-client.js';

/** While the connection is not healthy, Swift is checked again this often (ms). */
export const PROBE_INTERVAL_MS = 30_000;

export interface SwiftPoolStats {
  /** Clients of the current pool. */
  size: number;
  inUse: number;
  idle: number;
  /** Borrowers waiting for a free client. */
  waiting: number;
  /** Borrowed clients of older pools (before a settings change) not yet returned. */
  inUseOnRetiredPools: number;
}

interface Waiter {
  resolve(client: PooledSwiftClient): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/** Failures that say Swift is unreachable or refuses us, as opposed to a caller's mistake (404, 409...). */
function isConnectionFailure(e: unknown): e is SwiftError {
  if (!(e instanceof SwiftError)) return false;
  const s = e.httpStatus;
  return e.operation === 'auth' || s === undefined || s === 401 || s >= 500 || s === 429 || s === 498;
}

export class SwiftPools {
  private config: SwiftConnectionConfig;
  private pool: ClientPool;
  private readonly retiring = new Set<ClientPool>();
  private readonly waiters: Waiter[] = [];
  private stopped = false;
  private status: 'starting' | 'up' | 'degraded' | 'down' = 'starting';
  private detail: string | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    config: SwiftConnectionConfig,
    private readonly logger: ServiceLogger,
  ) {
    this.config = config;
    this.pool = new ClientPool(poolKey(config), clientOptionsOf(config), config.poolSize);
  }

  get name(): string {
    return this.config.name;
  }

  /** Checks that Swift answers with these credentials (HEAD on the account), for health. */
  start(): void {
    void this.probe();
  }

  borrow(): Promise<PooledSwiftClient> {
    if (this.stopped) return Promise.reject(new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [this.config.name]));
    const pool = this.pool;
    const client = pool.take();
    if (client) return Promise.resolve(this.wrap(pool, client));
    const wait = this.config.borrowTimeoutMs;
    if (wait === 0) return Promise.reject(this.noFreeClient(wait));
    return new Promise<PooledSwiftClient>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(this.noFreeClient(wait));
      }, wait);
      this.waiters.push(waiter);
    });
  }

  /** Applies edited settings: new clients only when their settings changed. */
  update(config: SwiftConnectionConfig): void {
    if (this.stopped) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [config.name]);
    const key = poolKey(config);
    if (key === this.pool.key) {
      this.config = config;
      return;
    }
    const next = new ClientPool(key, clientOptionsOf(config), config.poolSize); // throws on unusable settings
    const old = this.pool;
    this.config = config;
    this.pool = next;
    this.retiring.add(old);
    if (old.inUse > 0) {
      this.logger.info(
        `Swift connection \`${config.name}\`: new settings; ${old.inUse} borrowed client(s) finish on the previous ones`,
      );
    }
    void old
      .retire()
      .catch((e: unknown) =>
        this.logger.warn(`Swift connection \`${config.name}\`: closing the previous clients: ${String(e)}`),
      )
      .finally(() => this.retiring.delete(old));
    this.serveWaiters();
    this.status = 'starting';
    delete this.detail;
    void this.probe();
  }

  stats(): SwiftPoolStats {
    let old = 0;
    for (const p of this.retiring) old += p.inUse;
    return {
      size: this.pool.size,
      inUse: this.pool.inUse,
      idle: this.pool.idle,
      waiting: this.waiters.length,
      inUseOnRetiredPools: old,
    };
  }

  health(): ConnectorHealth {
    if (this.stopped) return { status: 'stopped' };
    return this.detail === undefined ? { status: this.status } : { status: this.status, detail: this.detail };
  }

  /** No new borrows; waits up to `drainMs` for borrowed clients, then closes every client. */
  async stop(drainMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.probeTimer);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [this.config.name]));
    }
    const pools = [this.pool, ...this.retiring];
    const drained = await resolvedWithin(Promise.all(pools.map((p) => p.retire())), drainMs);
    if (!drained) {
      const out = pools.reduce((n, p) => n + p.inUse, 0);
      this.logger.warn(
        `Swift connection \`${this.config.name}\`: ${out} borrowed client(s) not returned within ${drainMs} ms; closing them`,
      );
      await resolvedWithin(Promise.all(pools.map((p) => p.close())), 2000);
    }
  }

  // ---- internals

  private wrap(pool: ClientPool, client: SwiftClient): PooledSwiftClient {
    return new PooledSwiftClient({
      client,
      createMissingContainers: () => this.config.createMissingContainers,
      outcome: (e) => this.outcome(e),
      giveBack: () => this.giveBack(pool, client),
    });
  }

  private giveBack(pool: ClientPool, client: SwiftClient): void {
    if (pool === this.pool && !this.stopped) {
      const w = this.waiters.shift();
      if (w) {
        clearTimeout(w.timer);
        w.resolve(this.wrap(pool, client)); // handed over: stays borrowed
        return;
      }
    }
    pool.give(client);
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const client = this.pool.take();
      if (!client) return;
      const w = this.waiters.shift()!;
      clearTimeout(w.timer);
      w.resolve(this.wrap(this.pool, client));
    }
  }

  private noFreeClient(waitedMs: number): WharfError {
    return new WharfError('WHARF_ERR_NO_FREE_CONNECTION', [this.config.name, waitedMs], {
      details: { connection: this.config.name, poolSize: this.pool.size, waiting: this.waiters.length },
    });
  }

  private outcome(e: unknown): void {
    if (this.stopped) return;
    if (isConnectionFailure(e)) {
      this.status = 'degraded';
      this.detail = e.message;
      this.scheduleProbe();
    } else if (this.status !== 'up') {
      // a success, or an answer about the caller's request (404, 409...): Swift is reachable
      this.status = 'up';
      delete this.detail;
    }
  }

  private async probe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    const pool = this.pool;
    try {
      await pool.clients[0]!.headAccount();
      if (pool === this.pool && !this.stopped) {
        this.status = 'up';
        delete this.detail;
      }
    } catch (e) {
      if (pool === this.pool && !this.stopped) {
        this.status = isConnectionFailure(e) ? 'down' : 'degraded';
        this.detail = e instanceof Error ? e.message : String(e);
        this.logger.warn(this.detail);
        this.scheduleProbe();
      }
    } finally {
      this.probing = false;
    }
    // settings changed while probing: check the new ones
    if (pool !== this.pool && this.status === 'starting') void this.probe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer || this.stopped) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.status !== 'up') void this.probe();
    }, PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }
}

/** What `this.cloud.swift('name')` returns to a service. */
export class SwiftConnection {
  constructor(private readonly pools: SwiftPools) {}

  get name(): string {
    return this.pools.name;
  }

  /**
   * Borrows a client: `await using client = await conn.client()` returns it at the end of the block;
   * otherwise call `client.release()`. Waits up to `borrowTimeoutMs` when all are in use, then fails
   * with WHARF_ERR_NO_FREE_CONNECTION.
   */
  client(): Promise<PooledSwiftClient> {
    return this.pools.borrow();
  }

  /** Borrows a client for `fn` and always returns it, also when `fn` throws. */
  async withClient<T>(fn: (client: PooledSwiftClient) => Promise<T> | T): Promise<T> {
    const client = await this.pools.borrow();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  stats(): SwiftPoolStats {
    return this.pools.stats();
  }
}
