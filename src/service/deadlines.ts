/**
 * Channel timeouts without a timer per request: in-flight invocations sit in a set that one
 * interval sweeps (every `resolutionMs`), so a deadline fires at most that much late. At thousands of
 * requests a second this costs a set insert and delete instead of a timer each.
 */
export interface Deadline {
  readonly at: number;
  expire(): void;
}

export class DeadlineSweeper {
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly resolutionMs = 50) {}

  add(d: Deadline): void {
    this.pending.add(d);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.resolutionMs);
      this.timer.unref();
    }
  }

  delete(d: Deadline): void {
    this.pending.delete(d);
  }

  private sweep(): void {
    if (this.pending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = Date.now();
    for (const d of this.pending) {
      if (d.at <= now) {
        this.pending.delete(d);
        d.expire();
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
