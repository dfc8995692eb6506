/**
 * One client connection on Wharf's HTTP/1.1 front. Requests are read and answered one at a time, in
 * order (pipelined requests wait in the buffer). A request the front takes — plain shape, routed to a
 * channel — is dispatched and its Reply written in one write; the first request it does not take
 * (admin API, unknown path, chunked body, Expect, Upgrade, anything malformed) hands the connection,
 * with every byte not yet answered, to node:http for good.
 * Deadlines are checked by the front's sweeper (no timer per request): a head not complete within the
 * head deadline, or a body slower than the body deadline (total time, or a minimum rate after a grace),
 * is answered 408 and the connection closed. Once the front decides to close (413, 408, `Connection:
 * close`, HTTP/1.0) it stops buffering: buffers dropped, the data listener removed, the socket ended with
 * the answer. Once the answer is flushed, further bytes are discarded unread (a lingering close, so a
 * client still uploading gets its 413 instead of a reset) until the client closes or the close grace
 * ends; the sweeper then destroys the socket (also one whose client never reads its answer).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { normalizeError, WharfError } from '../../../errors.js';
import { dispatch, errorReply, logFailure, type ChannelCall, type DispatchHooks, type Reply } from '../dispatch.js';
import type { HttpRoute } from '../route.js';
import type { ChannelRouter } from '../router.js';
import { JSON_OPTS } from '../handler.js';
import { codecs } from '../../../service/formats/index.js';
import { MAX_HEAD_BYTES, parseRequestHead, type RequestHead } from './request-head.js';
import { InvalidReplyHeader, replyBytes } from './reply-bytes.js';

export interface ConnectionHost {
  readonly router: ChannelRouter<unknown>;
  readonly hooks: DispatchHooks;
  readonly keepAliveSeconds: number;
  readonly stopping: boolean;
  /** Gives the socket (with `pending` bytes put back) to node:http. */
  handOff(socket: Socket, pending: Buffer | null): void;
  closed(conn: FrontConnection): void;
}

/** The deadlines the sweeper enforces (ms; bytes per second). */
export interface FrontLimits {
  headTimeoutMs: number;
  bodyTimeoutMs: number;
  bodyMinBytesPerSec: number;
  /** The minimum rate applies once a body has been arriving for this long. */
  bodyRateGraceMs: number;
  /** A closing connection is destroyed this long after the front decided to close (answer flushed or not). */
  closeGraceMs: number;
}

interface Pending {
  head: RequestHead;
  route: HttpRoute;
  params: Record<string, string>;
  qs: string;
  /** Offset of the end of this request's body in the buffer. */
  need: number;
}

const noop = (): void => {};
const EMPTY: Buffer = Buffer.alloc(0);

export class FrontConnection {
  /** Bytes received and not yet answered, from the start of the current request. */
  private buf: Buffer | null = null;
  /** While a body arrives in pieces: the pieces (joined once complete). */
  private parts: Buffer[] | null = null;
  private size = 0;
  private pending: Pending | null = null;
  private busy = false;
  private done = false;
  /** When the current request's first byte arrived (headers timeout), 0 when none is partial. */
  partialSince = 0;
  /** When the current request's body started to arrive in pieces, 0 when none is. */
  private bodySince = 0;
  /** When the front decided to close (answer written, socket ending), 0 while open. */
  private closingSince = 0;

  constructor(
    readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', noop);
    socket.on('close', this.onClose);
    socket.setTimeout(host.keepAliveSeconds * 1000, this.onTimeout);
  }

  get idle(): boolean {
    return !this.busy && this.buf === null;
  }

  /** Request bytes the front holds for this connection. */
  get heldBytes(): number {
    return this.done ? 0 : this.size;
  }

  /** Called by the front's sweeper: enforces the head and body deadlines and the closing grace. */
  sweep(now: number, limits: FrontLimits): void {
    if (this.closingSince !== 0) {
      if (now - this.closingSince > limits.closeGraceMs) this.socket.destroy();
      return;
    }
    if (this.done || this.busy) return;
    if (this.pending === null) {
      if (this.partialSince !== 0 && this.buf !== null && now - this.partialSince > limits.headTimeoutMs)
        this.timedOut('head', `not complete within ${limits.headTimeoutMs} ms`, undefined);
      return;
    }
    if (this.bodySince === 0) return;
    const elapsed = now - this.bodySince;
    if (elapsed > limits.bodyTimeoutMs)
      return this.timedOut('body', `not complete within ${limits.bodyTimeoutMs} ms`, this.pending.route);
    if (
      elapsed > limits.bodyRateGraceMs &&
      (this.size - this.pending.head.end) * 1000 < limits.bodyMinBytesPerSec * elapsed
    ) {
      this.timedOut('body', `under ${limits.bodyMinBytesPerSec} bytes/s`, this.pending.route);
    }
  }

  private timedOut(what: 'head' | 'body', why: string, route: HttpRoute | undefined): void {
    const cid = randomUUID();
    const err = new WharfError('WHARF_ERR_REQUEST_TIMEOUT', [what, why]);
    const where = route === undefined ? 'HTTP front' : `channel ${route.config.name}`;
    logFailure(this.host.hooks.logger, err, cid, where);
    if (route !== undefined) this.host.hooks.observe?.(route.config.name, route.target, err.status, 0);
    const reply =
      route === undefined
        ? errorReply(err, cid, codecs.json, JSON_OPTS)
        : errorReply(err, cid, route.codec, route.codecOpts);
    this.write(reply, false, false);
  }

  /** Ends the connection now when idle, else after the reply in progress. */
  closeWhenIdle(): void {
    if (!this.busy && !this.done) {
      this.finish();
      this.socket.end();
    }
  }

  private readonly onClose = (): void => {
    this.done = true;
    this.host.closed(this);
  };

  /** No byte for keepAliveSeconds: an idle or stalled client is let go (never one waiting for its answer). */
  private readonly onTimeout = (): void => {
    if (!this.busy) this.socket.destroy();
  };

  private readonly onData = (d: Buffer): void => {
    if (this.done) return;
    if (this.parts !== null) {
      this.parts.push(d);
      this.size += d.length;
    } else if (this.buf === null) {
      this.buf = d;
      this.size = d.length;
      this.partialSince = Date.now();
    } else {
      this.buf = Buffer.concat([this.buf, d]);
      this.size = this.buf.length;
    }
    if (!this.busy) this.pump();
    else if (this.size > MAX_HEAD_BYTES * 4) this.socket.pause(); // a client flooding pipelined requests
  };

  private pump(): void {
    while (!this.busy && !this.done) {
      if (this.pending === null) {
        const buf = this.buf;
        if (buf === null) return;
        const r = parseRequestHead(buf, 0);
        if (r.kind === 'incomplete') return;
        if (r.kind === 'handoff') {
          this.handOff();
          return;
        }
        if (!this.accept(r)) return;
      }
      const p = this.pending!;
      if (this.size < p.need) {
        if (this.parts === null) {
          this.parts = [this.buf!];
          this.bodySince = Date.now();
        }
        return;
      }
      if (this.parts !== null) {
        this.buf = Buffer.concat(this.parts, this.size);
        this.parts = null;
        this.bodySince = 0;
      }
      const buf = this.buf!;
      const body = p.head.contentLength === 0 ? EMPTY : buf.subarray(p.head.end, p.need);
      this.buf = buf.length > p.need ? buf.subarray(p.need) : null;
      this.size = this.buf === null ? 0 : this.buf.length;
      this.partialSince = this.buf === null ? 0 : Date.now();
      this.pending = null;
      this.run(p, body);
    }
  }

  /** Decides whether the front serves this request (else hands the connection off). */
  private accept(head: RequestHead): boolean {
    const q = head.url.indexOf('?');
    const path = q === -1 ? head.url : head.url.slice(0, q);
    if (path.startsWith('/wharf/')) return this.handOff();
    const match = this.host.router.find(head.method, path);
    if (match.kind !== 'found') return this.handOff();
    const route = match.route as HttpRoute;
    if (head.contentLength > route.config.maxBodySize) {
      // Not read: answered and closed, as the rest of the stream cannot be trusted.
      this.busy = true;
      const cid = randomUUID();
      const err = new WharfError('WHARF_ERR_BODY_TOO_LARGE', [route.config.maxBodySize]);
      logFailure(this.host.hooks.logger, err, cid, `channel ${route.config.name}`);
      this.host.hooks.observe?.(route.config.name, route.target, err.status, 0);
      this.write(errorReply(err, cid, route.codec, route.codecOpts), head.method === 'HEAD', false);
      return false;
    }
    this.pending = {
      head,
      route,
      params: match.params,
      qs: q === -1 ? '' : head.url.slice(q + 1),
      need: head.end + head.contentLength,
    };
    return true;
  }

  private run(p: Pending, body: Buffer): void {
    this.busy = true;
    const head = p.head;
    const call: ChannelCall = {
      method: head.method,
      headers: head.headers,
      params: p.params,
      qs: p.qs,
      cid: randomUUID(),
      readBody: (limit) =>
        body.length > limit
          ? Promise.reject(new WharfError('WHARF_ERR_BODY_TOO_LARGE', [limit]))
          : Promise.resolve(body),
      discardBody: noop,
    };
    void dispatch(p.route, call, this.host.hooks).then((reply) => {
      try {
        this.write(reply, head.method === 'HEAD', head.keepAlive, p.route, call.cid);
      } catch (e) {
        this.host.hooks.logger.error('HTTP front: cannot write a reply', {
          cid: call.cid,
          message: e instanceof Error ? e.message : String(e),
        });
        this.socket.destroy();
      }
    });
  }

  private write(reply: Reply, isHead: boolean, keepAlive: boolean, route?: HttpRoute, cid?: string): void {
    if (this.done) return;
    const keep = keepAlive && !this.host.stopping;
    let bytes: Buffer;
    try {
      bytes = replyBytes(reply, keep ? this.host.keepAliveSeconds : 0, isHead);
    } catch (e) {
      if (!(e instanceof InvalidReplyHeader) || route === undefined || cid === undefined) throw e;
      const err = normalizeError(e, cid);
      logFailure(this.host.hooks.logger, err, cid, `channel ${route.config.name}`);
      bytes = replyBytes(
        errorReply(err, cid, route.codec, route.codecOpts),
        keep ? this.host.keepAliveSeconds : 0,
        isHead,
      );
    }
    if (!keep) {
      this.finish();
      this.socket.end(bytes);
      return;
    }
    const flushed = this.socket.write(bytes);
    this.busy = false;
    if (this.socket.isPaused()) this.socket.resume();
    if (flushed) this.pump();
    else this.socket.once('drain', () => this.pump());
  }

  /** Closes the connection now when idle, or (write path) after the answer: stops reading, drops every buffered byte. */
  private finish(): void {
    this.done = true;
    this.busy = false;
    this.buf = null;
    this.parts = null;
    this.pending = null;
    this.size = 0;
    this.partialSince = 0;
    this.bodySince = 0;
    this.closingSince = Date.now();
    const s = this.socket;
    s.removeListener('data', this.onData);
    s.pause();
    s.once('finish', this.linger);
  }

  /** The answer is flushed: discard what the client still sends (nothing is kept) until it closes or the grace ends. */
  private readonly linger = (): void => {
    this.socket.on('data', noop);
    this.socket.resume();
  };

  private handOff(): false {
    this.done = true;
    const s = this.socket;
    s.removeListener('data', this.onData);
    s.removeListener('error', noop);
    s.removeListener('close', this.onClose);
    s.removeListener('timeout', this.onTimeout);
    s.setTimeout(0);
    this.host.closed(this);
    const pending = this.parts !== null ? Buffer.concat(this.parts, this.size) : this.buf;
    this.buf = null;
    this.parts = null;
    this.host.handOff(s, pending);
    return false;
  }
}
