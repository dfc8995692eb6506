/**
 * One AMQP connection for one connector instance: connects, reconnects with exponential backoff
 * when the broker drops it (or is not there yet), heartbeats (amqplib, from the definition) and
 * TLS. Users listen for `up` to (re)open their channels; `waitUp` lets a caller wait, bounded, for
 * a live connection. Each channel and outgoing connection owns its own AmqpConnection: consumers
 * and publishers on separate TCP connections is RabbitMQ's advice (flow control of publishers never
 * stalls consumers), and a broker-side error on one object never disturbs another.
 */
import { connect, type ChannelModel } from 'amqplib';
import { WharfError } from '../../errors.js';
import type { ServiceLogger } from '../../service/service.js';
import { backoffDelay } from './backoff.js';
import { toConnectArgs } from './connect-options.js';
import { describeDefinition, type AmqpDefinition } from './definition.js';
import { errorMessage, settleWithin, withTimeout } from './time.js';

export type AmqpConnectionState = 'idle' | 'connecting' | 'up' | 'down' | 'closed';

interface Waiter {
  resolve(m: ChannelModel): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

const CLOSE_TIMEOUT_MS = 2_000;

export class AmqpConnection {
  #state: AmqpConnectionState = 'idle';
  #model: ChannelModel | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #lastError: Error | undefined;
  #blocked: string | undefined;
  #everUp = false;
  #connecting: Promise<void> | undefined;
  readonly #up = new Set<(m: ChannelModel) => void>();
  readonly #down = new Set<(e: Error) => void>();
  readonly #waiters = new Set<Waiter>();

  constructor(
    readonly definition: AmqpDefinition,
    /** What this connection is for, e.g. `channel orders`; used in logs and the broker's connection name. */
    readonly label: string,
    private readonly logger: ServiceLogger,
  ) {}

  get state(): AmqpConnectionState {
    return this.#state;
  }
  get model(): ChannelModel | undefined {
    return this.#model;
  }
  get lastError(): Error | undefined {
    return this.#lastError;
  }
  /** The broker's reason when it blocks publishers (memory/disk alarm), else undefined. */
  get blocked(): string | undefined {
    return this.#blocked;
  }
  get everUp(): boolean {
    return this.#everUp;
  }
  get target(): string {
    return describeDefinition(this.definition);
  }

  /** Called with the new ChannelModel after every (re)connect. Returns an unsubscribe function. */
  onUp(fn: (m: ChannelModel) => void): () => void {
    this.#up.add(fn);
    return () => this.#up.delete(fn);
  }
  /** Called when an established connection is lost. */
  onDown(fn: (e: Error) => void): () => void {
    this.#down.add(fn);
    return () => this.#down.delete(fn);
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#connecting = this.#connect();
  }

  /** Resolves with the live ChannelModel, waiting up to `timeoutMs` for a (re)connect. */
  waitUp(timeoutMs: number): Promise<ChannelModel> {
    if (this.#state === 'up' && this.#model) return Promise.resolve(this.#model);
    if (this.#state === 'closed') return Promise.reject(this.#inactive());
    return new Promise<ChannelModel>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(
          () => {
            this.#waiters.delete(waiter);
            const why = this.#lastError ? `: ${this.#lastError.message}` : '';
            reject(
              new WharfError('WHARF_ERR_UPSTREAM_TIMEOUT', [
                `AMQP ${this.label}: no connection to ${this.target} within ${timeoutMs} ms${why}`,
              ]),
            );
          },
          Math.max(0, timeoutMs),
        ),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Closes the connection (bounded) and stops reconnecting; waiters get WHARF_ERR_CONNECTION_INACTIVE. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(this.#inactive());
    }
    this.#waiters.clear();
    this.#up.clear();
    this.#down.clear();
    const model = this.#model;
    this.#model = undefined;
    if (model) await closeModel(model);
    // A connect attempt under way closes its own result once it sees the closed state; wait for
    // that a little, not for a whole connect timeout towards an unreachable host.
    if (this.#connecting) await settleWithin([this.#connecting], CLOSE_TIMEOUT_MS);
  }

  /** (A method, so TypeScript does not narrow the state across awaits.) */
  #closed(): boolean {
    return this.#state === 'closed';
  }

  #inactive(): WharfError {
    return new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [`AMQP ${this.label}`]);
  }

  async #connect(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'connecting';
    const { url, socket } = toConnectArgs(this.definition, this.label);
    let model: ChannelModel;
    try {
      model = await connect(url, socket);
    } catch (e) {
      if (this.#closed()) return;
      this.#lastError = e instanceof Error ? e : new Error(String(e));
      this.#state = 'down';
      this.#schedule();
      return;
    } finally {
      this.#connecting = undefined;
    }
    if (this.#closed()) {
      await closeModel(model);
      return;
    }
    model.on('error', (e: Error) => {
      this.#lastError = e;
    });
    model.on('close', (e?: Error) => this.#onClose(model, e));
    model.on('blocked', (reason: string) => {
      this.#blocked = reason || 'blocked';
      this.logger.warn(`AMQP ${this.label}: broker blocked publishing`, { reason });
    });
    model.on('unblocked', () => {
      this.#blocked = undefined;
      this.logger.info(`AMQP ${this.label}: broker unblocked publishing`);
    });
    this.#model = model;
    this.#state = 'up';
    this.#lastError = undefined;
    this.#blocked = undefined;
    if (this.#attempt > 0 || this.#everUp)
      this.logger.info(`AMQP ${this.label}: connected to ${this.target}`, { attempts: this.#attempt });
    this.#attempt = 0;
    this.#everUp = true;
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.resolve(model);
    }
    this.#waiters.clear();
    for (const fn of [...this.#up]) {
      try {
        fn(model);
      } catch (e) {
        this.logger.error(`AMQP ${this.label}: connect listener failed`, { error: errorMessage(e) });
      }
    }
  }

  #onClose(model: ChannelModel, err: Error | undefined): void {
    if (model !== this.#model) return;
    this.#model = undefined;
    this.#blocked = undefined;
    if (this.#state === 'closed') return;
    this.#state = 'down';
    this.#lastError = err ?? this.#lastError ?? new Error('connection closed by the broker');
    for (const fn of [...this.#down]) {
      try {
        fn(this.#lastError);
      } catch (e) {
        this.logger.error(`AMQP ${this.label}: disconnect listener failed`, { error: errorMessage(e) });
      }
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#state === 'closed' || this.#timer) return;
    this.#attempt++;
    const d = this.definition;
    const delay = backoffDelay(this.#attempt, { initialMs: d.reconnectDelayMs, maxMs: d.reconnectMaxDelayMs });
    const log = this.#attempt === 1 || this.#attempt % 10 === 0 ? this.logger.warn : this.logger.debug;
    log.call(this.logger, `AMQP ${this.label}: no connection to ${this.target}; retrying`, {
      error: this.#lastError?.message,
      attempt: this.#attempt,
      delayMs: delay,
    });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connecting = this.#connect();
    }, delay);
  }
}

/** Closes a ChannelModel; if the broker does not answer in time, drops the socket. */
async function closeModel(model: ChannelModel): Promise<void> {
  try {
    await withTimeout(model.close(), CLOSE_TIMEOUT_MS, () => new Error('close timed out'));
  } catch {
    const stream = (model.connection as unknown as { stream?: { destroy?(): void } }).stream;
    stream?.destroy?.();
  }
}
