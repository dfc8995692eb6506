/**
 * Lifecycle mechanics shared by connectors: running start/reconfigure/stop work one step at a time,
 * bounded waits that never leave a timer behind, and closing retired clients in the background.
 */

/** Runs lifecycle operations one after another; a failed step does not block the next. */
export class SerialQueue {
  private ops: Promise<void> = Promise.resolve();

  /** `onBackgroundError` gets the failures of {@link background} work (without it they are dropped). */
  constructor(private readonly onBackgroundError: (e: unknown) => void = () => undefined) {}

  /** Queues `fn` after everything queued so far; settles like `fn`. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.ops.then(fn);
    this.ops = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** Queues work nobody awaits; a failure goes to `onBackgroundError`, never an unhandled rejection. */
  background(fn: () => Promise<void> | void): void {
    this.run(fn).catch(this.onBackgroundError);
  }

  /** Resolves once everything queued so far has settled. */
  idle(): Promise<void> {
    return this.ops;
  }
}

/** Waits for `p` (settles like it when it is first), at most `ms`; the timer is cleared when `p` wins. */
export async function waitAtMost(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Closes still running in the background (an old client finishing its work); stop() waits for them. */
export class Retiring {
  private readonly closing = new Set<Promise<void>>();

  add(p: Promise<void>): void {
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }

  /** Resolves once every close added so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.closing]);
  }
}

/** True when `p` resolves within `ms`, false when the time runs out first (rejects like `p`); the timer is always cleared. */
export async function resolvedWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
