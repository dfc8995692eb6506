/**
 * Keep-alive TCP connections to one origin (host, port). At most `connections` sockets (connecting,
 * busy or idle); more waiters queue FIFO. Idle sockets are reused last-in first-out, closed after
 * 4 s idle (less than the 5 s keep-alive of common servers, or less than the server's own
 * `keep-alive: timeout` hint) and dropped the moment the server ends them. Socket events are bound
 * once per connection and handed to the connection's current user: nothing is allocated per request.
 */
import { connect, type Socket } from 'node:net';
import { CodedError, closedEarly, poolClosed } from './errors.js';

/** Default idle time before an unused connection is closed. */
export const IDLE_MS = 4000;
const SWEEP_MS = 250;

/** Whoever uses a connection: gets its bytes and its end. */
export interface ConnUser {
  onData(chunk: Buffer): void;
  /** The server ended the connection (EOF). */
  onEnd(): void;
  /** The connection failed or was closed. */
  onError(err: Error): void;
}

/** Whoever waits for a connection. */
export interface Waiter {
  /** Wants a new connection, not an idle one. */
  readonly fresh: boolean;
  onConn(conn: Conn): void;
  onConnError(err: Error): void;
}

export interface SocketPoolOptions {
  host: string;
  port: number;
  /** Maximum sockets. */
  connections: number;
  /** A connect taking longer fails with UND_ERR_CONNECT_TIMEOUT (undici's code for it). */
  connectTimeoutMs?: number;
  /** Idle time before a connection is closed (default 4 s). */
  idleMs?: number;
  /** The request's `host` header value (default host:port, as undici sends it for the origin). */
  hostHeader?: string;
}

export class Conn {
  user: ConnUser | null = null;
  /** Waits for this connection to be established. */
  waiter: Waiter | null = null;
  /** Requests started on it (> 0 when handed out again: a reused connection). */
  uses = 0;
  connected = false;
  /** Gone from the pool (closed, failed or destroyed): never handed out again. */
  gone = false;
  idle = false;
  expiresAt = 0;

  constructor(
    readonly socket: Socket,
    readonly pool: SocketPool,
  ) {}
}

export class SocketPool {
  readonly host: string;
  readonly port: number;
  readonly max: number;
  /** `host: …\r\n`, ready to put in a request head. */
  readonly hostLine: string;
  private readonly connectTimeoutMs: number;
  private readonly idleMs: number;
  private readonly all = new Set<Conn>();
  private readonly idleList: Conn[] = [];
  private readonly queue: Waiter[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private closing = false;
  private destroyed = false;
  /** Resolves the promises of `close()` calls. */
  private readonly closeWaiters: (() => void)[] = [];

  constructor(o: SocketPoolOptions) {
    this.host = o.host;
    this.port = o.port;
    this.max = Math.max(1, o.connections);
    this.connectTimeoutMs = o.connectTimeoutMs ?? 10_000;
    this.idleMs = o.idleMs ?? IDLE_MS;
    this.hostLine = `host: ${o.hostHeader ?? (o.host.includes(':') ? `[${o.host}]:${o.port}` : `${o.host}:${o.port}`)}\r\n`;
  }

  /** Open sockets (connecting, busy or idle). */
  get size(): number {
    return this.all.size;
  }

  get idleCount(): number {
    return this.idleList.length;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Gives `w` a connection: an idle one at once, a new one once connected, or the next one free. */
  acquire(w: Waiter): void {
    // A closing pool takes no new requests; a fresh connection for one already running (stale retry) is fine.
    if (this.destroyed || (this.closing && !w.fresh)) {
      w.onConnError(poolClosed());
      return;
    }
    const idle = this.idleList;
    if (!w.fresh) {
      while (idle.length > 0) {
        const c = idle.pop()!;
        c.idle = false;
        if (c.gone || c.socket.destroyed) {
          this.drop(c);
          continue;
        }
        c.uses++;
        w.onConn(c);
        return;
      }
    }
    if (this.all.size < this.max) this.open(w);
    else if (w.fresh && idle.length > 0) {
      // Make room: the oldest idle connection gives its place to a new one.
      const old = idle.shift()!;
      old.idle = false;
      this.drop(old, false);
      this.open(w);
    } else this.queue.push(w);
  }

  /** `w` no longer wants a connection (timeout, abort). */
  cancel(w: Waiter): void {
    const i = this.queue.indexOf(w);
    if (i !== -1) {
      this.queue.splice(i, 1);
      if (this.closing && !this.destroyed && this.all.size === 0 && this.queue.length === 0) void this.destroy();
      return;
    }
    // A connection being opened for it: it goes to the next waiter or the idle list once open.
    for (const c of this.all) {
      if (c.waiter === w) {
        c.waiter = null;
        return;
      }
    }
  }

  /**
   * Takes back a connection whose answer was read completely and that may serve another request.
   * `hintMs`: the server's `keep-alive: timeout` (ms, -1 if none): idle time stays 1 s below it.
   */
  release(c: Conn, hintMs = -1): void {
    c.user = null;
    const idleMs = hintMs < 0 ? this.idleMs : Math.min(this.idleMs, hintMs - 1000);
    if (c.gone || this.destroyed || c.socket.destroyed || idleMs <= 0) {
      this.drop(c);
      return;
    }
    const w = this.queue.shift();
    if (w !== undefined) {
      if (w.fresh) {
        this.drop(c, false);
        this.open(w);
      } else {
        c.uses++;
        w.onConn(c);
      }
      return;
    }
    if (this.closing) {
      this.drop(c);
      return;
    }
    c.idle = true;
    c.expiresAt = performance.now() + idleMs;
    this.idleList.push(c);
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(this.sweep, SWEEP_MS);
      this.sweeper.unref();
    }
  }

  /** Closes a connection that must not be reused (failure, not keep-alive, leftover bytes). */
  discard(c: Conn): void {
    c.user = null;
    this.drop(c);
  }

  /** Lets running and queued requests finish for up to `ms`, then destroys every connection. */
  close(ms: number): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    if (!this.closing) {
      this.closing = true;
      for (const c of this.idleList.splice(0)) {
        c.idle = false;
        this.drop(c, false);
      }
    }
    if (this.all.size === 0 && this.queue.length === 0) {
      void this.destroy();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.destroy(), ms);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Fails queued and running requests and closes every connection. */
  destroy(): Promise<void> {
    if (!this.destroyed) {
      this.destroyed = true;
      this.closing = true;
      for (const w of this.queue.splice(0)) w.onConnError(poolClosed());
      for (const c of [...this.all]) {
        const u = c.user;
        const w = c.waiter;
        c.user = null;
        c.waiter = null;
        this.drop(c, false);
        if (u !== null) u.onError(poolClosed());
        else if (w !== null) w.onConnError(poolClosed());
      }
      this.idleList.length = 0;
      this.stopSweeper();
    }
    for (const done of this.closeWaiters.splice(0)) done();
    return Promise.resolve();
  }

  private open(w: Waiter | null): void {
    const socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
    });
    const c = new Conn(socket, this);
    c.waiter = w;
    this.all.add(c);
    socket.setTimeout(this.connectTimeoutMs);
    socket.on('connect', () => this.onConnect(c));
    socket.on('timeout', () => {
      if (!c.connected)
        socket.destroy(new CodedError('UND_ERR_CONNECT_TIMEOUT', `connect timeout (${this.connectTimeoutMs} ms)`));
    });
    socket.on('data', (chunk: Buffer) => {
      const u = c.user;
      if (u !== null) u.onData(chunk);
      else this.drop(c); // bytes nobody asked for: the connection is out of step
    });
    socket.on('end', () => {
      const u = c.user;
      c.user = null;
      // The user first (a stale retry asks for a new connection before this one's place is freed).
      u?.onEnd();
      this.drop(c);
    });
    socket.on('error', (err: Error) => this.onFailure(c, err));
    socket.on('close', () => this.onFailure(c, closedEarly()));
  }

  private onConnect(c: Conn): void {
    c.connected = true;
    c.socket.setTimeout(0);
    const w = c.waiter;
    c.waiter = null;
    if (w !== null) {
      c.uses++;
      w.onConn(c);
    } else this.release(c);
  }

  private onFailure(c: Conn, err: Error): void {
    const u = c.user;
    const w = c.waiter;
    c.user = null;
    c.waiter = null;
    if (u !== null) u.onError(err);
    else if (w !== null) {
      this.drop(c);
      w.onConnError(err);
    }
    this.drop(c);
  }

  /** Removes a connection for good and (`serve`) lets the next waiter open one in its place. */
  private drop(c: Conn, serve = true): void {
    if (c.gone) return;
    c.gone = true;
    this.all.delete(c);
    if (c.idle) {
      c.idle = false;
      const i = this.idleList.indexOf(c);
      if (i !== -1) this.idleList.splice(i, 1);
    }
    if (!c.socket.destroyed) c.socket.destroy();
    if (!serve) return;
    if (this.queue.length > 0 && this.all.size < this.max && !this.destroyed) this.open(this.queue.shift()!);
    else if (this.closing && !this.destroyed && this.all.size === 0 && this.queue.length === 0) void this.destroy();
  }

  private readonly sweep = (): void => {
    const idle = this.idleList;
    if (idle.length === 0) {
      this.stopSweeper();
      return;
    }
    const now = performance.now();
    for (let i = idle.length - 1; i >= 0; i--) {
      const c = idle[i]!;
      if (c.expiresAt <= now) this.drop(c);
    }
  };

  private stopSweeper(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
