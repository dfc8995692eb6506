/**
 * Publishing on one AMQP channel with an answer per message: with publisher confirms the promise
 * resolves on the broker's ack and rejects on a nack, on a `mandatory` message the broker could not
 * route (basic.return), or when the channel closes first. Returns are matched to their publish by a
 * header carrying a per-message id.
 */
import { randomUUID } from 'node:crypto';
import type { Channel, ConfirmChannel, Message, Options } from 'amqplib';
import { errorMessage } from './time.js';

export const PUBLISH_ID_HEADER = 'x-wharf-publish-id';

export type PublishFailure =
  /** The broker refused the message (basic.nack: queue limits, internal error). */
  | 'nacked'
  /** `mandatory` and no queue was bound for the routing key (basic.return). */
  | 'unroutable'
  /** The broker closed the channel because of this or an earlier operation (404 no exchange...). */
  | 'channel-error'
  /** The channel or connection went away before the broker answered; the message may or may not have arrived. */
  | 'closed'
  /** The message itself cannot be encoded (e.g. headers over 64 KiB). */
  | 'invalid';

export class PublishError extends Error {
  constructor(
    readonly failure: PublishFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PublishError';
  }
  /** Worth trying again on a fresh channel. */
  get retryable(): boolean {
    return this.failure === 'closed';
  }
}

export class Publisher {
  #closed = false;
  #channelError: Error | undefined;
  readonly #returned = new Map<string, string>();

  constructor(
    readonly channel: Channel | ConfirmChannel,
    readonly confirms: boolean,
  ) {
    channel.on('error', (e: Error) => {
      this.#channelError = e;
    });
    channel.on('close', () => {
      this.#closed = true;
    });
    channel.on('return', (msg: Message) => {
      const id = msg.properties.headers?.[PUBLISH_ID_HEADER];
      if (typeof id === 'string') {
        const f = msg.fields as unknown as { replyCode?: number; replyText?: string };
        this.#returned.set(id, `${f.replyCode ?? 312} ${f.replyText ?? 'NO_ROUTE'}`);
      }
    });
  }

  get closed(): boolean {
    return this.#closed;
  }
  /** Why the broker closed the channel, if it did. */
  get channelError(): Error | undefined {
    return this.#channelError;
  }

  publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish,
    mandatory = false,
  ): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    let opts = options;
    let id: string | undefined;
    if (mandatory && this.confirms) {
      id = randomUUID();
      opts = {
        ...options,
        mandatory: true,
        headers: { ...(options.headers as Record<string, unknown> | undefined), [PUBLISH_ID_HEADER]: id },
      };
    } else if (mandatory) {
      opts = { ...options, mandatory: true };
    }
    return new Promise<void>((resolve, reject) => {
      try {
        if (this.confirms) {
          (this.channel as ConfirmChannel).publish(exchange, routingKey, body, opts, (err: unknown) => {
            const returned = id === undefined ? undefined : this.#returned.get(id);
            if (id !== undefined) this.#returned.delete(id);
            if (err)
              return reject(
                this.#closed || errorMessage(err) === 'channel closed'
                  ? this.#closedError()
                  : new PublishError('nacked', 'the broker refused the message (nack)'),
              );
            if (returned !== undefined)
              return reject(
                new PublishError(
                  'unroutable',
                  `not routed (${returned}): no queue is bound to exchange \`${exchange || '(default)'}\` for routing key \`${routingKey}\``,
                ),
              );
            resolve();
          });
        } else {
          const ok = this.channel.publish(exchange, routingKey, body, opts);
          if (ok) return resolve();
          const onDrain = (): void => {
            this.channel.off('close', onClose);
            resolve();
          };
          const onClose = (): void => {
            this.channel.off('drain', onDrain);
            reject(this.#closedError());
          };
          this.channel.once('drain', onDrain);
          this.channel.once('close', onClose);
        }
      } catch (e) {
        if (e instanceof RangeError || e instanceof TypeError) reject(new PublishError('invalid', errorMessage(e)));
        else reject(this.#closedError());
      }
    });
  }

  #closedError(): PublishError {
    if (this.#channelError) return new PublishError('channel-error', this.#channelError.message);
    return new PublishError('closed', 'the channel closed before the broker confirmed the message');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.channel.close();
    } catch {
      // already closing with its connection
    }
  }
}
