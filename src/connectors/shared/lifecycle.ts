/**
 * Lifecycle mechanics shared by connectors: running start/reconfigure/stop work one step at a time,
 * bounded waits that never leave a timer behind, closing retired clients in the background, and the
 * one-client skeleton of the MQTT and ZeroMQ outgoing connectors.
 */
import type { ConnectorHealth } from '../types.js';

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

/**
 * The skeleton of an outgoing connector that sends through one client at a time (MQTT publisher,
 * ZeroMQ socket): new → running → stopped; {@link use} keeps the current client while its key is the
 * same, else opens a new one and closes the old one in the background (sends in flight finish there);
 * {@link stop} closes the last one and waits for every close.
 */
export class ClientLifecycle<C> {
  #state: 'new' | 'running' | 'stopped' = 'new';
  #client: C | undefined;
  #key: string | undefined;
  readonly #retiring = new Retiring();

  /** `close` ends a retired client (bounded by the connector's own grace); its failures go to `onCloseError`. */
  constructor(
    private readonly close: (client: C) => Promise<void>,
    private readonly onCloseError: (e: unknown) => void = () => undefined,
  ) {}

  get running(): boolean {
    return this.#state === 'running';
  }

  /** The client to send through: only while running. */
  get client(): C | undefined {
    return this.#state === 'running' ? this.#client : undefined;
  }

  /** new → running; false (nothing to do) when it was started or stopped before. */
  start(): boolean {
    if (this.#state !== 'new') return false;
    this.#state = 'running';
    return true;
  }

  /** While running: keeps the current client if it was opened for `key`, else opens one with `open`. */
  use(key: string, open: () => C): void {
    if (this.#state !== 'running') return;
    if (this.#client !== undefined && this.#key === key) return;
    this.retire();
    this.#client = open();
    this.#key = key;
  }

  /** Lets go of the current client, which closes in the background. */
  retire(): void {
    const old = this.#client;
    this.#client = undefined;
    this.#key = undefined;
    if (old !== undefined) this.#retiring.add(this.close(old).catch(this.onCloseError));
  }

  /** Closes the current client and waits for every close still running. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.retire();
    await this.#retiring.settled();
  }

  /** stopped; down with `problem` when there is one; else the client's own health, or starting. */
  health(of: (client: C) => ConnectorHealth, problem?: string): ConnectorHealth {
    if (this.#state === 'stopped') return { status: 'stopped' };
    if (problem) return { status: 'down', detail: problem };
    return this.#client !== undefined ? of(this.#client) : { status: 'starting' };
  }
}
