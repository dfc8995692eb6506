/**
 * The `outgoing.zeromq` connector: one PUSH or PUB socket per worker. Services get a
 * {@link ZeromqOutgoing}. A reconfiguration that changes the socket (address, type, bind, high-water
 * mark) opens a new socket; sends queued on the old one finish there, then it closes with linger.
 */
import { WharfError } from '../../errors.js';
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { Retiring } from '../../connectors/shared/lifecycle.js';
import { toFrames, type ZeromqMessage } from './frames.js';
import type { ZeromqOutgoingConfig } from './kind.js';
import { socketKey, ZeromqSender } from './sender.js';

export interface ZeromqSendOptions {
  /** PUB: the topic frame sent first (default: the connection's `topic`). */
  topic?: string;
}

/** What `this.outgoing.zeromq(name)` returns. */
export interface ZeromqOutgoing {
  /**
   * Queues one message: a string or bytes (one frame), an array of strings/bytes (one frame each), or
   * any other value as one JSON frame. Resolves once ZeroMQ holds it — there is no acknowledgement.
   * Rejects with WHARF_ERR_UPSTREAM_TIMEOUT when it cannot be queued within `sendTimeoutMs`.
   */
  send(msg: ZeromqMessage, opts?: ZeromqSendOptions): Promise<void>;
}

export class ZeromqOutgoingConnector implements Connector<ZeromqOutgoingConfig> {
  private config: ZeromqOutgoingConfig;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private sender: ZeromqSender | undefined;
  private readonly retiring = new Retiring();
  private readonly api: ZeromqOutgoing;

  constructor(
    config: ZeromqOutgoingConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.config = config;
    this.api = { send: (msg, opts) => this.send(msg, opts) };
  }

  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.open();
  }

  async reconfigure(next: ZeromqOutgoingConfig): Promise<void> {
    this.config = next;
    if (this.state === 'running' && this.sender?.key !== socketKey(next)) this.open();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.retire();
    await this.retiring.settled();
  }

  health(): ConnectorHealth {
    if (this.state === 'stopped') return { status: 'stopped' };
    return this.sender?.health() ?? { status: 'starting' };
  }

  handle(): ZeromqOutgoing {
    return this.api;
  }

  private open(): void {
    this.retire();
    const name = this.config.name;
    this.sender = new ZeromqSender(this.config, (msg) => this.ctx.logger.error(`ZeroMQ connection \`${name}\`: ${msg}`));
  }

  private retire(): void {
    const old = this.sender;
    this.sender = undefined;
    if (!old) return;
    const cfg = this.config;
    this.retiring.add(old.close(cfg.sendTimeoutMs, cfg.lingerMs));
  }

  private async send(msg: ZeromqMessage, opts?: ZeromqSendOptions): Promise<void> {
    const cfg = this.config;
    const sender = this.sender;
    if (this.state !== 'running' || !sender) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [cfg.name]);
    const asked = opts?.topic;
    if (asked !== undefined && cfg.socketType !== 'PUB') {
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [`ZeroMQ connection \`${cfg.name}\` is a ${cfg.socketType} socket: only PUB sends a topic frame`]);
    }
    return sender.send(toFrames(msg, asked ?? cfg.topic), cfg);
  }
}
