/**
 * The cluster's broker: Redis pub/sub on one channel. A reconnect tells the runtime to resync from
 * the ODB, since messages published while disconnected are gone.
 */
import { createClient, type RedisClientType } from 'redis';
import type { Broker } from './types.js';

export const CHANNEL = 'wharf:config-changed';

export interface RedisBrokerConfig {
  host: string;
  port: number;
  password?: string | undefined;
}

export class RedisBroker implements Broker {
  private listeners = new Set<(version: number) => void>();
  private reconnectListeners = new Set<() => void>();

  private constructor(
    private readonly pub: RedisClientType,
    private readonly sub: RedisClientType,
  ) {}

  static async connect(cfg: RedisBrokerConfig): Promise<RedisBroker> {
    const opts = {
      socket: { host: cfg.host, port: cfg.port, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 3000) },
      ...(cfg.password ? { password: cfg.password } : {}),
    };
    const pub = createClient(opts) as RedisClientType;
    const sub = pub.duplicate() as RedisClientType;
    const broker = new RedisBroker(pub, sub);
    pub.on('error', () => undefined);
    sub.on('error', () => undefined);
    let first = true;
    sub.on('ready', () => {
      if (first) {
        first = false;
        return;
      }
      for (const l of broker.reconnectListeners) l();
    });
    await pub.connect();
    await sub.connect();
    await sub.subscribe(CHANNEL, (msg) => {
      const v = Number(msg);
      if (Number.isFinite(v)) for (const l of broker.listeners) l(v);
    });
    return broker;
  }

  async publish(version: number): Promise<void> {
    try {
      await this.pub.publish(CHANNEL, String(version));
    } catch {
      /* Redis is down: the other servers' polls pick the change up from the ODB */
    }
  }

  subscribe(listener: (version: number) => void): void {
    this.listeners.add(listener);
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.add(listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}
