/**
 * Parses an HTTP/1.x request head for Wharf's front, strictly: only the plain, common shape is taken
 * (origin-form target, HTTP/1.0 or 1.1, well-formed header lines, at most one Content-Length, no
 * Transfer-Encoding, Upgrade or Expect). Anything else is `handoff`: node:http gets the bytes and
 * answers as it always does (400, 431, chunked bodies, 100-continue...). Headers come out as node:http
 * presents them (lower-case names; repeats joined with ", ", `set-cookie` as a list, `cookie` joined
 * with "; ", repeats of single-valued headers dropped), in a null-prototype object: a header named
 * `constructor` or `__proto__` is just a header.
 * Where node:http (llhttp) refuses, the front hands off too, so node:http answers — never waits: a bare LF
 * line end is handed off as soon as it arrives, not at the head deadline. Where node:http accepts what
 * RFC 9112 forbids (HTTP/0.9 and 2.0 request lines, two Host headers) the front hands off as well and
 * the node:http listener refuses it (see ../handler.ts `checkRequest`).
 */
export const MAX_HEAD_BYTES = 16 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
/** node:http keeps the first of these when a request repeats them. */
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A value may hold tab, visible ASCII and obs-text; no other control character (CR LF only as line ends).
const BAD_HEADERS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;
const BAD_TARGET = /[^\x21-\x7e]/;

export type RequestHeaders = Record<string, string | string[]>;

export interface RequestHead {
  kind: 'head';
  method: string;
  url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: 0 | 1;
  headers: RequestHeaders;
  /** Offset just past the blank line that ends the head. */
  end: number;
  contentLength: number;
  /** Whether the client lets the connection stay open after this request. */
  keepAlive: boolean;
}

export type HeadResult = RequestHead | { kind: 'incomplete' } | { kind: 'handoff'; reason: string };

const INCOMPLETE = { kind: 'incomplete' } as const;
const handoff = (reason: string): HeadResult => ({ kind: 'handoff', reason });

export function parseRequestHead(buf: Buffer, start: number): HeadResult {
  const at = buf.indexOf(CRLFCRLF, start);
  if (at === -1) {
    if (buf.length - start > MAX_HEAD_BYTES) return handoff('head too large');
    return hasBareLf(buf, start) ? handoff('bare LF') : INCOMPLETE;
  }
  if (at - start > MAX_HEAD_BYTES) return handoff('head too large');
  const head = buf.toString('latin1', start, at);
  const eol = head.indexOf('\r\n');
  const line = eol === -1 ? head : head.slice(0, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 === -1 || line.indexOf(' ', sp2 + 1) !== -1) return handoff('request line');
  const method = line.slice(0, sp1);
  const url = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!METHODS.has(method)) return handoff('method');
  if (url.charCodeAt(0) !== 47 /* / */ || BAD_TARGET.test(url)) return handoff('target');
  const minor = version === 'HTTP/1.1' ? 1 : version === 'HTTP/1.0' ? 0 : -1;
  if (minor === -1) return handoff('version');
  // No control character but tab anywhere in the header lines (a bare CR or LF included).
  if (eol !== -1 && BAD_HEADERS.test(head.slice(eol + 2))) return handoff('header value');
  const headers = Object.create(null) as RequestHeaders;
  let contentLength = 0;
  let connection: string | undefined;
  let pos = eol === -1 ? head.length : eol + 2;
  while (pos < head.length) {
    let next = head.indexOf('\r\n', pos);
    if (next === -1) next = head.length;
    const c0 = head.charCodeAt(pos);
    if (c0 === 32 || c0 === 9) return handoff('folded header');
    const colon = head.indexOf(':', pos);
    if (colon === -1 || colon >= next || colon === pos) return handoff('header line');
    const name = lowerName(head.slice(pos, colon));
    if (name === undefined) return handoff('header name');
    let vs = colon + 1;
    let ve = next;
    while (vs < ve && isSpace(head.charCodeAt(vs))) vs++;
    while (ve > vs && isSpace(head.charCodeAt(ve - 1))) ve--;
    const value = head.slice(vs, ve);
    pos = next + 2;
    switch (name) {
      case 'content-length':
        // llhttp takes spaces and tabs before the digits but only spaces after them.
        if (headers[name] !== undefined || !/^[0-9]{1,15}$/.test(value) || head.slice(ve, next).includes('\t'))
          return handoff('content-length');
        contentLength = Number(value);
        break;
      case 'host':
        if (headers[name] !== undefined) return handoff('two hosts');
        break;
      case 'transfer-encoding':
      case 'upgrade':
      case 'expect':
        return handoff(name);
      case 'connection':
        connection = connection === undefined ? value : `${connection}, ${value}`;
        break;
    }
    addHeader(headers, name, value);
  }
  if (minor === 1 && headers['host'] === undefined) return handoff('no host');
  let keepAlive = minor === 1;
  if (connection !== undefined) {
    const c = connection.toLowerCase();
    if (/(^|,)\s*upgrade\s*(,|$)/.test(c)) return handoff('connection: upgrade');
    if (/(^|,)\s*close\s*(,|$)/.test(c)) keepAlive = false;
    else if (minor === 0 && /(^|,)\s*keep-alive\s*(,|$)/.test(c)) keepAlive = true;
  }
  return { kind: 'head', method, url, minor: minor as 0 | 1, headers, end: at + 4, contentLength, keepAlive };
}

/** Lower-case names of the header names seen (validated once each): no regex or toLowerCase per header. */
const names = new Map<string, string>();
function lowerName(raw: string): string | undefined {
  let lower = names.get(raw);
  if (lower === undefined) {
    if (!TOKEN.test(raw)) return undefined;
    lower = raw.toLowerCase();
    if (names.size < 1024) names.set(raw, lower);
  }
  return lower;
}

const isSpace = (c: number): boolean => c === 32 || c === 9;

/** Whether an unfinished head already holds a line ended by LF alone (node:http answers 400 at once). */
function hasBareLf(buf: Buffer, start: number): boolean {
  let i = buf.indexOf(10, start);
  while (i !== -1) {
    if (i === start || buf[i - 1] !== 13) return true;
    i = buf.indexOf(10, i + 1);
  }
  return false;
}

/** Adds one header (lower-case name) the way node:http joins repeats. */
export function addHeader(headers: RequestHeaders, name: string, value: string): void {
  const prev = headers[name];
  if (prev === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
  else if (name === 'set-cookie') (prev as string[]).push(value);
  else if (SINGLE.has(name)) return;
  else headers[name] = `${prev as string}${name === 'cookie' ? '; ' : ', '}${value}`;
}
