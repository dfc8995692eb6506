/**
 * The AMQP outgoing connector. `send` resolves once the broker confirmed the message; while the
 * broker is away it waits (up to `sendTimeoutMs`) for the reconnect and publishes then, otherwise it
 * throws a WharfError naming the connection — a message is never dropped silently. A publish whose
 * channel died before the confirm is sent again on the new channel (at-least-once: a consumer may
 * see it twice, never zero times).
 */
import { definitionKey } from '../../connectors/amqp/definition.js';
import { PublishError } from '../../connectors/amqp/publisher.js';
import { resolveDefinition } from '../../connectors/amqp/resolve.js';
import { SerialQueue } from '../../connectors/shared/lifecycle.js';
import { errorMessage, sleep, withTimeout } from '../../connectors/amqp/time.js';
import type { Connector, ConnectorContext, ConnectorHealth, ConnectorKind } from '../../connectors/types.js';
import { WharfError } from '../../errors.js';
import { preparePublish, type AmqpMessage, type AmqpSendOptions, type PreparedPublish } from './encode.js';
import { amqpOutgoingKind, type AmqpOutgoingConfig } from './kind.js';
import { PublishLink } from './link.js';

/** What `this.outgoing.amqp(name)` gives a service. */
export interface AmqpOutgoing {
  readonly name: string;
  /** Publishes `message` (string, Buffer, or a value to JSON-encode); resolves when the broker confirmed it. */
  send(message: AmqpMessage, opts?: AmqpSendOptions): Promise<void>;
}

const DRAIN_MS = 5_000;
const RETRY_PAUSE_MS = 100;

export class AmqpOutgoingConnector implements Connector<AmqpOutgoingConfig> {
  #config: AmqpOutgoingConfig;
  #link: PublishLink | undefined;
  #key = '';
  #parked: string | undefined;
  #status: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  /** start/reconfigure/stop, one after another. */
  readonly #ops = new SerialQueue();
  readonly #handle: AmqpOutgoing;

  constructor(
    config: AmqpOutgoingConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.#config = config;
    const self = this;
    this.#handle = Object.freeze({
      get name(): string {
        return self.#config.name;
      },
      send: (message: AmqpMessage, opts?: AmqpSendOptions) => this.send(message, opts),
    });
  }

  #label(c: AmqpOutgoingConfig = this.#config): string {
    return `outgoing ${c.name}`;
  }

  /** The link for `c`, or none while its definition is inactive (sends then fail, saying why). */
  #newLink(c: AmqpOutgoingConfig): { link: PublishLink | undefined; key: string } {
    const def = resolveDefinition(this.ctx, c.definition, this.#label(c));
    const key = `${definitionKey(def)}|${c.publisherConfirms}`;
    if (!def.active) {
      this.#parked = `AMQP definition \`${def.name}\` is not active`;
      return { link: undefined, key };
    }
    this.#parked = undefined;
    return { link: new PublishLink(def, this.#label(c), this.ctx.logger, c.publisherConfirms, key), key };
  }

  start(): Promise<void> {
    return this.#ops.run(async () => {
      if (this.#status !== 'new') return;
      const { link, key } = this.#newLink(this.#config);
      this.#key = key;
      this.#link = link;
      this.#status = 'running';
      link?.start();
    });
  }

  reconfigure(next: AmqpOutgoingConfig): Promise<void> {
    return this.#ops.run(async () => {
      if (this.#status !== 'running') {
        this.#config = next;
        return;
      }
      const { link, key } = this.#newLink(next);
      this.#config = next;
      if (key === this.#key) return;
      const old = this.#link;
      this.#key = key;
      this.#link = link;
      link?.start();
      this.ctx.logger.info(
        `AMQP ${this.#label(next)}: ${link ? 'reconnecting with the new settings' : `disconnecting: ${this.#parked}`}`,
      );
      if (old) await old.close(DRAIN_MS);
    });
  }

  stop(): Promise<void> {
    return this.#ops.run(async () => {
      if (this.#status === 'stopped') return;
      this.#status = 'stopping';
      const link = this.#link;
      this.#link = undefined;
      if (link) await link.close(Math.min(DRAIN_MS, this.#config.sendTimeoutMs));
      this.#status = 'stopped';
    });
  }

  health(): ConnectorHealth {
    if (this.#status === 'stopped' || this.#status === 'stopping') return { status: 'stopped' };
    if (this.#parked) return { status: 'down', detail: this.#parked };
    const conn = this.#link?.conn;
    if (this.#status === 'new' || !conn) return { status: 'starting' };
    if (conn.state === 'up') {
      if (conn.blocked) return { status: 'degraded', detail: `broker blocked publishing: ${conn.blocked}` };
      return { status: 'up', detail: conn.target };
    }
    if (!conn.everUp && conn.state === 'connecting' && !conn.lastError)
      return { status: 'starting', detail: `connecting to ${conn.target}` };
    return {
      status: 'down',
      detail: `no connection to ${conn.target}${conn.lastError ? `: ${conn.lastError.message}` : ''}`,
    };
  }

  handle(): AmqpOutgoing {
    return this.#handle;
  }

  async send(message: AmqpMessage, opts?: AmqpSendOptions): Promise<void> {
    const config = this.#config;
    if (this.#status !== 'running' || !this.#link) throw this.#inactive(config);
    const prepared = preparePublish(config, message, opts);
    const deadline = Date.now() + config.sendTimeoutMs;
    let lastError = '';
    for (;;) {
      const link: PublishLink | undefined = this.#link;
      if (this.#status !== 'running' || !link) throw this.#inactive(config);
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        await link.track(this.#publishOnce(link, prepared, config, deadline));
        return;
      } catch (e) {
        if (e instanceof PublishError && !e.retryable) throw this.#refused(config, prepared, e);
        if (e instanceof WharfError && e.code === 'WHARF_ERR_CONNECTION_INACTIVE' && this.#link === link) throw e;
        lastError = errorMessage(e);
      }
      await sleep(Math.min(RETRY_PAUSE_MS, Math.max(0, deadline - Date.now())));
    }
    const conn = this.#link?.conn;
    const reason =
      conn && conn.state !== 'up'
        ? `not connected (${conn.lastError?.message ?? 'connecting'})`
        : conn?.blocked
          ? `the broker blocks publishing (${conn.blocked})`
          : lastError;
    throw new WharfError('WHARF_ERR_UPSTREAM_TIMEOUT', [
      `AMQP ${this.#label(config)}: message to exchange \`${prepared.exchange || '(default)'}\` (routing key \`${prepared.routingKey}\`) not confirmed by ${conn?.target ?? 'the broker'} within ${config.sendTimeoutMs} ms${reason ? `: ${reason}` : ''}`,
    ]);
  }

  #inactive(config: AmqpOutgoingConfig): WharfError {
    const why = this.#status === 'running' && this.#parked ? ` (${this.#parked})` : '';
    return new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [`AMQP ${this.#label(config)}${why}`]);
  }

  async #publishOnce(
    link: PublishLink,
    p: PreparedPublish,
    config: AmqpOutgoingConfig,
    deadline: number,
  ): Promise<void> {
    const pub = await link.publisher(deadline);
    const sent = pub.publish(p.exchange, p.routingKey, p.body, p.options, config.mandatory);
    await withTimeout(sent, deadline - Date.now(), () => new Error('no confirm from the broker in time'));
  }

  #refused(config: AmqpOutgoingConfig, p: PreparedPublish, e: PublishError): WharfError {
    const where = `AMQP ${this.#label(config)}`;
    if (e.failure === 'invalid')
      return new WharfError('WHARF_ERR_BAD_REQUEST', [`${where}: the message cannot be encoded: ${e.message}`], {
        cause: e,
      });
    const what = e.failure === 'channel-error' ? `the broker closed the channel: ${e.message}` : e.message;
    return new WharfError(
      'WHARF_ERR_UPSTREAM',
      [
        `${where}: message to exchange \`${p.exchange || '(default)'}\` (routing key \`${p.routingKey}\`) failed: ${what}`,
      ],
      {
        cause: e,
        details: { connection: config.name, failure: e.failure },
      },
    );
  }
}

export const amqpOutgoingConnector: ConnectorKind<AmqpOutgoingConfig> = {
  kind: amqpOutgoingKind,
  placement: 'worker',
  accessor: { group: 'outgoing', name: 'amqp' },
  create: (config, ctx) => new AmqpOutgoingConnector(config, ctx),
};
