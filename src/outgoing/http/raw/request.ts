/**
 * Serialises an HTTP/1.1 request the way undici writes it: `METHOD path HTTP/1.1`, `host`,
 * `connection`, the given headers in order (arrays as repeated lines, names as given), then
 * `content-length` computed from the body. Names must be tokens and values must not hold control
 * characters (errors with Node's codes ERR_INVALID_HTTP_TOKEN / ERR_INVALID_CHAR); headers only the
 * client may set are refused (ERR_INVALID_ARG_VALUE). A small request goes out as one Buffer.
 */
import { CodedError } from './errors.js';
import { isToken } from './response-head.js';

export type RequestBodyBytes = Buffer | string | Uint8Array;

/** The request, ready to write: `head` (latin1) and `body`, or both in `whole`. */
export interface RequestBytes {
  /** head + body in one Buffer (small requests with a body), else null. */
  whole: Buffer | null;
  head: string;
  body: RequestBodyBytes | null;
  /** The connection may be reused after the answer (false for HEAD, `connection: close`, a body on GET...). */
  reusable: boolean;
}

/** Requests up to this size are copied into one Buffer (one write, no writev). */
const WHOLE_MAX = 16 * 1024;

/** Like undici: these methods expect a body, and get `content-length: 0` without one. */
function expectsPayload(m: string): boolean {
  return m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'QUERY' || m === 'PROPFIND' || m === 'PROPPATCH';
}

/** Anything but HTAB, visible ASCII and obs-text (Node's and undici's rule for header values). */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** A path is visible latin1 only (undici's rule). */
const BAD_PATH = /[^\u0021-\u00ff]/;

function invalid(code: string, msg: string): CodedError {
  return new CodedError(code, msg);
}

function checkValue(name: string, v: string): void {
  if (BAD_VALUE.test(v)) throw invalid('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
}

export function serializeRequest(
  method: string,
  path: string,
  hostLine: string,
  headers: Readonly<Record<string, string | string[]>>,
  body: RequestBodyBytes | null | undefined,
): RequestBytes {
  if (!isToken(method)) throw invalid('ERR_INVALID_HTTP_TOKEN', `Method must be a valid HTTP token ["${method}"]`);
  if ((path.charCodeAt(0) !== 47 && !path.startsWith('http://')) || BAD_PATH.test(path)) {
    throw invalid('ERR_INVALID_ARG_VALUE', `invalid request path ${JSON.stringify(path)}`);
  }
  let host = hostLine;
  let close = method === 'HEAD';
  let lines = '';
  for (const name in headers) {
    const v = headers[name] as string | string[] | undefined | null;
    if (v === undefined) continue;
    if (!isToken(name)) throw invalid('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
    const len = name.length;
    // Names the client handles itself, found by length before any lowercasing.
    if (len === 4 || len === 6 || len === 7 || len === 10 || len === 14 || len === 17) {
      const lc = name.toLowerCase();
      if (lc === 'host') {
        if (typeof v !== 'string') throw invalid('ERR_INVALID_ARG_VALUE', 'invalid host header');
        checkValue(name, v);
        host = `host: ${v}\r\n`;
        continue;
      }
      if (lc === 'content-length') continue; // computed from the body
      if (lc === 'connection') {
        const s = String(v);
        checkValue(name, s);
        if (/(^|,)\s*close\s*(,|$)/i.test(s)) close = true;
        continue;
      }
      if (lc === 'transfer-encoding' || lc === 'keep-alive' || lc === 'upgrade' || lc === 'expect') {
        throw invalid('ERR_INVALID_ARG_VALUE', `invalid ${lc} header`);
      }
    }
    if (typeof v === 'string') {
      checkValue(name, v);
      lines += `${name}: ${v}\r\n`;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const s = v[i] === null ? '' : String(v[i]);
        checkValue(name, s);
        lines += `${name}: ${s}\r\n`;
      }
    } else {
      const s = v === null ? '' : String(v);
      checkValue(name, s);
      lines += `${name}: ${s}\r\n`;
    }
  }

  let b: RequestBodyBytes | null = body ?? null;
  let size = 0;
  if (b !== null) {
    size = typeof b === 'string' ? Buffer.byteLength(b, 'utf8') : b.byteLength;
    if (size === 0) b = null;
  }
  const payload = expectsPayload(method);
  // A body on a method that does not expect one may confuse the server: no reuse (as undici).
  if (b !== null && !payload) close = true;
  const head = `${method} ${path} HTTP/1.1\r\n${host}${close ? 'connection: close\r\n' : 'connection: keep-alive\r\n'}${lines}${b !== null || payload ? `content-length: ${size}\r\n` : ''}\r\n`;

  let whole: Buffer | null = null;
  // Without a body the head string is written as is (node encodes it straight into the socket).
  if (b !== null && head.length + size <= WHOLE_MAX) {
    whole = Buffer.allocUnsafe(head.length + size);
    whole.write(head, 0, 'latin1');
    if (typeof b === 'string') whole.write(b, head.length, 'utf8');
    else whole.set(b, head.length);
  }
  return { whole, head, body: b, reusable: !close };
}
