/**
 * The MQTT channel connector: one MQTT client per channel with a persistent session whose client id
 * is `<clientIdPrefix>ch-<channel name>` — the same on every server, so whichever server holds the
 * channel's cluster lease resumes the same session and the messages queued for it. Messages are
 * handled one at a time, in order; a QoS 1 message is acked (PUBACK) only after its service
 * succeeded (or it was rejected for good). To have a failed message redelivered, the channel leaves
 * it unacked, waits (backoff), and reconnects: MQTT brokers resend unacked messages only then.
 */
import type { IClientSubscribeOptions, IPublishPacket, MqttClient } from 'mqtt';
import { connect } from 'mqtt';
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { toClientOptions } from '../../connectors/mqtt/client-options.js';
import { closeClient } from '../../connectors/mqtt/close.js';
import { redeliveryDelay } from '../../connectors/mqtt/deliveries.js';
import { definitionKey, describeDefinition, type MqttDefinition } from '../../connectors/mqtt/definition.js';
import { deadLetterTimeoutMs, serviceTimeLimitMs } from '../../connectors/mqtt/keepalive.js';
import { MqttPublisher, type PublishProperties } from '../../connectors/mqtt/publisher.js';
import { resolveMqttDefinition } from '../../connectors/mqtt/resolve.js';
import { clientIdFor, topicMatches } from '../../connectors/mqtt/topic.js';
import { SerialQueue, waitAtMost } from '../../connectors/shared/lifecycle.js';
import { MqttMessageHandler, type IncomingMessage } from './handler.js';
import type { MqttChannelConfig } from './kind.js';

/** Passed to mqtt.js's `done` instead of acking: no PUBACK, so the broker sends the message again. */
class LeaveUnacked extends Error {
  constructor() {
    super('left unacknowledged for redelivery');
  }
}

/** How long stop() and a reconnect wait for the message being handled. */
const INFLIGHT_GRACE_MS = 5_000;
const SUBSCRIBE_TIMEOUT_MS = 10_000;
const SUBSCRIBE_RETRY_MS = 10_000;
const STALE_WARN_EVERY_MS = 60_000;

export class MqttChannel implements Connector<MqttChannelConfig> {
  private config: MqttChannelConfig;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private def: MqttDefinition | undefined;
  private defProblem: string | undefined;
  private client: MqttClient | undefined;
  private clientKey: string | undefined;
  private everConnected = false;
  private subscribed = false;
  private subscribeProblem: string | undefined;
  private lastError: string | undefined;
  /** What the broker session holds, as far as this instance knows (undefined: unknown). */
  private brokerSub: { filter: string; qos: 0 | 1 } | undefined;
  /** Every filter this instance subscribed to; messages matching none come from a stale subscription. */
  private readonly known = new Set<string>();
  private staleWarnedAt = 0;
  private inflight: Promise<void> | undefined;
  private redeliveryTimer: NodeJS.Timeout | undefined;
  private subscribeRetryTimer: NodeJS.Timeout | undefined;
  private redeliveryPending = false;
  private deadLetters: MqttPublisher | undefined;
  private readonly ops = new SerialQueue((e) =>
    this.ctx.logger.error(`${this.label}: ${e instanceof Error ? e.message : String(e)}`),
  );
  private readonly handler: MqttMessageHandler;

  constructor(
    config: MqttChannelConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.config = config;
    this.known.add(config.topicFilter);
    this.handler = new MqttMessageHandler(ctx, (topic, payload, props) =>
      this.publishDeadLetter(topic, payload, props),
    );
  }

  private get label(): string {
    return `MQTT channel \`${this.config.name}\``;
  }

  start(): Promise<void> {
    if (this.state !== 'new') return Promise.resolve();
    this.state = 'running';
    return this.ops.run(() => this.open());
  }

  reconfigure(next: MqttChannelConfig): Promise<void> {
    return this.ops.run(async () => {
      const prev = this.config;
      this.config = next;
      this.known.add(next.topicFilter);
      if (this.state !== 'running') return;
      const def = this.resolveDefinition();
      if (this.deadLetters && (!def || definitionKey(def) !== definitionKey(this.deadLetters.definition))) {
        const old = this.deadLetters;
        this.deadLetters = undefined;
        void old.close(1_000);
      }
      if (!def) {
        this.ctx.logger.error(`${this.label}: ${this.defProblem ?? 'no definition'}; disconnected`);
        await this.dropClient();
        return;
      }
      if (!this.client || this.keyOf(def, next) !== this.clientKey) {
        await this.dropClient();
        this.open();
        return;
      }
      if (prev.topicFilter !== next.topicFilter || prev.qos !== next.qos) {
        this.subscribed = false;
        await this.ensureSubscribed(this.client);
      }
    });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.redeliveryTimer);
    // Queued lifecycle work sees the state and returns; a SUBACK wait ends when the client closes.
    await waitAtMost(this.ops.idle(), 1_000);
    await this.dropClient();
    const dl = this.deadLetters;
    this.deadLetters = undefined;
    await dl?.close(1_000);
    await this.ops.idle();
  }

  health(): ConnectorHealth {
    if (this.state === 'stopped') return { status: 'stopped' };
    if (this.state === 'new') return { status: 'starting' };
    if (this.defProblem) return { status: 'down', detail: this.defProblem };
    if (this.subscribeProblem) return { status: 'down', detail: this.subscribeProblem };
    const where = this.def ? describeDefinition(this.def) : 'the broker';
    const why = this.lastError ? `: ${this.lastError}` : '';
    if (!this.client?.connected)
      return { status: this.everConnected ? 'down' : 'starting', detail: `connecting to ${where}${why}` };
    if (!this.subscribed) return { status: 'starting', detail: `subscribing to ${this.config.topicFilter}` };
    if (this.redeliveryPending)
      return { status: 'degraded', detail: 'a message failed; waiting to have the broker redeliver it' };
    return { status: 'up' };
  }

  // ---- connection

  private resolveDefinition(): MqttDefinition | undefined {
    const { def, problem } = resolveMqttDefinition(this.ctx, this.config.definition);
    this.def = def;
    this.defProblem = problem;
    return def;
  }

  private keyOf(def: MqttDefinition, cfg: MqttChannelConfig): string {
    return `${definitionKey(def)}\u0000${clientIdFor(def.clientIdPrefix, 'ch', cfg.name)}`;
  }

  private open(): void {
    if (this.state !== 'running') return;
    const def = this.resolveDefinition();
    if (!def) {
      this.ctx.logger.error(`${this.label}: ${this.defProblem ?? 'no definition'}; not connected`);
      return;
    }
    const key = this.keyOf(def, this.config);
    if (key !== this.clientKey) this.brokerSub = undefined; // another broker or session: nothing known
    this.clientKey = key;
    const clientId = clientIdFor(def.clientIdPrefix, 'ch', this.config.name);
    const client: MqttClient = connect(toClientOptions(def, { clientId, persistent: !def.cleanSession }));
    client.handleMessage = (packet, done) => this.onMessage(client, packet, done);
    client.on('connect', (connack) => this.onConnect(client, connack.sessionPresent));
    client.on('error', (e) => this.onError(client, e));
    client.on('close', () => {
      if (client === this.client) this.subscribed = false;
    });
    this.client = client;
    this.everConnected = false;
    this.subscribed = false;
    this.subscribeProblem = undefined;
    this.lastError = undefined;
    client.connect();
  }

  /** Detaches the current client: lets the message being handled finish (bounded), then disconnects. */
  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.subscribed = false;
    this.redeliveryPending = false;
    clearTimeout(this.redeliveryTimer);
    this.redeliveryTimer = undefined;
    clearTimeout(this.subscribeRetryTimer);
    this.subscribeRetryTimer = undefined;
    if (!client) return;
    await waitAtMost(this.inflight, INFLIGHT_GRACE_MS);
    await closeClient(client, 2_000);
  }

  private onConnect(client: MqttClient, sessionPresent: boolean): void {
    if (client !== this.client) return;
    this.everConnected = true;
    this.lastError = undefined;
    if (!sessionPresent) this.brokerSub = undefined;
    this.ctx.logger.info(
      `${this.label}: connected to ${this.def ? describeDefinition(this.def) : 'the broker'} (session ${sessionPresent ? 'resumed' : 'new'})`,
    );
    this.ops.background(() => this.ensureSubscribed(client));
  }

  private onError(client: MqttClient, e: Error): void {
    if (client !== this.client) return;
    if (e.message !== this.lastError) this.ctx.logger.warn(`${this.label}: ${e.message}`);
    this.lastError = e.message;
  }

  /** Subscribes unless the broker session already holds the configured subscription. */
  private async ensureSubscribed(client: MqttClient): Promise<void> {
    if (client !== this.client || !client.connected || this.state !== 'running') return;
    const want = { filter: this.config.topicFilter, qos: this.config.qos };
    const have = this.brokerSub;
    if (have?.filter === want.filter && have.qos === want.qos) {
      this.subscribed = true;
      return;
    }
    const opts: IClientSubscribeOptions = { qos: want.qos };
    // MQTT 5: retained messages only for a new subscription, not again on every re-subscribe
    if (this.def?.protocolVersion === 5) opts.rh = 1;
    this.known.add(want.filter);
    try {
      const granted = await withTimeout(client.subscribeAsync(want.filter, opts), SUBSCRIBE_TIMEOUT_MS, 'no SUBACK');
      if (granted.some((g) => g.qos === 128)) throw new Error('the broker refused it');
    } catch (e) {
      if (client !== this.client) return;
      const why = e instanceof Error ? e.message : String(e);
      if (!client.connected) return; // resubscribed on the next connect
      this.subscribeProblem = `could not subscribe to \`${want.filter}\`: ${why}; retrying every ${SUBSCRIBE_RETRY_MS / 1000} s`;
      this.ctx.logger.error(`${this.label}: ${this.subscribeProblem}`);
      clearTimeout(this.subscribeRetryTimer);
      this.subscribeRetryTimer = setTimeout(() => {
        this.subscribeRetryTimer = undefined;
        this.ops.background(() => this.ensureSubscribed(client));
      }, SUBSCRIBE_RETRY_MS);
      return;
    }
    if (client !== this.client) return;
    this.subscribeProblem = undefined;
    this.brokerSub = want;
    this.subscribed = true;
    if (have && have.filter !== want.filter) {
      await withTimeout(client.unsubscribeAsync(have.filter), SUBSCRIBE_TIMEOUT_MS, 'no UNSUBACK').catch((e: unknown) =>
        this.ctx.logger.warn(
          `${this.label}: could not unsubscribe from \`${have.filter}\`: ${e instanceof Error ? e.message : String(e)}`,
        ),
      );
    }
  }

  // ---- messages

  /**
   * Every incoming message, QoS 0 and 1, MQTT 3.1.1 and 5: mqtt.js calls `handleMessage` before it
   * sends the PUBACK, handles the next packet only after `done`, and sends no PUBACK when `done` gets
   * an error. So messages are handled one at a time, in order, and acked only after the service.
   */
  private onMessage(client: MqttClient, packet: IPublishPacket, done: (error?: Error) => void): void {
    if (client !== this.client || this.state !== 'running' || !this.def || (this.redeliveryPending && packet.qos > 0)) {
      // Not handled now: unacked, so the broker sends it again on the next connection (QoS 0: dropped).
      done(new LeaveUnacked());
      return;
    }
    const cfg = this.config;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const p = this.deliver(cfg, this.def, { topic: packet.topic, payload, packet }).then(
      (outcome) => {
        if (outcome.action === 'ack') return done();
        done(new LeaveUnacked());
        this.scheduleRedelivery(client, outcome.attempt, cfg);
      },
      (e: unknown) => {
        this.ctx.logger.error(`${this.label}: ${e instanceof Error ? e.message : String(e)}`);
        done(new LeaveUnacked());
        this.scheduleRedelivery(client, 1, cfg);
      },
    );
    this.inflight = p;
  }

  private deliver(
    cfg: MqttChannelConfig,
    def: MqttDefinition,
    msg: IncomingMessage,
  ): ReturnType<MqttMessageHandler['handle']> {
    if (![...this.known].some((f) => topicMatches(f, msg.topic))) {
      const now = Date.now();
      if (now - this.staleWarnedAt > STALE_WARN_EVERY_MS) {
        this.staleWarnedAt = now;
        this.ctx.logger.warn(
          `${this.label}: acked and skipped a message on \`${msg.topic}\`, which matches no filter of this channel (a subscription left in the broker session from an earlier configuration)`,
        );
      }
      return Promise.resolve({ action: 'ack' });
    }
    const timeoutMs = Math.min(cfg.timeoutMs, serviceTimeLimitMs(def.keepalive));
    return this.handler.handle(cfg, msg, { persistent: !def.cleanSession, timeoutMs });
  }

  private scheduleRedelivery(client: MqttClient, attempt: number, cfg: MqttChannelConfig): void {
    if (this.redeliveryPending || client !== this.client || this.state !== 'running') return;
    this.redeliveryPending = true;
    const delay = redeliveryDelay(attempt, cfg.retryDelayMs);
    this.redeliveryTimer = setTimeout(() => {
      this.redeliveryTimer = undefined;
      this.ops.background(async () => {
        if (client !== this.client || this.state !== 'running') return;
        await this.dropClient();
        this.open();
      });
    }, delay);
  }

  private publishDeadLetter(topic: string, payload: Buffer, properties: PublishProperties): Promise<void> {
    const def = this.def;
    if (!def) return Promise.reject(new Error(this.defProblem ?? 'no definition'));
    if (!this.deadLetters) {
      const clientId = clientIdFor(
        def.clientIdPrefix,
        'dlq',
        this.config.name,
        `${this.ctx.server.name}-${this.ctx.server.workerId}`,
      );
      this.deadLetters = new MqttPublisher(def, clientId, 'MQTT channel', this.config.name);
    }
    return this.deadLetters.publish({
      topic,
      payload,
      qos: 1,
      retain: false,
      properties,
      timeoutMs: deadLetterTimeoutMs(def.keepalive),
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
