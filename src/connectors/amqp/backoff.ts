/** Exponential backoff with jitter for reconnect attempts (pure). */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Fraction of the delay randomised either way (0–1); default 0.2. */
  jitter?: number;
}

/** Delay before reconnect attempt `attempt` (1-based): initial·factor^(attempt-1), capped, ± jitter. */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const factor = opts.factor ?? 2;
  const jitter = Math.min(Math.max(opts.jitter ?? 0.2, 0), 1);
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.min(opts.maxMs, opts.initialMs * Math.pow(factor, Math.min(n - 1, 60)));
  const spread = base * jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(opts.maxMs, Math.round(base + spread)));
}
