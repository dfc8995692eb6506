/**
 * The pools behind a connection: an undici Pool, and for `http:` addresses also a SocketPool of
 * Wharf's own HTTP/1.1 client (raw/), which sends buffered requests. Address, pool size and TLS
 * settings are fixed per pool, so a change of any of them builds new pools; the old ones close
 * gracefully (in-flight requests finish on them) and are destroyed if that takes longer than the
 * drain limit. `WHARF_HTTP_CLIENT=undici` (read once, at load) turns Wharf's client off.
 */
import { rootCertificates } from 'node:tls';
import { Pool } from 'undici';
import type { TransportConfig } from './fields.js';
import { SocketPool } from './raw/socket-pool.js';

/** Wharf's HTTP/1.1 client sends buffered requests to http: addresses (unless WHARF_HTTP_CLIENT=undici). */
export const RAW_CLIENT = process.env['WHARF_HTTP_CLIENT'] !== 'undici';

/** Settings a Pool is built from; any change means a new Pool. */
export function poolKey(c: TransportConfig): string {
  return JSON.stringify([
    new URL(c.address).origin,
    c.poolSize,
    c.validateCert,
    c.ca ?? '',
    c.tlsClientCert ?? '',
    c.tlsClientKey ?? '',
  ]);
}

export function buildPool(c: TransportConfig): Pool {
  const url = new URL(c.address);
  const tls = url.protocol === 'https:';
  return new Pool(url.origin, {
    connections: c.poolSize,
    // Our own per-request deadline covers these; undici's would fire on a coarse timer.
    headersTimeout: 0,
    bodyTimeout: 0,
    connectTimeout: Math.max(10_000, c.timeoutMs),
    ...(tls
      ? {
          connect: {
            rejectUnauthorized: c.validateCert,
            // `ca` adds to the public roots instead of replacing them.
            ...(c.ca ? { ca: [...rootCertificates, c.ca] } : {}),
            ...(c.tlsClientCert ? { cert: c.tlsClientCert } : {}),
            ...(c.tlsClientKey ? { key: c.tlsClientKey } : {}),
          },
        }
      : {}),
  });
}

/** Wharf's own client for an http: address; undefined for https: or when it is turned off. */
export function buildRawPool(c: TransportConfig, enabled = RAW_CLIENT): SocketPool | undefined {
  if (!enabled) return undefined;
  const url = new URL(c.address);
  if (url.protocol !== 'http:') return undefined;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return new SocketPool({
    host,
    port: url.port ? Number(url.port) : 80,
    hostHeader: url.host,
    connections: c.poolSize,
    connectTimeoutMs: Math.max(10_000, c.timeoutMs),
  });
}

export class PoolHolder {
  private pool: Pool;
  private rawPool: SocketPool | undefined;
  private key: string;
  private readonly retired = new Set<Pool | SocketPool>();

  constructor(
    config: TransportConfig,
    private readonly drainMs = 30_000,
    private readonly rawEnabled = RAW_CLIENT,
  ) {
    this.pool = buildPool(config);
    this.rawPool = buildRawPool(config, rawEnabled);
    this.key = poolKey(config);
  }

  get current(): Pool {
    return this.pool;
  }

  /** Wharf's client for buffered requests: set for http: addresses (unless turned off). */
  get raw(): SocketPool | undefined {
    return this.rawPool;
  }

  /** Pools replaced by `update` that are still finishing their in-flight requests. */
  get draining(): number {
    return this.retired.size;
  }

  /** Swaps in a new Pool when the settings it depends on changed; returns true if it did. */
  update(config: TransportConfig): boolean {
    const key = poolKey(config);
    if (key === this.key) return false;
    const old = this.pool;
    const oldRaw = this.rawPool;
    this.pool = buildPool(config);
    this.rawPool = buildRawPool(config, this.rawEnabled);
    this.key = key;
    this.retire(old);
    if (oldRaw) this.retire(oldRaw);
    return true;
  }

  private retire(p: Pool | SocketPool): void {
    this.retired.add(p);
    void closeAny(p, this.drainMs).finally(() => this.retired.delete(p));
  }

  /** Closes every pool; requests still running after `ms` are cut off. */
  async close(ms: number): Promise<void> {
    const all: (Pool | SocketPool)[] = [this.pool, ...this.retired];
    if (this.rawPool) all.push(this.rawPool);
    await Promise.all(all.map((p) => closeAny(p, ms)));
  }
}

function closeAny(p: Pool | SocketPool, ms: number): Promise<void> {
  return p instanceof SocketPool ? p.close(ms) : closeBounded(p, ms);
}

async function closeBounded(pool: Pool, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'late'>((r) => {
    timer = setTimeout(() => r('late'), ms);
  });
  try {
    const r = await Promise.race([pool.close().then(() => 'ok' as const), limit]);
    if (r === 'late') await pool.destroy().catch(() => undefined);
  } catch {
    await pool.destroy().catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
}
