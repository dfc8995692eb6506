/**
 * The cluster's broker: Redis pub/sub on one channel per cluster (`wharf:<cluster>:config-changed`;
 * several clusters may share one Redis). A reconnect tells the runtime to resync from the ODB,
 * since messages published while disconnected are gone. Publishing never waits for a reconnect:
 * a version that could not be published is published again as soon as the publisher reconnects
 * (the latest one only), so a server whose subscriber came back before this publisher did does not
 * wait for its next ODB poll.
 */
import type { RedisClientType } from 'redis';
import { redisClient } from '../redis/connect.js';
import type { Broker } from './types.js';

/** The channel of a cluster whose key prefix is `prefix` (the un-namespaced one without). */
export const CHANNEL = 'wharf:config-changed';
export const channelOf = (prefix?: string): string => (prefix ? `${prefix}config-changed` : CHANNEL);

export interface RedisBrokerConfig {
  host: string;
  port: number;
  password?: string | undefined;
  /** The cluster's key prefix (`clusterPrefix(name)`). */
  prefix?: string | undefined;
}

export class RedisBroker implements Broker {
  private listeners = new Set<(version: number) => void>();
  private reconnectListeners = new Set<() => void>();
  /** The latest version whose publish failed, published again on the publisher's reconnect. */
  private unpublished: number | undefined;

  private constructor(
    private readonly pub: RedisClientType,
    private readonly sub: RedisClientType,
    readonly channel: string,
  ) {}

  static async connect(cfg: RedisBrokerConfig): Promise<RedisBroker> {
    const pub = redisClient(cfg, { failFast: true });
    const sub = redisClient(cfg);
    const broker = new RedisBroker(pub, sub, channelOf(cfg.prefix));
    let first = true;
    sub.on('ready', () => {
      if (first) {
        first = false;
        return;
      }
      for (const l of broker.reconnectListeners) l();
    });
    pub.on('ready', () => void broker.republish());
    await pub.connect();
    await sub.connect();
    await sub.subscribe(broker.channel, (msg) => {
      const v = Number(msg);
      if (Number.isFinite(v)) for (const l of broker.listeners) l(v);
    });
    return broker;
  }

  async publish(version: number): Promise<void> {
    try {
      await this.pub.publish(this.channel, String(version));
    } catch {
      // Redis is away: published again on reconnect; meanwhile the other servers' ODB polls carry it.
      this.unpublished = Math.max(this.unpublished ?? version, version);
    }
  }

  private async republish(): Promise<void> {
    const version = this.unpublished;
    if (version === undefined) return;
    this.unpublished = undefined;
    await this.publish(version);
  }

  subscribe(listener: (version: number) => void): void {
    this.listeners.add(listener);
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.add(listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sub.close(), this.pub.close()]);
  }
}
