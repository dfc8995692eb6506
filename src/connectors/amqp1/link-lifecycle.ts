/**
 * Mechanics shared by the AMQP 1.0 links that own their connection (the channel's consumer, the
 * outgoing connection's sender pipe): retrying a failed attach, waiting for in-flight work, closing.
 */
import type { Session } from 'rhea';

/** One pending re-attach at a time, after a fixed delay. */
export class ReattachTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly delayMs: number,
    private readonly attach: () => void,
  ) {}

  /** Schedules an attach unless one is pending already or `allowed` is false. */
  schedule(allowed: boolean): void {
    if (!allowed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attach();
    }, this.delayMs);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Waits until one of `waiters` is called (the owner calls them all when it is idle), at most `ms`. */
export async function waitIdle(waiters: Array<() => void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((r) => waiters.push(r)),
    new Promise<void>((r) => (timer = setTimeout(r, ms))),
  ]);
  clearTimeout(timer);
}

/** Closes a link and its session, ignoring errors (the connection may be gone already). */
export function closeLinkQuietly(link: { close(): void }, session: Pick<Session, 'close'>): void {
  try {
    link.close();
    session.close();
  } catch {
    /* gone with the connection */
  }
}

/** Closes a link and waits (at most 1 s) for the broker's detach, seen as `closeEvent`. */
export function closeLinkAndWait(
  link: { once(event: string, fn: () => void): unknown; close(): void },
  session: Pick<Session, 'close'>,
  closeEvent: 'receiver_close' | 'sender_close',
): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 1_000);
    link.once(closeEvent, () => {
      clearTimeout(t);
      resolve();
    });
    closeLinkQuietly(link, session);
  });
}
