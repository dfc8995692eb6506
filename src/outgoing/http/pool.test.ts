import { describe, expect, it } from 'vitest';
import type { TransportConfig } from './fields.js';
import { PoolHolder } from './pool.js';
import { SocketPool } from './raw/socket-pool.js';

const cfg = (over: Partial<TransportConfig> = {}): TransportConfig =>
  ({ address: 'http://127.0.0.1:9/api', poolSize: 3, timeoutMs: 1000, validateCert: true, ...over }) as TransportConfig;

describe('PoolHolder', () => {
  it('holds a raw SocketPool for http: addresses only, unless turned off', async () => {
    const h = new PoolHolder(cfg());
    expect(h.raw).toBeInstanceOf(SocketPool);
    expect(h.raw!.max).toBe(3);
    expect(h.raw!.hostLine).toBe('host: 127.0.0.1:9\r\n');
    const tls = new PoolHolder(cfg({ address: 'https://example.com' }));
    expect(tls.raw).toBeUndefined();
    const off = new PoolHolder(cfg(), 30_000, false);
    expect(off.raw).toBeUndefined();
    const v6 = new PoolHolder(cfg({ address: 'http://[::1]/x' }));
    expect(v6.raw!.host).toBe('::1');
    expect(v6.raw!.port).toBe(80);
    expect(v6.raw!.hostLine).toBe('host: [::1]\r\n');
    await Promise.all([h.close(10), tls.close(10), off.close(10), v6.close(10)]);
  });

  it('replaces the raw pool exactly when the undici pool is replaced', async () => {
    const h = new PoolHolder(cfg(), 50);
    const raw = h.raw;
    const undici = h.current;
    expect(h.update(cfg({ timeoutMs: 5000 }))).toBe(false);
    expect(h.raw).toBe(raw);
    expect(h.update(cfg({ poolSize: 5 }))).toBe(true);
    expect(h.raw).not.toBe(raw);
    expect(h.current).not.toBe(undici);
    expect(h.raw!.max).toBe(5);
    expect(h.update(cfg({ address: 'https://example.com', poolSize: 5 }))).toBe(true);
    expect(h.raw).toBeUndefined();
    await h.close(10);
    expect(h.draining).toBe(0);
  });
});
