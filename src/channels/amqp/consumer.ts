/**
 * One consumer of one queue on one AmqpConnection: opens a confirm channel (confirms cover the
 * republish and dead-letter copies), checks the queue, sets prefetch and consumes; reopens with
 * backoff after the broker closes the channel or cancels the consumer, and after every reconnect.
 * `drain` cancels the consumer, lets messages in progress finish (bounded) and closes the channel,
 * so anything unacked goes back to the queue.
 */
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { backoffDelay } from '../../connectors/amqp/backoff.js';
import type { AmqpConnection } from '../../connectors/amqp/connection.js';
import { Publisher } from '../../connectors/amqp/publisher.js';
import { errorMessage, settleWithin, withTimeout } from '../../connectors/amqp/time.js';
import type { ServiceLogger } from '../../service/service.js';
import type { DeliveryIO } from './process.js';

export interface ConsumerSettings {
  queue: string;
  prefetch: number;
  consumerTag: string;
  /** For logs: `channel orders`. */
  label: string;
}

export type DeliveryHandler = (msg: ConsumeMessage, io: DeliveryIO) => Promise<unknown>;

export type ConsumerState = 'waiting' | 'consuming' | 'failed' | 'closed';

interface Current {
  ch: ConfirmChannel;
  pub: Publisher;
  tag: string | undefined;
}

const RPC_TIMEOUT_MS = 5_000;

export class AmqpConsumer {
  #state: ConsumerState = 'waiting';
  #lastError: Error | undefined;
  #current: Current | undefined;
  #opening: Promise<void> | undefined;
  #draining = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryAttempt = 0;
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();
  readonly #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly conn: AmqpConnection,
    readonly settings: ConsumerSettings,
    private readonly handler: DeliveryHandler,
    private readonly logger: ServiceLogger,
  ) {}

  get state(): ConsumerState {
    return this.#state;
  }
  get lastError(): Error | undefined {
    return this.#lastError;
  }
  get inflight(): number {
    return this.#inflight.size;
  }

  start(): void {
    this.#unsubscribe.push(
      this.conn.onUp((m) => this.#open(m)),
      this.conn.onDown(() => {
        if (this.#state === 'consuming') this.#state = 'waiting';
        if (this.#retryTimer) clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
      }),
    );
    const m = this.conn.model;
    if (m && this.conn.state === 'up') this.#open(m);
  }

  #open(model: ChannelModel): void {
    if (this.#draining || this.#opening || this.#current) return;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#opening = this.#doOpen(model).finally(() => {
      this.#opening = undefined;
    });
  }

  async #doOpen(model: ChannelModel): Promise<void> {
    const { queue, prefetch, consumerTag, label } = this.settings;
    let ch: ConfirmChannel | undefined;
    try {
      ch = await model.createConfirmChannel();
      const channel = ch;
      const pub = new Publisher(channel, true);
      channel.on('close', () => this.#onChannelClose(channel));
      await channel.checkQueue(queue);
      await channel.prefetch(prefetch);
      if (this.#draining) throw new Error('stopping');
      const current: Current = { ch: channel, pub, tag: undefined };
      this.#current = current;
      const ok = await channel.consume(queue, (msg) => this.#onMessage(current, msg), { consumerTag });
      current.tag = ok.consumerTag;
      if (this.#draining) return;
      if (this.#retryAttempt > 0 || this.#lastError) this.logger.info(`AMQP ${label}: consuming queue ${queue} again`);
      this.#state = 'consuming';
      this.#retryAttempt = 0;
      this.#lastError = undefined;
    } catch (e) {
      if (this.#draining) {
        if (ch && this.#current?.ch !== ch) await closeQuietly(ch);
        return;
      }
      this.#lastError = e instanceof Error ? e : new Error(String(e));
      this.#state = 'failed';
      if (this.#current?.ch === ch) this.#current = undefined;
      if (ch) await closeQuietly(ch);
      this.#scheduleRetry(`cannot consume queue ${queue}`);
    }
  }

  #onChannelClose(ch: ConfirmChannel): void {
    const cur = this.#current;
    if (!cur || cur.ch !== ch) return;
    this.#current = undefined;
    if (this.#draining) return;
    this.#state = 'waiting';
    this.#lastError = cur.pub.channelError ?? this.#lastError ?? new Error('channel closed');
    // After a lost connection the connection's `up` reopens us; a channel closed by the broker alone
    // (e.g. a failed ack) is reopened here. The connection closes its channels before it reports
    // itself closed, so look again once that news is in.
    setImmediate(() => {
      if (!this.#draining && !this.#current && this.conn.state === 'up') this.#scheduleRetry('channel closed');
    });
  }

  #scheduleRetry(why: string): void {
    if (this.#draining || this.#retryTimer) return;
    this.#retryAttempt++;
    const d = this.conn.definition;
    const delay = backoffDelay(this.#retryAttempt, { initialMs: d.reconnectDelayMs, maxMs: d.reconnectMaxDelayMs });
    const log = this.#retryAttempt === 1 || this.#retryAttempt % 10 === 0 ? this.logger.warn : this.logger.debug;
    log.call(this.logger, `AMQP ${this.settings.label}: ${why}; retrying`, {
      queue: this.settings.queue,
      error: this.#lastError?.message,
      attempt: this.#retryAttempt,
      delayMs: delay,
    });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      const m = this.conn.model;
      if (m && this.conn.state === 'up') this.#open(m);
    }, delay);
  }

  #onMessage(current: Current, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (queue deleted, node going away); open again later.
      this.#lastError = new Error(`the broker cancelled the consumer of queue ${this.settings.queue} (deleted?)`);
      if (this.#current === current && !this.#draining) {
        this.#current = undefined;
        this.#state = 'failed';
        void closeQuietly(current.ch);
        this.#scheduleRetry('consumer cancelled by the broker');
      }
      return;
    }
    // Not started while draining: it stays unacked and returns to the queue when the channel closes.
    if (this.#draining) return;
    const { ch, pub } = current;
    const io: DeliveryIO = {
      ack: () => {
        if (pub.closed) return false;
        try {
          ch.ack(msg);
          return true;
        } catch {
          return false;
        }
      },
      nack: (requeue) => {
        if (pub.closed) return false;
        try {
          ch.nack(msg, false, requeue);
          return true;
        } catch {
          return false;
        }
      },
      publish: (exchange, routingKey, body, options, mandatory) =>
        pub.publish(exchange, routingKey, body, options, mandatory),
      signal: this.#abort.signal,
    };
    const p: Promise<unknown> = this.handler(msg, io)
      .catch((e: unknown) => {
        this.logger.error(`AMQP ${this.settings.label}: message handling failed unexpectedly; requeueing it`, {
          error: errorMessage(e),
        });
        io.nack(true);
      })
      .finally(() => this.#inflight.delete(p));
    this.#inflight.add(p);
  }

  /** Stops consuming, waits up to `timeoutMs` for messages in progress, closes the channel. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#state === 'closed') return;
    this.#draining = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    for (const u of this.#unsubscribe.splice(0)) u();
    if (this.#opening) await settleWithin([this.#opening], RPC_TIMEOUT_MS);
    const cur = this.#current;
    if (cur?.tag !== undefined && !cur.pub.closed) {
      try {
        await withTimeout(cur.ch.cancel(cur.tag), RPC_TIMEOUT_MS, () => new Error('cancel timed out'));
      } catch {
        // the channel is gone or stuck: closing it below returns its messages either way
      }
    }
    // Messages waiting to be retried stop waiting and are republished (with their count) right away.
    this.#abort.abort();
    const pending = this.#inflight.size;
    if (pending > 0 && !(await settleWithin(this.#inflight, timeoutMs))) {
      this.logger.warn(
        `AMQP ${this.settings.label}: ${this.#inflight.size} of ${pending} message(s) still in progress after ${timeoutMs} ms; they return to the queue`,
      );
    }
    this.#current = undefined;
    if (cur)
      await withTimeout(cur.pub.close(), RPC_TIMEOUT_MS, () => new Error('close timed out')).catch(() => undefined);
    this.#state = 'closed';
  }
}

async function closeQuietly(ch: ConfirmChannel): Promise<void> {
  try {
    await withTimeout(ch.close(), RPC_TIMEOUT_MS, () => new Error('close timed out'));
  } catch {
    // already closed (e.g. by the broker's 404) or the connection is gone
  }
}
