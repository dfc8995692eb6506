/**
 * The `channels.amqp1` connector. Live edits: a new credit applies to the open link; a new address or
 * definition starts a new consumer first, then retires the old one gracefully (its in-flight messages
 * finish and settle, its prefetched ones go back to the queue), so nothing is lost.
 */
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { connectionHealth } from '../../connectors/amqp1/health.js';
import { definitionKey, needsRelink, resolveDefinition } from '../../connectors/amqp1/options.js';
import { SerialQueue } from '../../connectors/shared/lifecycle.js';
import { Consumer } from './consumer.js';
import type { Amqp1ChannelConfig } from './kind.js';
import { RedeliveryTracker } from './redelivery.js';

const STOP_GRACE_MS = 5_000;

export class Amqp1Channel implements Connector<Amqp1ChannelConfig> {
  private consumer: Consumer | undefined;
  private defKey = '';
  private started = false;
  private stopped = false;
  private readonly tracker = new RedeliveryTracker();
  /** Lifecycle operations run one at a time. */
  private readonly queue = new SerialQueue();

  constructor(
    private config: Amqp1ChannelConfig,
    private readonly ctx: ConnectorContext,
  ) {}

  private newConsumer(config: Amqp1ChannelConfig): Consumer {
    const definition = resolveDefinition(this.ctx, config.definition);
    this.defKey = definitionKey(definition);
    return new Consumer({
      name: config.name,
      ctx: this.ctx,
      definition,
      address: config.address,
      credit: config.credit,
      config: () => this.config,
      tracker: this.tracker,
    });
  }

  start(): Promise<void> {
    return this.queue.run(async () => {
      if (this.started || this.stopped) return;
      this.started = true;
      this.consumer = this.newConsumer(this.config);
      await this.consumer.start();
    });
  }

  reconfigure(next: Amqp1ChannelConfig): Promise<void> {
    return this.queue.run(async () => {
      if (this.stopped) return;
      const prev = this.config;
      if (!this.started || !this.consumer) {
        this.config = next;
        return;
      }
      const relink = needsRelink(this.ctx, prev, next, this.defKey);
      this.config = next;
      if (relink) {
        const old = this.consumer;
        this.consumer = this.newConsumer(next);
        await this.consumer.start();
        await old.close(STOP_GRACE_MS);
      } else if (next.credit !== prev.credit) {
        this.consumer.setCredit(next.credit);
      }
    });
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.queue.run(async () => {
      const c = this.consumer;
      this.consumer = undefined;
      if (c) await c.close(STOP_GRACE_MS);
    });
  }

  health(): ConnectorHealth {
    if (this.stopped) return { status: 'stopped' };
    const c = this.consumer;
    if (!c) return { status: 'starting' };
    const down = connectionHealth(c.conn);
    if (down) return down;
    if (!c.attached) return { status: 'degraded', detail: c.attachError ?? `attaching to \`${c.address}\`` };
    return { status: 'up' };
  }
}
