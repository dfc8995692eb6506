/**
 * Redelivery accounting. RabbitMQ never sets `delivery-count` and a released message comes straight back,
 * so the channel counts failed attempts itself, per message-id (or body hash), in a bounded map. Brokers
 * that do count (Artemis, Qpid, IBM MQ) are honoured: the higher of both counts wins.
 */
import type { WharfError } from '../../errors.js';

export class RedeliveryTracker {
  private readonly counts = new Map<string, number>();

  /** `maxEntries` bounds memory when many distinct messages keep failing; the oldest entries go first. */
  constructor(private readonly maxEntries = 10_000) {}

  /** Records a failed attempt and returns the number of failed attempts of this message so far. */
  fail(key: string, brokerDeliveryCount?: number): number {
    const prior = Math.max(
      this.counts.get(key) ?? 0,
      typeof brokerDeliveryCount === 'number' && brokerDeliveryCount > 0 ? brokerDeliveryCount : 0,
    );
    const n = prior + 1;
    this.counts.delete(key);
    this.counts.set(key, n);
    while (this.counts.size > this.maxEntries) {
      const oldest = this.counts.keys().next().value;
      if (oldest === undefined) break;
      this.counts.delete(oldest);
    }
    return n;
  }

  /** Failed attempts recorded for `key` (0 if none). */
  failures(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** The message was accepted or rejected: forget it. */
  forget(key: string): void {
    this.counts.delete(key);
  }

  get size(): number {
    return this.counts.size;
  }
}

export type Decision =
  { outcome: 'reject'; condition: string; reason: string } | { outcome: 'release'; reason: string; attempt: number };

const DECODE_ERRORS = new Set([
  'WHARF_ERR_MALFORMED_BODY',
  'WHARF_ERR_TOO_DEEP',
  'WHARF_ERR_DTD_FORBIDDEN',
  'WHARF_ERR_SOAP_NO_BODY',
  'WHARF_ERR_BODY_TOO_LARGE',
  'WHARF_ERR_UNSUPPORTED_MEDIA_TYPE',
]);

/**
 * What to do with a message whose service call failed. A 4xx means bad input: retrying cannot help, so
 * it is rejected at once (dead-lettered if the queue has a DLX). A 5xx is released for redelivery until
 * `failures` (counting this one) exceeds `maxRedeliveries`, then rejected: maxRedeliveries 5 = 6 attempts.
 */
export function decide(
  err: Pick<WharfError, 'status' | 'code' | 'message'>,
  failures: number,
  maxRedeliveries: number,
): Decision {
  if (err.status < 500) {
    return {
      outcome: 'reject',
      condition: DECODE_ERRORS.has(err.code) ? 'amqp:decode-error' : 'amqp:precondition-failed',
      reason: `bad input (${err.code}, ${err.status}): ${err.message}`,
    };
  }
  if (failures > maxRedeliveries) {
    return {
      outcome: 'reject',
      condition: 'amqp:internal-error',
      reason: `gave up after ${failures} failed attempts (maxRedeliveries ${maxRedeliveries}); last error ${err.code}: ${err.message}`,
    };
  }
  return {
    outcome: 'release',
    attempt: failures,
    reason: `attempt ${failures} of ${maxRedeliveries + 1} failed (${err.code}): ${err.message}`,
  };
}
