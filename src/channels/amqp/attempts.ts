/**
 * Counting delivery attempts. RabbitMQ classic queues only say `redelivered: true`, not how often,
 * so a failed message is republished to the tail of its queue with `x-wharf-attempts` = failures so
 * far and the original is acked once the broker confirmed the copy. The count travels with the
 * message, so it survives consumer restarts, reconnects and competing consumers in other workers
 * and servers (an in-memory count by message id would not). Quorum queues also set
 * `x-delivery-count`; the larger of the two is used.
 */

export const ATTEMPTS_HEADER = 'x-wharf-attempts';
export const DELIVERY_COUNT_HEADER = 'x-delivery-count';

function toCount(v: unknown): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) n = Number(v);
  else if (Buffer.isBuffer(v) && /^\s*\d+\s*$/.test(v.toString('latin1'))) n = Number(v.toString('latin1'));
  else if (v !== null && typeof v === 'object' && 'value' in v) return toCount((v as { value: unknown }).value);
  else return 0;
  return Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), 1_000_000) : 0;
}

/** Failed attempts recorded on a message (0 for a fresh one); garbage counts as 0. */
export function previousFailures(headers: Readonly<Record<string, unknown>> | undefined): number {
  if (!headers) return 0;
  return Math.max(toCount(headers[ATTEMPTS_HEADER]), toCount(headers[DELIVERY_COUNT_HEADER]));
}

export interface FailureInfo {
  status: number;
  code: string;
  message: string;
}

export type FailureDecision =
  { action: 'retry'; failures: number } | { action: 'dead-letter'; failures: number; reason: string };

/**
 * What to do after a failed attempt. Bad input (status < 500) is dead-lettered at once: retrying the
 * same bytes cannot help. A failed service (5xx, timeouts) is retried until it failed
 * `maxRedeliveries + 1` times in all, then dead-lettered.
 */
export function decideOnFailure(previous: number, maxRedeliveries: number, err: FailureInfo): FailureDecision {
  const failures = previous + 1;
  if (err.status < 500)
    return {
      action: 'dead-letter',
      failures,
      reason: `rejected as bad input (${err.status} ${err.code}): ${err.message}`,
    };
  if (failures > maxRedeliveries) {
    return {
      action: 'dead-letter',
      failures,
      reason: `service failed ${failures} time(s), the limit is ${maxRedeliveries} redelivery(ies); last error ${err.status} ${err.code}: ${err.message}`,
    };
  }
  return { action: 'retry', failures };
}
