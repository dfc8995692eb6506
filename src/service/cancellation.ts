/**
 * A service's cancellation, without the cost of an AbortController per request: the controller is
 * made only when a service reads `this.signal` (most never do).
 */
export class Cancellation {
  private controller: AbortController | undefined;
  private reason: unknown;
  aborted = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** A signal that never aborts. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
