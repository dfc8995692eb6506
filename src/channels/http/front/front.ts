/**
 * Wharf's HTTP/1.1 front: the worker's listening socket. Requests routed to a channel (service or proxy)
 * in the plain, common shape are parsed and answered here, straight on the socket — one read, one
 * write — which costs about half of what node:http does per request. Everything else (the admin API,
 * unknown paths, chunked bodies, Expect/Upgrade, malformed requests) is handed, connection and all, to
 * the node:http server, which never listens itself. `WHARF_HTTP_FRONT=node` turns the front off: node:http
 * then takes every connection.
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { DispatchHooks } from '../dispatch.js';
import type { ChannelRouter } from '../router.js';
import { FrontConnection, type ConnectionHost } from './connection.js';

export interface FrontOptions {
  router: ChannelRouter<unknown>;
  hooks: DispatchHooks;
  /** The node:http server that takes the connections the front hands off. */
  fallback: HttpServer;
  /** Idle keep-alive connections are closed after this long (node:http's keepAliveTimeout). */
  keepAliveMs: number;
  /** A request head must arrive within this long (node:http's headersTimeout). */
  headersTimeoutMs: number;
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

  constructor(private readonly opts: FrontOptions) {
    this.router = opts.router;
    this.hooks = opts.hooks;
    this.keepAliveSeconds = Math.max(1, Math.round(opts.keepAliveMs / 1000));
    this.server = createNetServer({ noDelay: true }, (socket) => {
      if (this.stopping) {
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
        this.sweeper = setInterval(() => this.sweep(), Math.min(5000, this.opts.headersTimeoutMs)).unref();
        resolve();
      });
    });
  }

  handOff(socket: Socket, pending: Buffer | null): void {
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

  /** Stops accepting; idle connections close now, busy ones after their answer. Resolves when all are gone. */
  close(): Promise<void> {
    this.stopping = true;
    if (this.sweeper) clearInterval(this.sweeper);
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = new Promise<void>((resolve) => {
      this.onEmpty = resolve;
      if (this.conns.size === 0) resolve();
    });
    this.closeIdle();
    return Promise.all([listenerClosed, drained]).then(() => undefined);
  }

  closeIdle(): void {
    for (const c of this.conns) if (c.idle) c.closeWhenIdle();
    this.opts.fallback.closeIdleConnections();
  }

  closeAll(): void {
    for (const c of this.conns) c.socket.destroy();
    this.opts.fallback.closeAllConnections();
  }

  /** Drops connections whose request head has been arriving for longer than headersTimeoutMs. */
  private sweep(): void {
    const limit = Date.now() - this.opts.headersTimeoutMs;
    for (const c of this.conns) if (c.partialSince !== 0 && c.partialSince < limit && c.waitingForHead) c.socket.destroy();
  }
}
