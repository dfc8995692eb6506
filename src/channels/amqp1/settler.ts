/**
 * Applies settlements so that one rhea processing pass never carries two different outcomes: rhea merges
 * consecutive deliveries settled in the same tick into one disposition range with the FIRST delivery's
 * outcome (a release next to a reject becomes a reject). An outcome that differs from the one already
 * applied in this tick waits for the next macrotask (setImmediate), after rhea has written the earlier one.
 */
export type OutcomeKind = string;

export class Settler {
  private tickKind: OutcomeKind | undefined;
  private queue: Array<{ kind: OutcomeKind; apply: () => void }> = [];
  private timer: NodeJS.Immediate | undefined;

  /** `kind` names the outcome exactly (`accept`, `release`, `reject:<description>`). */
  settle(kind: OutcomeKind, apply: () => void): void {
    if (this.queue.length === 0 && (this.tickKind === undefined || this.tickKind === kind)) {
      this.tickKind = kind;
      apply();
    } else {
      this.queue.push({ kind, apply });
    }
    this.arm();
  }

  /** Settlements still waiting for a later tick. */
  get pending(): number {
    return this.queue.length;
  }

  /** Drops whatever waits (the link is gone) and cancels the timer. */
  clear(): void {
    this.queue = [];
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    this.tickKind = undefined;
  }

  private arm(): void {
    if (!this.timer) this.timer = setImmediate(() => this.next());
  }

  private next(): void {
    this.timer = undefined;
    this.tickKind = undefined;
    const first = this.queue[0];
    if (!first) return;
    this.tickKind = first.kind;
    const rest: typeof this.queue = [];
    const now: Array<() => void> = [];
    for (const item of this.queue) item.kind === first.kind ? now.push(item.apply) : rest.push(item);
    this.queue = rest;
    for (const apply of now) apply();
    this.arm();
  }
}
