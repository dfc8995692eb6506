/**
 * The `outgoing.amqp1` connector and the `Amqp1Outgoing` handle services get from
 * `this.outgoing.amqp1(name)`. Message defaults (durable, priority, ttl, subject, properties, timeout)
 * apply to the next send when edited; a new address or definition gets a new link, and the old one
 * finishes its unconfirmed sends before it closes.
 */
import { randomUUID } from 'node:crypto';
import { WharfError } from '../../errors.js';
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { buildMessage, type Amqp1Body, type Amqp1SendOptions } from '../../connectors/amqp1/message.js';
import { connectionHealth } from '../../connectors/amqp1/health.js';
import { definitionKey, needsRelink, resolveDefinition } from '../../connectors/amqp1/options.js';
import { SerialQueue } from '../../connectors/shared/lifecycle.js';
import type { Amqp1OutgoingConfig } from './kind.js';
import { SenderPipe } from './pipe.js';

/** What `this.outgoing.amqp1(name)` returns. */
export interface Amqp1Outgoing {
  /**
   * Sends one message and resolves once the broker ACCEPTED it (for RabbitMQ: enqueued, and persisted if
   * durable). Strings go as UTF-8 text, Buffers as bytes, anything else as JSON (application/json).
   * Rejects with a WharfError: 500 (WHARF_ERR_OUTGOING_USAGE) for a body or option that cannot be sent,
   * 502 when the broker refused it or the queue is missing, 504 when it was not confirmed within
   * `sendTimeoutMs` (the message says whether it may have been delivered), 503 when stopped.
   */
  send(body: Amqp1Body, opts?: Amqp1SendOptions): Promise<void>;
  /** The configured target address. */
  readonly address: string;
}

export class Amqp1OutgoingConnector implements Connector<Amqp1OutgoingConfig> {
  private pipe: SenderPipe | undefined;
  private defKey = '';
  private stopped = false;
  /** Lifecycle operations run one at a time. */
  private readonly queue = new SerialQueue();
  private readonly handleObj: Amqp1Outgoing;

  constructor(
    private config: Amqp1OutgoingConfig,
    private readonly ctx: ConnectorContext,
  ) {
    const self = this;
    this.handleObj = {
      send: (body, opts) => self.send(body, opts),
      get address() {
        return self.config.address;
      },
    };
  }

  private newPipe(config: Amqp1OutgoingConfig): SenderPipe {
    const definition = resolveDefinition(this.ctx, config.definition);
    this.defKey = definitionKey(definition);
    return new SenderPipe({ name: config.name, logger: this.ctx.logger, definition, address: config.address });
  }

  start(): Promise<void> {
    return this.queue.run(async () => {
      if (this.pipe || this.stopped) return;
      this.pipe = this.newPipe(this.config);
      await this.pipe.start();
    });
  }

  reconfigure(next: Amqp1OutgoingConfig): Promise<void> {
    return this.queue.run(async () => {
      if (this.stopped) return;
      const prev = this.config;
      if (!this.pipe) {
        this.config = next;
        return;
      }
      const relink = needsRelink(this.ctx, prev, next, this.defKey);
      this.config = next;
      if (relink) {
        const old = this.pipe;
        this.pipe = this.newPipe(next);
        await this.pipe.start();
        await old.close(prev.sendTimeoutMs);
      }
    });
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.queue.run(async () => {
      const p = this.pipe;
      this.pipe = undefined;
      if (p) await p.close(Math.min(this.config.sendTimeoutMs, 5_000));
    });
  }

  async send(body: Amqp1Body, opts: Amqp1SendOptions = {}): Promise<void> {
    const pipe = this.pipe;
    if (this.stopped || !pipe) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [this.config.name]);
    const cfg = this.config;
    const id = opts.messageId ?? randomUUID();
    const message = buildMessage(cfg.name, cfg, body, opts, id, Date.now());
    await pipe.send(message, id, cfg.sendTimeoutMs);
  }

  handle(): Amqp1Outgoing {
    return this.handleObj;
  }

  health(): ConnectorHealth {
    if (this.stopped) return { status: 'stopped' };
    const p = this.pipe;
    if (!p) return { status: 'starting' };
    const down = connectionHealth(p.conn);
    if (down) return down;
    if (!p.attached) return { status: 'degraded', detail: p.problem };
    return { status: 'up' };
  }
}
