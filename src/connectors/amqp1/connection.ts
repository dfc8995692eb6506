/**
 * One managed AMQP 1.0 connection for a `definitions.amqp1`: connects, reconnects with capped backoff,
 * opens each link in its own session (a failed attach ends its session on RabbitMQ, so it must not take
 * the others with it), and closes within a bound, releasing the socket and rhea's heartbeat timers.
 *
 * rhea's own reconnect is off: after a reconnect, deliveries and unsettled sends of the old connection
 * belong to a dead session. Owners learn about it through `onDown`/`onUp` and the `generation` counter,
 * and re-attach their links themselves on the new connection.
 */
import { randomUUID } from 'node:crypto';
import rhea, {
  type Connection,
  type EventContext,
  type Receiver,
  type ReceiverOptions,
  type Sender,
  type SenderOptions,
  type Session,
} from 'rhea';
import { WharfError } from '../../errors.js';
import type { ServiceLogger } from '../../service/service.js';
import type { Amqp1Definition } from './definition.js';
import { conditionOf, describeAmqpError } from './errors.js';
import { connectionOptions } from './options.js';

export type ConnectionState = 'idle' | 'connecting' | 'up' | 'down' | 'closed';

export interface Amqp1ConnectionOptions {
  /** For log lines and the AMQP connection id: `channel.amqp1 orders`. */
  label: string;
  definition: Amqp1Definition;
  logger: ServiceLogger;
  onUp?(generation: number): void;
  onDown?(reason: string): void;
  /** Give up a TCP + SASL + open handshake after this long. Default 10000. */
  connectTimeoutMs?: number;
  /** First reconnect delay; doubles per failed attempt up to maxReconnectDelayMs. Defaults 100 / 3000. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

export interface AttachedLink<L> {
  link: L;
  session: Session;
  /** The connection generation the link belongs to. */
  generation: number;
}

const ATTACH_TIMEOUT_MS = 10_000;

function destroyQuietly(conn: Connection): void {
  const c = conn as Connection & {
    socket?: { destroy(): void };
    heartbeat_out?: NodeJS.Timeout;
    heartbeat_in?: NodeJS.Timeout;
    abort_idle?: NodeJS.Timeout;
    scheduled_reconnect?: NodeJS.Timeout;
  };
  for (const t of [c.heartbeat_out, c.heartbeat_in, c.abort_idle, c.scheduled_reconnect]) if (t) clearTimeout(t);
  c.heartbeat_out = undefined;
  c.heartbeat_in = undefined;
  c.abort_idle = undefined;
  c.scheduled_reconnect = undefined;
  try {
    c.socket?.destroy();
  } catch {
    /* already gone */
  }
}

export class Amqp1Connection {
  state: ConnectionState = 'idle';
  generation = 0;
  lastError: string | undefined;
  private conn: Connection | undefined;
  private readonly container = rhea.create_container({ id: `wharf-${randomUUID()}` });
  private retryTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private lastLogged: string | undefined;
  private readonly firstOutcome: Promise<void>;
  private resolveFirst!: () => void;
  private readonly downListeners = new Set<(reason: string) => void>();

  constructor(private readonly opts: Amqp1ConnectionOptions) {
    this.firstOutcome = new Promise((r) => (this.resolveFirst = r));
    // Every event rhea dispatches that nobody handled lands on the container; keep it from throwing.
    this.container.on('error', () => undefined);
  }

  get definition(): Amqp1Definition {
    return this.opts.definition;
  }

  /** The open rhea connection, if any. */
  get current(): Connection | undefined {
    return this.state === 'up' ? this.conn : undefined;
  }

  /** Starts connecting (and reconnecting until closed). */
  open(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /** Resolves after the first attempt succeeded or failed, or after `ms`; never rejects. */
  async waitFirst(ms: number): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.firstOutcome, new Promise<void>((r) => (t = setTimeout(r, ms)))]);
    clearTimeout(t);
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.state === 'closed') return;
    this.state = 'connecting';
    const id = `${this.opts.label} ${randomUUID().slice(0, 8)}`;
    let conn: Connection;
    try {
      conn = this.container.connect(connectionOptions(this.opts.definition, id));
    } catch (e) {
      this.lost(undefined, e);
      return;
    }
    this.conn = conn;
    this.connectTimer = setTimeout(
      () =>
        this.lost(
          conn,
          new Error(
            `no AMQP open from ${this.opts.definition.host}:${this.opts.definition.port} within ${this.opts.connectTimeoutMs ?? 10_000} ms`,
          ),
        ),
      this.opts.connectTimeoutMs ?? 10_000,
    );
    conn.on('connection_open', () => {
      if (conn !== this.conn || this.state === 'closed') return;
      clearTimeout(this.connectTimer);
      this.failures = 0;
      this.state = 'up';
      this.generation++;
      if (this.lastLogged !== undefined)
        this.opts.logger.info(
          `${this.opts.label}: connected to ${this.opts.definition.host}:${this.opts.definition.port} again`,
        );
      this.lastError = undefined;
      this.lastLogged = undefined;
      this.resolveFirst();
      this.opts.onUp?.(this.generation);
    });
    const onLost = (ctx: EventContext) =>
      this.lost(conn, ctx.error ?? ctx.connection?.error ?? 'connection closed by the broker');
    conn.on('connection_error', onLost);
    conn.on('connection_close', onLost);
    conn.on('disconnected', onLost);
    conn.on('protocol_error', (err: unknown) => this.lost(conn, err));
    conn.on('error', (err: unknown) => this.lost(conn, err));
  }

  private lost(conn: Connection | undefined, error: unknown): void {
    if (conn !== this.conn || this.state === 'closed') return;
    clearTimeout(this.connectTimer);
    this.conn = undefined;
    if (conn) destroyQuietly(conn);
    const reason = describeAmqpError(error);
    const wasUp = this.state === 'up';
    this.state = 'down';
    this.lastError = reason;
    this.failures++;
    const delay = Math.min(
      (this.opts.reconnectDelayMs ?? 100) * 2 ** Math.min(this.failures - 1, 16),
      this.opts.maxReconnectDelayMs ?? 3_000,
    );
    if (reason !== this.lastLogged) {
      const where = `${this.opts.definition.host}:${this.opts.definition.port}`;
      this.opts.logger.warn(
        `${this.opts.label}: ${wasUp ? 'connection to' : 'cannot connect to'} ${where} ${wasUp ? 'lost' : 'failed'}: ${reason}; retrying`,
      );
      this.lastLogged = reason;
    }
    this.resolveFirst();
    for (const l of [...this.downListeners]) l(reason);
    if (wasUp) this.opts.onDown?.(reason);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  attachReceiver(options: ReceiverOptions): Promise<AttachedLink<Receiver>> {
    return this.attach('receiver', options);
  }

  attachSender(options: SenderOptions): Promise<AttachedLink<Sender>> {
    return this.attach('sender', options);
  }

  private attach<L extends Receiver | Sender>(
    kind: 'receiver' | 'sender',
    options: ReceiverOptions | SenderOptions,
  ): Promise<AttachedLink<L>> {
    const conn = this.current;
    if (!conn)
      return Promise.reject(
        new WharfError('WHARF_ERR_UPSTREAM', [
          `${this.opts.label}: not connected to the broker${this.lastError ? ` (${this.lastError})` : ''}`,
        ]),
      );
    const generation = this.generation;
    const session = conn.create_session();
    session.begin();
    const link = (kind === 'receiver' ? session.attach_receiver(options) : session.attach_sender(options)) as L;
    const address = kind === 'receiver' ? (options as ReceiverOptions).source : (options as SenderOptions).target;
    const addr = typeof address === 'string' ? address : address?.address;
    return new Promise<AttachedLink<L>>((resolve, reject) => {
      const openEvent = kind === 'receiver' ? 'receiver_open' : 'sender_open';
      const errorEvents = kind === 'receiver' ? ['receiver_error', 'receiver_close'] : ['sender_error', 'sender_close'];
      const cleanup = (): void => {
        clearTimeout(timer);
        link.removeListener(openEvent, onOpen);
        for (const e of errorEvents) link.removeListener(e, onLinkFail);
        session.removeListener('session_error', onSessionFail);
        session.removeListener('session_close', onSessionFail);
        this.downListeners.delete(onDown);
      };
      const fail = (error: unknown): void => {
        cleanup();
        try {
          if (this.current === conn) session.close();
        } catch {
          /* the session is gone with the connection */
        }
        const condition = conditionOf(error);
        reject(
          new WharfError(
            'WHARF_ERR_UPSTREAM',
            [`${this.opts.label}: cannot attach a ${kind} to \`${addr}\`: ${describeAmqpError(error)}`],
            condition ? { details: { condition } } : {},
          ),
        );
      };
      const onOpen = (): void => {
        cleanup();
        resolve({ link, session, generation });
      };
      const onLinkFail = (): void => fail(link.error ?? session.error ?? 'link detached by the broker');
      const onSessionFail = (): void => fail(session.error ?? link.error ?? 'session ended by the broker');
      const onDown = (reason: string): void => fail(`connection lost: ${reason}`);
      const timer = setTimeout(() => fail(`no answer within ${ATTACH_TIMEOUT_MS} ms`), ATTACH_TIMEOUT_MS);
      link.once(openEvent, onOpen);
      for (const e of errorEvents) link.on(e, onLinkFail);
      session.on('session_error', onSessionFail);
      session.on('session_close', onSessionFail);
      this.downListeners.add(onDown);
    });
  }

  /** Calls `fn` once when the connection is lost (unless it is removed first); returns the remover. */
  onceDown(fn: (reason: string) => void): () => void {
    const once = (reason: string): void => {
      this.downListeners.delete(once);
      fn(reason);
    };
    this.downListeners.add(once);
    return () => this.downListeners.delete(once);
  }

  /** Closes the connection (close frame, then the socket) within `timeoutMs`; stops reconnecting. */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.state === 'closed') return;
    const conn = this.conn;
    const wasUp = this.state === 'up';
    this.state = 'closed';
    this.conn = undefined;
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    this.resolveFirst();
    for (const l of [...this.downListeners]) l('connection closed');
    if (!conn) return;
    if (wasUp) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        const done = (): void => {
          clearTimeout(t);
          resolve();
        };
        conn.once('connection_close', done);
        conn.once('disconnected', done);
        try {
          conn.close();
        } catch {
          done();
        }
      });
    }
    destroyQuietly(conn);
  }
}
