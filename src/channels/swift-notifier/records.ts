/**
 * What the notifier remembers per object in its persistent state (shared by the cluster's servers):
 * `done:<container>/<name>` — processed (afterSuccess `keep`, or a delete/move still to be done);
 * `fail:<container>/<name>` — failed invocations so far and when to try again.
 */

export interface DoneRecord {
  etag: string;
  /** ISO time the service succeeded. */
  at: string;
  /** The after-success action failed and is retried on the next tick, without invoking again. */
  pending?: 'delete' | 'move';
  /** The ETag Swift gave when the object was fetched (differs from the listing's for large objects). */
  contentEtag?: string;
}

export interface FailRecord {
  etag: string;
  count: number;
  /** ms since epoch; not retried before. */
  nextAt: number;
  error: string;
}

/** Retry delays never exceed this (ms). */
export const MAX_RETRY_DELAY_MS = 3_600_000;

export const doneKey = (container: string, name: string): string => `done:${container}/${name}`;
export const failKey = (container: string, name: string): string => `fail:${container}/${name}`;

/** `{ kind, container, name }` of a state key, or undefined for keys this notifier did not write. */
export function parseKey(key: string): { kind: 'done' | 'fail'; container: string; name: string } | undefined {
  const m = /^(done|fail):([^/]+)\/(.*)$/s.exec(key);
  return m ? { kind: m[1] as 'done' | 'fail', container: m[2]!, name: m[3]! } : undefined;
}

export function isDoneRecord(v: unknown): v is DoneRecord {
  return typeof v === 'object' && v !== null && typeof (v as DoneRecord).etag === 'string';
}

export function isFailRecord(v: unknown): v is FailRecord {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as FailRecord).etag === 'string' &&
    typeof (v as FailRecord).count === 'number'
  );
}

/**
 * When a failed object may be tried again: about `interval × 2^(count-1)` after the failure, so the next
 * tick after the first failure, then every 2nd, 4th, 8th... tick (capped at an hour).
 */
export function nextAttemptAt(now: number, intervalMs: number, count: number): number {
  return now + Math.min(MAX_RETRY_DELAY_MS, intervalMs * 2 ** Math.min(count - 1, 30) * 0.9);
}
