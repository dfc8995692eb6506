/**
 * Counts delivery attempts of unacknowledged QoS 1 messages across redeliveries (pure, unit-tested).
 * The broker redelivers an unacknowledged message on reconnect with its original packet id, so
 * topic + packet id + payload size identify it; an entry is dropped once the message is acked.
 */

export interface DeliveryKey {
  topic: string;
  messageId: number | undefined;
  size: number;
}

export class DeliveryCounter {
  private readonly attempts = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000) {}

  private key(k: DeliveryKey): string {
    return `${k.messageId ?? '-'}\u0000${k.size}\u0000${k.topic}`;
  }

  /** Attempts made so far (0 for a message never tried). */
  get(k: DeliveryKey): number {
    return this.attempts.get(this.key(k)) ?? 0;
  }

  /** Records one more attempt; returns the new count. */
  failed(k: DeliveryKey): number {
    const key = this.key(k);
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.delete(key);
    this.attempts.set(key, n);
    if (this.attempts.size > this.maxEntries) {
      const oldest = this.attempts.keys().next().value;
      if (oldest !== undefined) this.attempts.delete(oldest);
    }
    return n;
  }

  /** The message was acked: forget it (its packet id will be reused). */
  done(k: DeliveryKey): void {
    this.attempts.delete(this.key(k));
  }

  get size(): number {
    return this.attempts.size;
  }
}

/** Delay before the broker is asked to redeliver after attempt `attempt` (1-based): doubling, capped. */
export function redeliveryDelay(attempt: number, baseMs: number, maxMs = 60_000): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 30));
}
