/** Redis connections for the cluster: one config, fail-fast command clients, reconnect forever. */
import { createClient, type RedisClientType } from 'redis';

export interface RedisConfig {
  host: string;
  port: number;
  password?: string | undefined;
}

/** Redis keys and channels of one cluster start with this (several clusters may share a Redis). */
export function clusterPrefix(clusterName: string): string {
  return `wharf:${clusterName}:`;
}

export function redisClient(cfg: RedisConfig, opts: { failFast?: boolean; name?: string } = {}): RedisClientType {
  const client = createClient({
    socket: {
      host: cfg.host,
      port: cfg.port,
      connectTimeout: 3000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
    ...(cfg.password ? { password: cfg.password } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    // A command while disconnected fails at once instead of waiting for the reconnect.
    ...(opts.failFast ? { disableOfflineQueue: true } : {}),
  }) as RedisClientType;
  client.on('error', () => undefined);
  return client;
}

/** PING and the server's version (for `wharf start` checks): throws with a readable message. */
export async function pingRedis(cfg: RedisConfig, timeoutMs = 3000): Promise<{ version: string }> {
  const client = createClient({
    socket: { host: cfg.host, port: cfg.port, connectTimeout: timeoutMs, reconnectStrategy: false },
    ...(cfg.password ? { password: cfg.password } : {}),
  });
  let lastError: unknown;
  client.on('error', (e: unknown) => (lastError = e));
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${String(pong)}`);
    const info = await client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    return { version };
  } catch (e) {
    const err = (e instanceof Error ? e : lastError instanceof Error ? lastError : undefined) as
      (Error & { code?: string }) | undefined;
    throw new Error(
      `Redis ${cfg.host}:${cfg.port}: ${err?.code ?? ''} ${err?.message ?? String(e)}`.replace(/\s+/g, ' ').trim(),
    );
  } finally {
    await client.close().catch(() => client.destroy());
  }
}

/** true when `version` (x.y.z) is at least `min`. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
