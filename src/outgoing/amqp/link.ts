/**
 * An outgoing connection's link to the broker: one AmqpConnection and one publishing channel (a
 * confirm channel unless confirms are off), opened on first use and again after it was lost.
 */
import { AmqpConnection } from '../../connectors/amqp/connection.js';
import type { AmqpDefinition } from '../../connectors/amqp/definition.js';
import { Publisher } from '../../connectors/amqp/publisher.js';
import { settleWithin, withTimeout } from '../../connectors/amqp/time.js';
import { WharfError } from '../../errors.js';
import type { ServiceLogger } from '../../service/service.js';

export class PublishLink {
  readonly conn: AmqpConnection;
  #pub: Publisher | undefined;
  #opening: Promise<Publisher> | undefined;
  readonly #inflight = new Set<Promise<unknown>>();

  constructor(
    def: AmqpDefinition,
    label: string,
    logger: ServiceLogger,
    readonly confirms: boolean,
    readonly key: string,
  ) {
    this.conn = new AmqpConnection(def, label, logger);
  }

  start(): void {
    this.conn.start();
  }

  /** An open publisher, waiting for a (re)connection until `deadline` (epoch ms). */
  publisher(deadline: number): Promise<Publisher> {
    const pub = this.#pub;
    if (pub && !pub.closed) return Promise.resolve(pub);
    this.#opening ??= this.#open(deadline).finally(() => {
      this.#opening = undefined;
    });
    const left = deadline - Date.now();
    return withTimeout(
      this.#opening,
      left,
      () =>
        new WharfError('WHARF_ERR_UPSTREAM_TIMEOUT', [
          `AMQP ${this.conn.label}: no channel to ${this.conn.target} within the send timeout`,
        ]),
    );
  }

  async #open(deadline: number): Promise<Publisher> {
    const model = await this.conn.waitUp(deadline - Date.now());
    const ch = this.confirms ? await model.createConfirmChannel() : await model.createChannel();
    const pub = new Publisher(ch, this.confirms);
    this.#pub = pub;
    return pub;
  }

  /** Tracks a publish so `close` can let it finish first. */
  track<T>(p: Promise<T>): Promise<T> {
    this.#inflight.add(p);
    const done = (): void => {
      this.#inflight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /** Waits (bounded) for publishes under way, then closes the channel and the connection. */
  async close(drainMs: number): Promise<void> {
    if (this.#inflight.size > 0) await settleWithin(this.#inflight, drainMs);
    const pub = this.#pub;
    this.#pub = undefined;
    if (pub) await withTimeout(pub.close(), 2_000, () => new Error('close timed out')).catch(() => undefined);
    await this.conn.close();
  }
}
