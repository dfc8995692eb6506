/**
 * Several brokers as one: a cluster server announces on Redis (every server) and over its own
 * node:cluster IPC (its sibling workers), so the workers of one server stay in step even while
 * Redis is away. Duplicates are harmless: a worker syncs only past the version it has applied.
 */
import type { Broker } from './types.js';

export class CompositeBroker implements Broker {
  constructor(private readonly brokers: readonly Broker[]) {}

  async publish(version: number): Promise<void> {
    await Promise.allSettled(this.brokers.map((b) => b.publish(version)));
  }

  subscribe(listener: (version: number) => void): void {
    for (const b of this.brokers) b.subscribe(listener);
  }

  onReconnect(listener: () => void): void {
    for (const b of this.brokers) b.onReconnect?.(listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.brokers.map((b) => b.close()));
  }
}
