/**
 * The `outgoing.mqtt` connector: one publishing client per worker (client id
 * `<clientIdPrefix>out-<name>-<server>-<worker>`, clean session). Services get an {@link MqttOutgoing}.
 * A reconfiguration that changes the broker or the client opens a new client; publishes in flight
 * finish on the old one, which then disconnects.
 */
import { WharfError } from '../../errors.js';
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { definitionKey, type MqttDefinition } from '../../connectors/mqtt/definition.js';
import { MqttPublisher, type MqttQos, type PublishProperties } from '../../connectors/mqtt/publisher.js';
import { resolveMqttDefinition } from '../../connectors/mqtt/resolve.js';
import { ClientLifecycle } from '../../connectors/shared/lifecycle.js';
import { clientIdFor, topicNameProblem } from '../../connectors/mqtt/topic.js';
import type { MqttOutgoingConfig } from './kind.js';
import { encodePayload, type MqttPayload } from './payload.js';

export interface MqttPublishOptions {
  /** Default: the connection's `topic`. */
  topic?: string;
  qos?: MqttQos;
  retain?: boolean;
  /** MQTT 5 properties (ignored on MQTT 3.1.1). Objects get `contentType: application/json` unless set. */
  properties?: PublishProperties;
}

/** What `this.outgoing.mqtt(name)` returns. */
export interface MqttOutgoing {
  /**
   * Publishes one message. Resolves on the broker's PUBACK for QoS 1, once written for QoS 0.
   * Rejects with a WharfError naming the connection when there is no connection or no PUBACK within
   * the connection's `timeoutMs` (WHARF_ERR_UPSTREAM_TIMEOUT) or the broker refuses it (WHARF_ERR_UPSTREAM).
   */
  publish(payload: MqttPayload, opts?: MqttPublishOptions): Promise<void>;
}

const CLOSE_GRACE_MS = 5_000;

export class MqttOutgoingConnector implements Connector<MqttOutgoingConfig> {
  private config: MqttOutgoingConfig;
  /** The publisher, replaced when the broker or the client changes; a replaced one closes after its pending publishes (bounded). */
  private readonly publisher = new ClientLifecycle<MqttPublisher>(
    (old) => old.close(CLOSE_GRACE_MS),
    (e) =>
      this.ctx.logger.warn(
        `MQTT connection \`${this.config.name}\`: closing the old client: ${e instanceof Error ? e.message : String(e)}`,
      ),
  );
  private problem: string | undefined;
  private readonly api: MqttOutgoing;

  constructor(
    config: MqttOutgoingConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.config = config;
    this.api = { publish: (payload, opts) => this.publish(payload, opts) };
  }

  async start(): Promise<void> {
    if (this.publisher.start()) this.connect();
  }

  async reconfigure(next: MqttOutgoingConfig): Promise<void> {
    this.config = next;
    if (this.publisher.running) this.connect();
  }

  stop(): Promise<void> {
    return this.publisher.stop();
  }

  health(): ConnectorHealth {
    return this.publisher.health((p) => p.health(), this.problem);
  }

  handle(): MqttOutgoing {
    return this.api;
  }

  /** Opens a publisher for the current definition unless the current one already fits. */
  private connect(): void {
    const def = this.resolveDefinition();
    if (!def) {
      this.publisher.retire();
      this.ctx.logger.error(`MQTT connection \`${this.config.name}\`: ${this.problem ?? 'no definition'}`);
      return;
    }
    const clientId = clientIdFor(
      def.clientIdPrefix,
      'out',
      this.config.name,
      `${this.ctx.server.name}-${this.ctx.server.workerId}`,
    );
    this.publisher.use(
      `${definitionKey(def)}\u0000${clientId}`,
      () => new MqttPublisher(def, clientId, 'MQTT connection', this.config.name),
    );
  }

  private resolveDefinition(): MqttDefinition | undefined {
    const { def, problem } = resolveMqttDefinition(this.ctx, this.config.definition);
    this.problem = problem;
    return def;
  }

  private async publish(payload: MqttPayload, opts: MqttPublishOptions = {}): Promise<void> {
    const cfg = this.config;
    const publisher = this.publisher.client;
    if (!publisher) {
      throw new WharfError(
        'WHARF_ERR_CONNECTION_INACTIVE',
        [cfg.name],
        this.problem ? { details: { reason: this.problem } } : {},
      );
    }
    const topic = opts.topic ?? cfg.topic;
    if (topic === undefined) {
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [
        `MQTT connection \`${cfg.name}\` has no default topic: pass { topic } to publish()`,
      ]);
    }
    const topicProblem = topicNameProblem(topic);
    if (topicProblem)
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [
        `MQTT connection \`${cfg.name}\`: invalid topic \`${topic}\`: ${topicProblem}`,
      ]);
    const qos = opts.qos ?? cfg.qos;
    if (qos !== 0 && qos !== 1)
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [
        `MQTT connection \`${cfg.name}\`: qos must be 0 or 1, not ${String(qos)}`,
      ]);
    const encoded = encodePayload(payload);
    let properties = opts.properties;
    if (encoded.contentType && properties?.contentType === undefined)
      properties = { ...properties, contentType: encoded.contentType };
    await publisher.publish({
      topic,
      payload: encoded.bytes,
      qos,
      retain: opts.retain ?? cfg.retain,
      ...(properties ? { properties } : {}),
      timeoutMs: cfg.timeoutMs,
    });
  }
}
