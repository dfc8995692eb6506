/**
 * The undici Pool behind a connection. Address, pool size and TLS settings are fixed per Pool, so a
 * change of any of them builds a new Pool; the old one closes gracefully (in-flight requests finish on
 * it) and is destroyed if that takes longer than the drain limit.
 */
import { rootCertificates } from 'node:tls';
import { Pool } from 'undici';
import type { TransportConfig } from './fields.js';

/** Settings a Pool is built from; any change means a new Pool. */
export function poolKey(c: TransportConfig): string {
  return JSON.stringify([new URL(c.address).origin, c.poolSize, c.validateCert, c.ca ?? '', c.tlsClientCert ?? '', c.tlsClientKey ?? '']);
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

export class PoolHolder {
  private pool: Pool;
  private key: string;
  private readonly retired = new Set<Pool>();

  constructor(
    config: TransportConfig,
    private readonly drainMs = 30_000,
  ) {
    this.pool = buildPool(config);
    this.key = poolKey(config);
  }

  get current(): Pool {
    return this.pool;
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
    this.pool = buildPool(config);
    this.key = key;
    this.retired.add(old);
    void closeBounded(old, this.drainMs).finally(() => this.retired.delete(old));
    return true;
  }

  /** Closes every Pool; requests still running after `ms` are cut off. */
  async close(ms: number): Promise<void> {
    const all = [this.pool, ...this.retired];
    await Promise.all(all.map((p) => closeBounded(p, ms)));
  }
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
