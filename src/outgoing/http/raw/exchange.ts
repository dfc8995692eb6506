/**
 * One buffered HTTP/1.1 request/response over a SocketPool connection, with the contract of
 * `exchange()` (../exchange.ts): one exact deadline covering waiting for a socket, connecting, sending
 * and reading the whole answer (ExchangeAbort 'timeout'), `maxBytes` ('too-large'), the caller's
 * signal ('aborted'), 1xx answers skipped, and errors carrying the codes `networkError()` maps
 * (ECONNREFUSED..., ECONNRESET for an answer cut short, HPE_* for a malformed one). A failed
 * connection is destroyed, never reused. A reused keep-alive connection the server closed before
 * answering (the stale keep-alive race) is retried once on a new one, for idempotent methods only.
 */
import { deadline, ExchangeAbort, type ExchangeRequest, type RawExchange } from '../exchange.js';
import { ChunkedDecoder, type ChunkSink } from './chunked.js';
import { closedEarly, CodedError, HttpParseError } from './errors.js';
import { serializeRequest, type RequestBytes } from './request.js';
import { BY_LENGTH, CHUNKED, NO_BODY, ResponseHead } from './response-head.js';
import type { Conn, ConnUser, SocketPool, Waiter } from './socket-pool.js';

const EMPTY = Buffer.alloc(0);
/** Methods safe to send again when a reused connection was closed before any byte of the answer. */
const RETRY_ON_STALE = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

const WAITING = 0; // for a connection
const HEAD = 1; // sent; reading the answer's head
const BODY = 2; // reading the body
const DONE = 3;

class RawOp implements Waiter, ConnUser, ChunkSink {
  fresh = false;
  resolve!: (x: RawExchange) => void;
  reject!: (e: unknown) => void;
  private conn: Conn | null = null;
  private phase = WAITING;
  private reused = false;
  private gotBytes = false;
  private readonly head = new ResponseHead();
  private readonly headRequest: boolean;
  private chunked: ChunkedDecoder | null = null;
  /** Body of known length, filled as it arrives. */
  private fixed: Buffer | null = null;
  private filled = 0;
  private chunks: Buffer[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: SocketPool,
    private readonly req: ExchangeRequest,
    private readonly out: RequestBytes,
  ) {
    this.headRequest = req.method === 'HEAD';
  }

  start(): void {
    const ms = this.req.timeoutMs;
    this.timer = deadline(
      ms,
      () => this.fail(new ExchangeAbort('timeout', ms)),
      (t) => (this.timer = t),
    );
    this.req.signal?.addEventListener('abort', this, { once: true });
    this.pool.acquire(this);
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.fail(new ExchangeAbort('aborted', 0, this.req.signal?.reason));
  }

  onConn(conn: Conn): void {
    if (this.phase === DONE) {
      this.pool.release(conn);
      return;
    }
    this.conn = conn;
    conn.user = this;
    this.reused = conn.uses > 1;
    this.phase = HEAD;
    const o = this.out;
    const s = conn.socket;
    if (o.whole !== null) s.write(o.whole);
    else if (o.body === null) s.write(o.head, 'latin1');
    else {
      s.cork();
      s.write(o.head, 'latin1');
      s.write(o.body!);
      s.uncork();
    }
  }

  onConnError(err: Error): void {
    if (this.phase !== DONE) this.fail(err);
  }

  onData(chunk: Buffer): void {
    if (this.phase === DONE) return;
    this.gotBytes = true;
    try {
      if (this.phase === HEAD) this.headBytes(chunk, 0);
      else if (this.fixed !== null) this.lengthBytes(chunk);
      else if (this.chunked !== null) this.chunkedBytes(chunk, 0);
      else this.onBodyData(chunk);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  onEnd(): void {
    if (this.phase === DONE) return;
    // Read until close: the end is the end of the body.
    if (this.phase === BODY && this.fixed === null && this.chunked === null) this.complete(this.collected(), true);
    else this.onError(closedEarly());
  }

  onError(err: Error): void {
    if (this.phase === DONE) return;
    const c = this.conn;
    this.conn = null;
    if (this.phase === HEAD && this.reused && !this.gotBytes && !this.fresh && RETRY_ON_STALE.has(this.req.method)) {
      // The server closed the idle connection as we reused it: the request was not processed. Asking
      // before giving the old one back keeps a closing pool from ending under the retry.
      this.fresh = true;
      this.phase = WAITING;
      this.head.reset();
      this.pool.acquire(this);
      if (c !== null) this.pool.discard(c);
      return;
    }
    if (c !== null) this.pool.discard(c);
    this.fail(err);
  }

  /** Part of a chunked body, from the decoder. */
  onBodyData(data: Buffer): boolean {
    this.size += data.length;
    if (this.size > this.req.maxBytes) {
      this.fail(new ExchangeAbort('too-large', this.req.maxBytes));
      return false;
    }
    this.chunks.push(data);
    return true;
  }

  private headBytes(chunk: Buffer, start: number): void {
    for (;;) {
      const at = this.head.feed(chunk, start, this.headRequest);
      if (at === -1) return;
      const status = this.head.status;
      if (status >= 200) {
        this.phase = BODY;
        this.bodyStart(chunk, at);
        return;
      }
      if (status === 101) throw new HttpParseError('HPE_INVALID_STATUS', 'Unexpected 101 Switching Protocols');
      // 1xx informational: the real answer follows.
      this.head.reset();
      if (at >= chunk.length) return;
      start = at;
    }
  }

  private bodyStart(chunk: Buffer, at: number): void {
    const h = this.head;
    const avail = chunk.length - at;
    if (h.framing === NO_BODY) this.complete(EMPTY, avail > 0);
    else if (h.framing === BY_LENGTH) {
      const len = h.length;
      if (len > this.req.maxBytes) this.fail(new ExchangeAbort('too-large', this.req.maxBytes));
      else if (avail >= len)
        this.complete(at === 0 && len === chunk.length ? chunk : chunk.subarray(at, at + len), avail > len);
      else {
        this.fixed = Buffer.allocUnsafe(len);
        chunk.copy(this.fixed, 0, at);
        this.filled = avail;
      }
    } else if (h.framing === CHUNKED) {
      this.chunked = new ChunkedDecoder();
      if (avail > 0) this.chunkedBytes(chunk, at);
    } else if (avail > 0) this.onBodyData(at === 0 ? chunk : chunk.subarray(at));
  }

  private lengthBytes(chunk: Buffer): void {
    const fixed = this.fixed!;
    const need = fixed.length - this.filled;
    if (chunk.length >= need) {
      chunk.copy(fixed, this.filled, 0, need);
      this.complete(fixed, chunk.length > need);
    } else {
      chunk.copy(fixed, this.filled);
      this.filled += chunk.length;
    }
  }

  private chunkedBytes(chunk: Buffer, start: number): void {
    const end = this.chunked!.feed(chunk, start, this);
    if (end !== -1 && this.phase !== DONE) this.complete(this.collected(), end < chunk.length);
  }

  private collected(): Buffer {
    const c = this.chunks;
    return c.length === 0 ? EMPTY : c.length === 1 ? c[0]! : Buffer.concat(c, this.size);
  }

  /** Stops the deadline and the signal listener; false if the exchange had already ended. */
  private settle(): boolean {
    if (this.phase === DONE) return false;
    this.phase = DONE;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.req.signal?.removeEventListener('abort', this);
    return true;
  }

  /** The whole answer is here; `leftover`: bytes followed it (the connection is out of step). */
  private complete(body: Buffer, leftover: boolean): void {
    if (!this.settle()) return;
    const c = this.conn;
    this.conn = null;
    const h = this.head;
    if (c !== null) {
      if (!leftover && h.keepAlive && this.out.reusable) this.pool.release(c, h.keepAliveHintMs);
      else this.pool.discard(c);
    }
    this.chunks = [];
    this.fixed = null;
    this.resolve({ status: h.status, headers: h.headers, body });
  }

  private fail(e: Error): void {
    const waiting = this.phase === WAITING;
    if (!this.settle()) return;
    const c = this.conn;
    this.conn = null;
    if (c !== null) this.pool.discard(c);
    else if (waiting) this.pool.cancel(this);
    this.chunks = [];
    this.fixed = null;
    this.reject(e);
  }
}

/** Sends a request with a buffered (or no) body over `pool` and reads the whole answer. */
export function rawExchange(pool: SocketPool, req: ExchangeRequest): Promise<RawExchange> {
  const signal = req.signal;
  if (signal?.aborted) return Promise.reject(new ExchangeAbort('aborted', 0, signal.reason));
  const body = req.body;
  if (body != null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return Promise.reject(new CodedError('ERR_INVALID_ARG_TYPE', 'a stream body needs the undici client'));
  }
  let out: RequestBytes;
  try {
    out = serializeRequest(req.method, req.path, pool.hostLine, req.headers, body);
  } catch (e) {
    return Promise.reject(e);
  }
  const op = new RawOp(pool, req, out);
  return new Promise<RawExchange>((resolve, reject) => {
    op.resolve = resolve;
    op.reject = reject;
    op.start();
  });
}
