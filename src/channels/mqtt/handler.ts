/**
 * What an MQTT channel does with one message: invoke the service, then decide between acking and
 * having the broker redeliver it. Success → ack. Bad input (a 4xx from the pipeline: malformed body,
 * missing element; see {@link worthRetrying}) → logged, dead-lettered if configured, acked: it would
 * fail the same way again.
 * Service failure (5xx, timeout) on QoS 1 with a persistent session → not acked, so the broker
 * redelivers it, up to `maxDeliveries` attempts; then dead-lettered or dropped with a logged error.
 * A QoS 0 message is never redelivered: its failure is logged.
 */
import { randomUUID } from 'node:crypto';
import type { IPublishPacket } from 'mqtt';
import { normalizeError, type WharfError } from '../../errors.js';
import type { ConnectorContext } from '../../connectors/types.js';
import { DeliveryCounter, type DeliveryKey } from '../../connectors/mqtt/deliveries.js';
import { messageHeaders } from '../../connectors/mqtt/headers.js';
import type { PublishProperties } from '../../connectors/mqtt/publisher.js';
import type { MqttChannelConfig } from './kind.js';

export type Outcome = { action: 'ack' } | { action: 'redeliver'; attempt: number };

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  packet: Pick<IPublishPacket, 'qos' | 'retain' | 'dup' | 'messageId' | 'properties'>;
}

export interface HandleOptions {
  /** Whether the broker keeps the session, i.e. whether not acking makes the message come back. */
  persistent: boolean;
  /** The service timeout actually used (the config's, capped below the keepalive). */
  timeoutMs: number;
}

/** Publishes a rejected message to the dead-letter topic; rejects when the broker did not take it. */
export type DeadLetterFn = (topic: string, payload: Buffer, properties: PublishProperties) => Promise<void>;

/**
 * Whether a failure may go away on a later attempt: 5xx (the service failed, timed out, is not
 * deployed), 429, and an unknown service (it may be deployed later). Other 4xx are the message's
 * fault (malformed body, missing element, a BadRequest from the service): retrying cannot help.
 */
export function worthRetrying(err: WharfError): boolean {
  return (
    err.status >= 500 ||
    err.retryable ||
    err.code === 'WHARF_ERR_SERVICE_UNKNOWN' ||
    err.code === 'WHARF_ERR_TOO_MANY_REQUESTS'
  );
}

/** How many times publishing a dead letter may fail before the message is dropped. */
const DEAD_LETTER_ATTEMPTS = 3;

export class MqttMessageHandler {
  private readonly deliveries = new DeliveryCounter();
  private readonly deadLetterFailures = new DeliveryCounter();

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly deadLetter: DeadLetterFn,
  ) {}

  async handle(cfg: MqttChannelConfig, msg: IncomingMessage, opts: HandleOptions): Promise<Outcome> {
    const key: DeliveryKey = { topic: msg.topic, messageId: msg.packet.messageId, size: msg.payload.length };
    const label = `MQTT channel \`${cfg.name}\``;
    // A message that already failed its last attempt, whose dead letter could not be published yet
    if (this.deadLetterFailures.get(key) > 0)
      return this.reject(cfg, msg, key, 'rejected earlier; its dead letter is not published yet', opts.persistent);

    const attempt = this.deliveries.get(key) + 1;
    const cid = randomUUID();
    try {
      await this.ctx.invoke({
        service: cfg.service,
        raw: msg.payload,
        dataFormat: cfg.dataFormat,
        channel: { name: cfg.name, kind: 'mqtt', dataFormat: cfg.dataFormat },
        cid,
        headers: messageHeaders(msg.topic, msg.packet, attempt),
        timeoutMs: opts.timeoutMs,
      });
      this.deliveries.done(key);
      return { action: 'ack' };
    } catch (e) {
      const err = normalizeError(e, cid);
      const what = `message on \`${msg.topic}\` (cid ${cid}, ${err.code}: ${err.message})`;
      if (!worthRetrying(err)) {
        this.ctx.logger.warn(`${label}: rejected ${what}: bad input is not retried`);
        return this.reject(cfg, msg, key, `${err.code}: ${err.message}`, opts.persistent);
      }
      if (msg.packet.qos === 0) {
        this.ctx.logger.error(
          `${label}: service \`${cfg.service}\` failed on QoS 0 ${what}; QoS 0 messages are not redelivered`,
        );
        return { action: 'ack' };
      }
      if (!opts.persistent) {
        this.ctx.logger.error(
          `${label}: service \`${cfg.service}\` failed on ${what}; not redelivered: the definition uses a clean session`,
        );
        return this.reject(cfg, msg, key, `${err.code}: ${err.message}`, opts.persistent);
      }
      const n = this.deliveries.failed(key);
      if (n < cfg.maxDeliveries) {
        this.ctx.logger.warn(
          `${label}: service \`${cfg.service}\` failed on ${what}, attempt ${n} of ${cfg.maxDeliveries}; the broker will redeliver it`,
        );
        return { action: 'redeliver', attempt: n };
      }
      this.ctx.logger.error(
        `${label}: service \`${cfg.service}\` failed on ${what}, attempt ${n} of ${cfg.maxDeliveries}: giving up`,
      );
      return this.reject(cfg, msg, key, `${err.code}: ${err.message} (after ${n} attempts)`, opts.persistent);
    }
  }

  /** Dead-letters (when configured) or drops a message; acks it unless the dead letter failed. */
  private async reject(
    cfg: MqttChannelConfig,
    msg: IncomingMessage,
    key: DeliveryKey,
    reason: string,
    persistent: boolean,
  ): Promise<Outcome> {
    const label = `MQTT channel \`${cfg.name}\``;
    if (cfg.deadLetterTopic === undefined) {
      this.forget(key);
      this.ctx.logger.error(
        `${label}: dropped a message on \`${msg.topic}\` (${msg.payload.length} bytes): ${reason}; set deadLetterTopic to keep such messages`,
      );
      return { action: 'ack' };
    }
    const props: PublishProperties = {
      userProperties: { 'wharf-channel': cfg.name, 'wharf-topic': msg.topic, 'wharf-reason': reason },
    };
    const contentType = msg.packet.properties?.contentType;
    if (contentType !== undefined) props.contentType = contentType;
    try {
      await this.deadLetter(cfg.deadLetterTopic, msg.payload, props);
      this.forget(key);
      this.ctx.logger.warn(
        `${label}: moved a message on \`${msg.topic}\` to dead-letter topic \`${cfg.deadLetterTopic}\`: ${reason}`,
      );
      return { action: 'ack' };
    } catch (e) {
      const n = this.deadLetterFailures.failed(key);
      const why = e instanceof Error ? e.message : String(e);
      if (n >= DEAD_LETTER_ATTEMPTS || msg.packet.qos === 0 || !persistent) {
        this.forget(key);
        this.ctx.logger.error(
          `${label}: dropped a message on \`${msg.topic}\` (${msg.payload.length} bytes): ${reason}; publishing it to \`${cfg.deadLetterTopic}\` failed ${n} time(s): ${why}`,
        );
        return { action: 'ack' };
      }
      this.ctx.logger.error(
        `${label}: could not publish to dead-letter topic \`${cfg.deadLetterTopic}\` (${why}); the message stays unacknowledged and comes back`,
      );
      return { action: 'redeliver', attempt: cfg.maxDeliveries + n };
    }
  }

  private forget(key: DeliveryKey): void {
    this.deliveries.done(key);
    this.deadLetterFailures.done(key);
  }
}
