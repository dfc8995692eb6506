/**
 * One MQTT client that publishes: used by `outgoing.mqtt` and by channels for dead letters. It keeps
 * reconnecting in the background; `publish` waits (bounded) for a connection and, for QoS 1, for the
 * broker's PUBACK. Every failure is a WharfError naming the connection — never a silent drop: a
 * message that timed out is also withdrawn from mqtt.js's resend store, so an error means "not sent
 * by us" and the caller owns the retry.
 */
import { connect, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { WharfError } from '../../errors.js';
import type { ConnectorHealth } from '../types.js';
import { toClientOptions } from './client-options.js';
import { closeClient } from './close.js';
import { describeDefinition, type MqttDefinition } from './definition.js';

export type MqttQos = 0 | 1;

export interface PublishProperties {
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  messageExpiryInterval?: number;
  payloadFormatIndicator?: boolean;
  userProperties?: Record<string, string | string[]>;
}

export interface PublishRequest {
  topic: string;
  payload: Buffer;
  qos: MqttQos;
  retain: boolean;
  properties?: PublishProperties;
  /** Bound on waiting for a connection plus the PUBACK. */
  timeoutMs: number;
}

export class MqttPublisher {
  private readonly client: MqttClient;
  private lastError: string | undefined;
  private everConnected = false;
  private closed = false;
  private readonly pending = new Set<Promise<void>>();
  /** Aborted by close(): every waiting publish fails at once and clears its timer. */
  private readonly closing = new AbortController();
  private readonly connectWaiters = new Set<() => void>();

  /** What errors name: MQTT connection `orders`. */
  private readonly label: string;

  /**
   * @param title e.g. `MQTT connection`, `MQTT channel`
   * @param name the object's name, named by every error
   */
  constructor(
    readonly definition: MqttDefinition,
    clientId: string,
    title: string,
    private readonly name: string,
  ) {
    this.label = `${title} \`${name}\``;
    this.client = connect(toClientOptions(definition, { clientId, persistent: false }));
    this.client.on('connect', () => {
      this.everConnected = true;
      this.lastError = undefined;
      for (const w of [...this.connectWaiters]) w();
    });
    this.client.on('error', (e: Error) => {
      this.lastError = e.message;
    });
    this.client.on('close', () => {
      this.lastError ??= 'connection closed';
    });
    this.client.connect();
  }

  get connected(): boolean {
    return this.client.connected;
  }

  health(): ConnectorHealth {
    if (this.closed) return { status: 'stopped' };
    if (this.client.connected) return { status: 'up' };
    const why = this.lastError ? `: ${this.lastError}` : '';
    if (!this.everConnected)
      return { status: 'starting', detail: `connecting to ${describeDefinition(this.definition)}${why}` };
    return { status: 'down', detail: `reconnecting to ${describeDefinition(this.definition)}${why}` };
  }

  publish(req: PublishRequest): Promise<void> {
    if (this.closed) return Promise.reject(new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [this.name]));
    const p = this.publishNow(req);
    this.pending.add(p);
    const forget = (): void => {
      this.pending.delete(p);
    };
    p.then(forget, forget);
    return p;
  }

  private async publishNow(req: PublishRequest): Promise<void> {
    const deadline = Date.now() + req.timeoutMs;
    await this.waitConnected(req.timeoutMs, req.topic);
    const opts: IClientPublishOptions = { qos: req.qos, retain: req.retain };
    if (req.properties && this.definition.protocolVersion === 5) opts.properties = req.properties;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const onClose = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.withdraw(callback);
        reject(this.closedError(req.topic));
      };
      const callback = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.closing.signal.removeEventListener('abort', onClose);
        if (!err) return resolve();
        const code = (err as { code?: unknown }).code;
        const reason = typeof code === 'number' ? ` (reason code 0x${code.toString(16)})` : '';
        reject(
          new WharfError(
            'WHARF_ERR_UPSTREAM',
            [`${this.label}: the broker did not accept the message to \`${req.topic}\`: ${err.message}${reason}`],
            { cause: err },
          ),
        );
      };
      const timer = setTimeout(
        () => {
          if (settled) return;
          settled = true;
          this.closing.signal.removeEventListener('abort', onClose);
          this.withdraw(callback);
          reject(
            this.timeoutError(req, req.qos === 1 ? 'no PUBACK from the broker' : 'the message could not be written'),
          );
        },
        Math.max(1, deadline - Date.now()),
      );
      this.closing.signal.addEventListener('abort', onClose, { once: true });
      this.client.publish(req.topic, req.payload, opts, callback);
    });
  }

  /** Removes a timed-out QoS 1 message from the resend store (found by its callback). */
  private withdraw(callback: (err?: Error) => void): void {
    for (const [id, entry] of Object.entries(this.client.outgoing)) {
      if (entry.cb === callback) this.client.removeOutgoingMessage(Number(id));
    }
  }

  private waitConnected(ms: number, topic: string): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const settle = (err?: WharfError): void => {
        clearTimeout(timer);
        this.connectWaiters.delete(onConnect);
        this.closing.signal.removeEventListener('abort', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onConnect = (): void => settle();
      const onClose = (): void => settle(this.closedError(topic));
      const timer = setTimeout(
        () => settle(this.timeoutError({ topic, timeoutMs: ms }, 'not connected to the broker')),
        ms,
      );
      this.connectWaiters.add(onConnect);
      this.closing.signal.addEventListener('abort', onClose, { once: true });
    });
  }

  private closedError(topic: string): WharfError {
    return new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [this.name], {
      details: { topic, reason: 'connection closed before the message was published' },
    });
  }

  private timeoutError(req: { topic: string; timeoutMs: number }, what: string): WharfError {
    const why = this.lastError ? ` (last error: ${this.lastError})` : '';
    return new WharfError(
      'WHARF_ERR_UPSTREAM_TIMEOUT',
      [
        `${this.label}: ${what} within ${req.timeoutMs} ms; message to \`${req.topic}\` not published to ${describeDefinition(this.definition)}${why}`,
      ],
      { details: { connection: this.name, topic: req.topic } },
    );
  }

  /** Lets pending publishes finish (at most `graceMs`), then disconnects. Idempotent. */
  async close(graceMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.closing.abort();
    await closeClient(this.client, 2_000);
  }
}
