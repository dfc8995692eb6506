/**
 * The AMQP channel connector: its own connection (from the definition) and one consumer. Live
 * reconfiguration: service, data format, timeouts and dead-letter settings apply to the next
 * message; a new queue, prefetch, consumer tag prefix or definition drains the old consumer
 * (messages in progress finish, the rest return to the queue) and then consumes with the new one.
 */
import { randomUUID } from 'node:crypto';
import { AmqpConnection } from '../../connectors/amqp/connection.js';
import { definitionKey, type AmqpDefinition } from '../../connectors/amqp/definition.js';
import { resolveDefinition } from '../../connectors/amqp/resolve.js';
import { SerialQueue } from '../../connectors/shared/lifecycle.js';
import type { Connector, ConnectorContext, ConnectorHealth, ConnectorKind } from '../../connectors/types.js';
import { AmqpConsumer } from './consumer.js';
import { amqpChannelKind, consumerKey, type AmqpChannelConfig } from './kind.js';
import { processDelivery } from './process.js';

const TAG_MAX = 255;

export function consumerTag(config: AmqpChannelConfig, server: { name: string; workerId: number }): string {
  const suffix = randomUUID().slice(0, 8);
  const head = [config.consumerTagPrefix, server.name, `w${server.workerId}`, config.name]
    .filter((s) => s !== '')
    .join('.');
  return `${head.slice(0, TAG_MAX - suffix.length - 1)}.${suffix}`;
}

export class AmqpChannel implements Connector<AmqpChannelConfig> {
  #config: AmqpChannelConfig;
  #defKey = '';
  #conn: AmqpConnection | undefined;
  #consumer: AmqpConsumer | undefined;
  #status: 'new' | 'running' | 'stopped' = 'new';
  #parked: string | undefined;
  /** start/reconfigure/stop, one after another. */
  readonly #ops = new SerialQueue();

  constructor(
    config: AmqpChannelConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.#config = config;
  }

  #label(c: AmqpChannelConfig = this.#config): string {
    return `channel ${c.name}`;
  }

  start(): Promise<void> {
    return this.#ops.run(async () => {
      if (this.#status !== 'new') return;
      const def = resolveDefinition(this.ctx, this.#config.definition, this.#label());
      this.#status = 'running';
      this.#defKey = definitionKey(def);
      this.#conn = this.#connection(def);
      this.#conn?.start();
      this.#consumer = this.#conn ? this.#newConsumer(this.#conn, this.#config) : undefined;
      this.#consumer?.start();
    });
  }

  reconfigure(next: AmqpChannelConfig): Promise<void> {
    return this.#ops.run(async () => {
      if (this.#status !== 'running') {
        this.#config = next;
        return;
      }
      const def = resolveDefinition(this.ctx, next.definition, this.#label(next));
      const prev = this.#config;
      const defChanged = definitionKey(def) !== this.#defKey;
      this.#config = next;
      if (!defChanged && consumerKey(next) === consumerKey(prev)) return;

      const oldConn = this.#conn;
      const oldConsumer = this.#consumer;
      this.ctx.logger.info(`AMQP ${this.#label(next)}: reconfiguring`, {
        queue: next.queue,
        prefetch: next.prefetch,
        newConnection: defChanged,
        inProgress: oldConsumer?.inflight ?? 0,
      });
      // Connect with the new definition while the old consumer drains.
      const conn = defChanged || !oldConn ? this.#connection(def) : oldConn;
      if (conn && conn !== oldConn) conn.start();
      this.#defKey = definitionKey(def);
      if (oldConsumer) await oldConsumer.drain(prev.drainTimeoutMs);
      if (oldConn && oldConn !== conn) await oldConn.close();
      this.#conn = conn;
      this.#consumer = conn ? this.#newConsumer(conn, next) : undefined;
      this.#consumer?.start();
    });
  }

  stop(): Promise<void> {
    return this.#ops.run(async () => {
      if (this.#status === 'stopped') return;
      const consumer = this.#consumer;
      const conn = this.#conn;
      if (consumer) await consumer.drain(this.#config.drainTimeoutMs);
      if (conn) await conn.close();
      this.#consumer = undefined;
      this.#conn = undefined;
      this.#status = 'stopped';
    });
  }

  health(): ConnectorHealth {
    if (this.#status === 'stopped') return { status: 'stopped' };
    if (this.#parked) return { status: 'down', detail: this.#parked };
    const conn = this.#conn;
    const consumer = this.#consumer;
    if (this.#status === 'new' || !conn || !consumer) return { status: 'starting' };
    const queue = consumer.settings.queue;
    if (consumer.state === 'consuming') {
      if (conn.blocked) return { status: 'degraded', detail: `broker blocked the connection: ${conn.blocked}` };
      return { status: 'up', detail: `consuming ${queue} on ${conn.target}` };
    }
    if (conn.state !== 'up') {
      const why = conn.lastError ? `: ${conn.lastError.message}` : '';
      if (!conn.everUp && conn.state === 'connecting' && !conn.lastError)
        return { status: 'starting', detail: `connecting to ${conn.target}` };
      return { status: 'down', detail: `no connection to ${conn.target}${why}` };
    }
    if (consumer.state === 'failed')
      return {
        status: 'down',
        detail: `cannot consume queue ${queue}: ${consumer.lastError?.message ?? 'unknown error'}`,
      };
    return { status: 'starting', detail: `opening a consumer of ${queue}` };
  }

  /** A connection for `def`, or none while the definition is inactive (the channel then idles, reporting why). */
  #connection(def: AmqpDefinition): AmqpConnection | undefined {
    if (!def.active) {
      this.#parked = `AMQP definition \`${def.name}\` is not active`;
      this.ctx.logger.warn(`AMQP ${this.#label()}: not consuming: ${this.#parked}`);
      return undefined;
    }
    this.#parked = undefined;
    return new AmqpConnection(def, this.#label(), this.ctx.logger);
  }

  #newConsumer(conn: AmqpConnection, c: AmqpChannelConfig): AmqpConsumer {
    const queue = c.queue;
    return new AmqpConsumer(
      conn,
      { queue, prefetch: c.prefetch, consumerTag: consumerTag(c, this.ctx.server), label: this.#label(c) },
      // The config of the moment the message arrived; a later reconfigure does not change it.
      (msg, io) =>
        processDelivery(
          msg,
          { config: this.#config, queue, invoke: (inv) => this.ctx.invoke(inv), logger: this.ctx.logger },
          io,
        ),
      this.ctx.logger,
    );
  }
}

export const amqpChannelConnector: ConnectorKind<AmqpChannelConfig> = {
  kind: amqpChannelKind,
  placement: 'worker',
  create: (config, ctx) => new AmqpChannel(config, ctx),
};
