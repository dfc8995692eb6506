/**
 * Incremental parser of an HTTP/1.x response head (status line and header lines, up to the empty
 * line) and the framing of the body that follows. Strict like llhttp: CRLF line ends, token header
 * names, no control characters, digits-only content-length. Headers come out as undici gives them:
 * lowercase names, latin1 values without surrounding whitespace, a repeated header as an array of
 * its values in order.
 */
import { HttpParseError } from './errors.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** No body (HEAD, 1xx, 204, 304, content-length: 0). */
export const NO_BODY = 0;
/** `length` bytes. */
export const BY_LENGTH = 1;
/** transfer-encoding: chunked. */
export const CHUNKED = 2;
/** Everything until the server closes the connection. */
export const UNTIL_CLOSE = 3;
export type Framing = typeof NO_BODY | typeof BY_LENGTH | typeof CHUNKED | typeof UNTIL_CLOSE;

export const MAX_HEAD_BYTES = 64 * 1024;
/** A head of the maximum size plus its final CRLFCRLF fits in this many bytes. */
const KEEP_MAX = MAX_HEAD_BYTES + 4;

/** Characters no response head may contain (CR and LF are checked per line). */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** RFC 9110 token characters (header names). */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || TOKEN[c] === 0) return false;
  }
  return true;
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** Placeholder until a head is parsed (saves an object per answer); never handed out. */
const NONE: ResponseHeaders = Object.freeze({}) as ResponseHeaders;

/** Index of `\r\n\r\n` in b[from, end), or -1. */
function headEnd(b: Buffer, from: number, end: number): number {
  const i = b.indexOf(HEAD_END, from);
  return i === -1 || i + 4 > end ? -1 : i;
}

export class ResponseHead {
  status = 0;
  headers: ResponseHeaders = NONE;
  framing: Framing = NO_BODY;
  /** Body size with BY_LENGTH. */
  length = 0;
  /** The server allows another request on this connection. */
  keepAlive = true;
  /** The server's `keep-alive: timeout=N` in ms, or -1. */
  keepAliveHintMs = -1;

  private pending: Buffer | null = null;
  private pendingLen = 0;

  /** Forgets the previous head (after a 1xx answer). */
  reset(): void {
    this.status = 0;
    this.headers = NONE;
    this.framing = NO_BODY;
    this.length = 0;
    this.keepAlive = true;
    this.keepAliveHintMs = -1;
    this.pending = null;
    this.pendingLen = 0;
  }

  /** True while part of a head has been received but not all of it. */
  get started(): boolean {
    return this.pendingLen > 0;
  }

  /**
   * Feeds bytes `chunk[start..]`. Returns the index in `chunk` where the body starts once the head is
   * complete (then `status`, `headers`, `framing`... are set), or -1 if more bytes are needed.
   * `headRequest`: the request was HEAD (no body whatever the headers say). Throws HttpParseError.
   */
  feed(chunk: Buffer, start: number, headRequest: boolean): number {
    if (this.pendingLen === 0) {
      const i = headEnd(chunk, start, chunk.length);
      if (i !== -1) {
        if (i + 4 - start > MAX_HEAD_BYTES) throw overflow();
        this.parse(chunk.toString('latin1', start, i + 2), headRequest);
        return i + 4;
      }
      if (chunk.length - start >= KEEP_MAX) throw overflow();
      this.keep(chunk, start);
      return -1;
    }
    const before = this.pendingLen;
    this.keep(chunk, start);
    const buf = this.pending!;
    const i = headEnd(buf, before > 3 ? before - 3 : 0, this.pendingLen);
    if (i === -1) {
      if (this.pendingLen >= KEEP_MAX) throw overflow();
      return -1;
    }
    if (i + 4 > MAX_HEAD_BYTES) throw overflow();
    this.parse(buf.toString('latin1', 0, i + 2), headRequest);
    this.pending = null;
    this.pendingLen = 0;
    return start + (i + 4 - before);
  }

  /** Keeps the start of a head that is not complete yet (never more than KEEP_MAX bytes). */
  private keep(chunk: Buffer, start: number): void {
    const n = Math.min(chunk.length - start, KEEP_MAX - this.pendingLen);
    const need = this.pendingLen + n;
    let buf = this.pending;
    if (buf === null || buf.length < need) {
      const grown = Buffer.allocUnsafe(Math.min(KEEP_MAX, Math.max(need, 2 * (buf?.length ?? 512))));
      if (buf !== null) buf.copy(grown, 0, 0, this.pendingLen);
      this.pending = buf = grown;
    }
    chunk.copy(buf, this.pendingLen, start, start + n);
    this.pendingLen = need;
  }

  /** Parses `s`: the status line and header lines, each with its CRLF (no final empty line). */
  private parse(s: string, headRequest: boolean): void {
    if (CONTROL.test(s)) throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', 'Invalid character in the response head');
    // HTTP/1.x SSS[ reason]
    if (
      s.charCodeAt(0) !== 72 ||
      s.charCodeAt(1) !== 84 ||
      s.charCodeAt(2) !== 84 ||
      s.charCodeAt(3) !== 80 ||
      s.charCodeAt(4) !== 47
    ) {
      throw new HttpParseError('HPE_INVALID_CONSTANT', 'Expected HTTP/');
    }
    const minor = s.charCodeAt(7);
    if (s.charCodeAt(5) !== 49 || s.charCodeAt(6) !== 46 || (minor !== 48 && minor !== 49) || s.charCodeAt(8) !== 32) {
      throw new HttpParseError('HPE_INVALID_VERSION', 'Invalid HTTP version');
    }
    const d0 = s.charCodeAt(9) - 48;
    const d1 = s.charCodeAt(10) - 48;
    const d2 = s.charCodeAt(11) - 48;
    const after = s.charCodeAt(12);
    if (!(d0 >= 1 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9) || (after !== 32 && after !== 13)) {
      throw new HttpParseError('HPE_INVALID_STATUS', 'Invalid status code');
    }
    const status = d0 * 100 + d1 * 10 + d2;
    let pos = lineEnd(s, 12) + 2;

    const headers: ResponseHeaders = {};
    let contentLength = -1;
    let te: string | undefined;
    let connection: string | undefined;
    let keepAliveHeader: string | undefined;
    while (pos < s.length) {
      const eol = lineEnd(s, pos);
      const colon = s.indexOf(':', pos);
      if (colon === -1 || colon > eol || colon === pos)
        throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header line');
      const name = s.slice(pos, colon).toLowerCase();
      if (!isToken(name)) throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header name');
      let a = colon + 1;
      let b = eol;
      while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
      while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
      const value = s.slice(a, b);
      pos = eol + 2;

      const prev = headers[name];
      if (prev === undefined) headers[name] = value;
      else if (typeof prev === 'string') headers[name] = [prev, value];
      else if (Array.isArray(prev)) prev.push(value);
      // An inherited member of Object.prototype (`constructor`, `__proto__`...): an own property instead.
      else Object.defineProperty(headers, name, { value, enumerable: true, configurable: true, writable: true });

      switch (name.length) {
        case 10:
          if (name === 'connection') connection = connection === undefined ? value : `${connection},${value}`;
          else if (name === 'keep-alive') keepAliveHeader = value;
          break;
        case 14:
          if (name === 'content-length') {
            const n = digits(value);
            if (n < 0) throw new HttpParseError('HPE_INVALID_CONTENT_LENGTH', 'Invalid content-length');
            if (contentLength !== -1 && contentLength !== n)
              throw new HttpParseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Conflicting content-length headers');
            contentLength = n;
          }
          break;
        case 17:
          if (name === 'transfer-encoding') te = te === undefined ? value : `${te},${value}`;
          break;
      }
    }

    this.status = status;
    this.headers = headers;
    let keepAlive = minor === 49;
    if (connection !== undefined) {
      const c = connection.toLowerCase();
      if (c === 'keep-alive') keepAlive = true;
      else if (c === 'close') keepAlive = false;
      else {
        for (const t of c.split(',')) {
          const tok = t.trim();
          if (tok === 'close') {
            keepAlive = false;
            break;
          }
          if (tok === 'keep-alive') keepAlive = true;
        }
      }
    }
    this.keepAliveHintMs = keepAliveHeader === undefined ? -1 : timeoutHint(keepAliveHeader);

    if (te !== undefined && contentLength !== -1) {
      throw new HttpParseError(
        'HPE_UNEXPECTED_CONTENT_LENGTH',
        'Content-Length can not be present with Transfer-Encoding',
      );
    }
    if (headRequest || status < 200 || status === 204 || status === 304) {
      this.framing = NO_BODY;
    } else if (te !== undefined) {
      const comma = te.lastIndexOf(',');
      const last = (comma === -1 ? te : te.slice(comma + 1)).trim().toLowerCase();
      if (last === 'chunked') this.framing = CHUNKED;
      else {
        this.framing = UNTIL_CLOSE;
        keepAlive = false;
      }
    } else if (contentLength !== -1) {
      this.framing = contentLength === 0 ? NO_BODY : BY_LENGTH;
      this.length = contentLength;
    } else {
      this.framing = UNTIL_CLOSE;
      keepAlive = false;
    }
    this.keepAlive = keepAlive;
  }
}

/** Index of the CR of the line starting at or before `from`; a bare CR or LF is malformed. */
function lineEnd(s: string, from: number): number {
  const lf = s.indexOf('\n', from);
  const cr = s.indexOf('\r', from);
  if (lf === -1 || cr !== lf - 1) throw new HttpParseError('HPE_LF_EXPECTED', 'Bare CR or LF in the response head');
  return cr;
}

/** A non-negative decimal integer, or -1. */
function digits(v: string): number {
  if (v.length === 0 || v.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** `timeout=N` of a keep-alive header, in ms; -1 if absent. */
function timeoutHint(v: string): number {
  const i = v.toLowerCase().indexOf('timeout=');
  if (i === -1) return -1;
  let n = 0;
  let j = i + 8;
  for (; j < v.length && j < i + 16; j++) {
    const d = v.charCodeAt(j) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return j === i + 8 ? -1 : n * 1000;
}

function overflow(): HttpParseError {
  return new HttpParseError('HPE_HEADER_OVERFLOW', `Response head larger than ${MAX_HEAD_BYTES} bytes`);
}
