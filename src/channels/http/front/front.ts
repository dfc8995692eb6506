/**
 * Wharf's HTTP/1.1 front: the worker's listening socket. Requests routed to a channel (service or proxy)
 * in the plain, common shape are parsed and answered here, straight on the socket — one read, one
 * write — which costs about half of what node:http does per request. Everything else (the admin API,
 * unknown paths, chunked bodies, Expect/Upgrade, malformed requests) is handed, connection and all, to
 * the node:http server, which never listens itself. `WHARF_HTTP_FRONT=node` turns the front off: node:http
 * then takes every connection.
 * Edges: a head deadline and a body deadline (total time and a minimum rate), both answered 408 and
 * checked by one sweeper (no timer per request); a cap on connections per worker (handed-off ones
 * count too: they were accepted by this listener).
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { DispatchHooks } from '../dispatch.js';
import type { ChannelRouter } from '../router.js';
import { FrontConnection, type ConnectionHost, type FrontLimits } from './connection.js';

/** Defaults of the front's edges (server.yaml `http:` overrides the configurable ones). */
export const FRONT_DEFAULTS = {
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  bodyMinBytesPerSec: 1024,
  bodyRateGraceMs: 5000,
  closeGraceMs: 2000,
  maxConnections: 10_000,
} as const;

export interface FrontOptions {
  router: ChannelRouter<unknown>;
  hooks: DispatchHooks;
  /** The node:http server that takes the connections the front hands off. */
  fallback: HttpServer;
  /** Idle keep-alive connections are closed after this long (node:http's keepAliveTimeout). */
  keepAliveMs: number;
  /** A request head must arrive within this long (node:http's headersTimeout); past it: 408. */
  headersTimeoutMs: number;
  /** A request body must arrive within this long from its first byte; past it: 408. */
  bodyTimeoutMs?: number;
  /** A body still arriving after bodyRateGraceMs must have come at this average rate at least; else 408. */
  bodyMinBytesPerSec?: number;
  bodyRateGraceMs?: number;
  /** A closing connection whose answer the client does not read is destroyed after this long. */
  closeGraceMs?: number;
  /** Connections this worker's listener holds at most (handed-off ones included); more are closed at once. */
  maxConnections?: number;
}

export function frontEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['WHARF_HTTP_FRONT'] !== 'node';
}

export class HttpFront implements ConnectionHost {
  readonly server: NetServer;
  readonly router: ChannelRouter<unknown>;
  readonly hooks: DispatchHooks;
  readonly keepAliveSeconds: number;
  stopping = false;
  private readonly conns = new Set<FrontConnection>();
  private sweeper: NodeJS.Timeout | undefined;
  private onEmpty: (() => void) | undefined;
  private readonly limits: FrontLimits;
  private readonly maxConnections: number;
  /** Connections handed to node:http and still open (they count towards the cap). */
  private handedOff = 0;
  private readonly onHandedOffClose = (): void => {
    this.handedOff--;
  };

  constructor(private readonly opts: FrontOptions) {
    this.router = opts.router;
    this.hooks = opts.hooks;
    this.keepAliveSeconds = Math.max(1, Math.round(opts.keepAliveMs / 1000));
    this.limits = {
      headTimeoutMs: opts.headersTimeoutMs,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? FRONT_DEFAULTS.bodyTimeoutMs,
      bodyMinBytesPerSec: opts.bodyMinBytesPerSec ?? FRONT_DEFAULTS.bodyMinBytesPerSec,
      bodyRateGraceMs: opts.bodyRateGraceMs ?? FRONT_DEFAULTS.bodyRateGraceMs,
      closeGraceMs: opts.closeGraceMs ?? FRONT_DEFAULTS.closeGraceMs,
    };
    this.maxConnections = opts.maxConnections ?? FRONT_DEFAULTS.maxConnections;
    this.server = createNetServer({ noDelay: true }, (socket) => {
      // Over the cap: closed at once. (Not net.Server.maxConnections: under node:cluster's round-robin a
      // worker that refuses a connection makes the primary queue it again, so it is never closed.)
      if (this.stopping || this.conns.size + this.handedOff >= this.maxConnections) {
        socket.destroy();
        return;
      }
      this.conns.add(new FrontConnection(socket, this));
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', reject);
        // node:http tracks connections (closeIdleConnections, headersTimeout) from its 'listening' on.
        this.opts.fallback.emit('listening');
        const l = this.limits;
        const every = Math.max(10, Math.min(1000, l.headTimeoutMs / 4, l.bodyTimeoutMs / 4, l.closeGraceMs / 4));
        this.sweeper = setInterval(() => this.sweep(), every).unref();
        resolve();
      });
    });
  }

  handOff(socket: Socket, pending: Buffer | null): void {
    if (socket.destroyed) return;
    this.handedOff++;
    socket.once('close', this.onHandedOffClose);
    socket.pause();
    if (pending !== null && pending.length > 0) socket.unshift(pending);
    this.opts.fallback.emit('connection', socket);
    process.nextTick(() => socket.resume());
  }

  closed(conn: FrontConnection): void {
    this.conns.delete(conn);
    if (this.conns.size === 0 && this.onEmpty) this.onEmpty();
  }

  /** Number of connections the front itself holds (handed-off ones belong to node:http). */
  get connections(): number {
    return this.conns.size;
  }

  /** Request bytes the front holds, over all its connections. */
  get heldBytes(): number {
    let n = 0;
    for (const c of this.conns) n += c.heldBytes;
    return n;
  }

  /** Stops accepting; idle connections close now, busy ones after their answer. Resolves when all are gone. */
  close(): Promise<void> {
    this.stopping = true;
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = new Promise<void>((resolve) => {
      this.onEmpty = resolve;
      if (this.conns.size === 0) resolve();
    });
    this.closeIdle();
    // The sweeper runs on until the last connection is gone (deadlines, and closing connections' grace).
    return Promise.all([listenerClosed, drained]).then(() => {
      if (this.sweeper) clearInterval(this.sweeper);
    });
  }

  closeIdle(): void {
    for (const c of this.conns) if (c.idle) c.closeWhenIdle();
    this.opts.fallback.closeIdleConnections();
  }

  closeAll(): void {
    for (const c of this.conns) c.socket.destroy();
    this.opts.fallback.closeAllConnections();
  }

  /** Head and body deadlines (408), and closing connections past their grace. */
  private sweep(): void {
    const now = Date.now();
    for (const c of this.conns) c.sweep(now, this.limits);
  }
}
