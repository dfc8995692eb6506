/**
 * The `outgoing.zeromq` connector: one PUSH or PUB socket per worker. Services get a
 * {@link ZeromqOutgoing}. A reconfiguration that changes the socket (address, type, bind, high-water
 * mark) opens a new socket; sends queued on the old one finish there, then it closes with linger.
 */
import { WharfError } from '../../errors.js';
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { ClientLifecycle } from '../../connectors/shared/lifecycle.js';
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
  /** The socket, replaced when address, type, bind or high-water mark change; a replaced one finishes its queued sends, then closes with linger. */
  private readonly sender = new ClientLifecycle<ZeromqSender>(
    (old) => old.close(this.config.sendTimeoutMs, this.config.lingerMs),
    (e) =>
      this.ctx.logger.warn(
        `ZeroMQ connection \`${this.config.name}\`: closing the old socket: ${e instanceof Error ? e.message : String(e)}`,
      ),
  );
  private readonly api: ZeromqOutgoing;

  constructor(
    config: ZeromqOutgoingConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.config = config;
    this.api = { send: (msg, opts) => this.send(msg, opts) };
  }

  async start(): Promise<void> {
    if (this.sender.start()) this.open();
  }

  async reconfigure(next: ZeromqOutgoingConfig): Promise<void> {
    this.config = next;
    this.open();
  }

  stop(): Promise<void> {
    return this.sender.stop();
  }

  health(): ConnectorHealth {
    return this.sender.health((s) => s.health());
  }

  handle(): ZeromqOutgoing {
    return this.api;
  }

  /** While running: a new socket when the current one does not fit the config. */
  private open(): void {
    const cfg = this.config;
    this.sender.use(
      socketKey(cfg),
      () => new ZeromqSender(cfg, (msg) => this.ctx.logger.error(`ZeroMQ connection \`${cfg.name}\`: ${msg}`)),
    );
  }

  private async send(msg: ZeromqMessage, opts?: ZeromqSendOptions): Promise<void> {
    const cfg = this.config;
    const sender = this.sender.client;
    if (!sender) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [cfg.name]);
    const asked = opts?.topic;
    if (asked !== undefined && cfg.socketType !== 'PUB') {
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [
        `ZeroMQ connection \`${cfg.name}\` is a ${cfg.socketType} socket: only PUB sends a topic frame`,
      ]);
    }
    return sender.send(toFrames(msg, asked ?? cfg.topic), cfg);
  }
}
