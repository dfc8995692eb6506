/**
 * Serialises a Reply for Wharf's HTTP/1.1 front the way node:http would write it: status line with the
 * standard reason, the reply's headers (names as given; a list repeats the header), `Date` unless the
 * reply has one, `Connection: keep-alive` + `Keep-Alive: timeout=…` or `Connection: close`, then the
 * body (none for HEAD) — in one Buffer, so one write. Header names must be tokens and values must not
 * hold control characters (as node:http checks): otherwise `InvalidReplyHeader` is thrown.
 */
import { STATUS_CODES } from 'node:http';
import type { Reply } from '../dispatch.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** Connection-level headers are the front's own; a reply's are dropped. */
const OWN = new Set(['connection', 'keep-alive', 'transfer-encoding']);

export class InvalidReplyHeader extends Error {
  constructor(readonly header: string) {
    super(`invalid response header ${JSON.stringify(header)}`);
    this.name = 'InvalidReplyHeader';
  }
}

/** Lower-case forms of the names seen (validated once each). */
const names = new Map<string, string>();
function lowerName(name: string): string {
  let lower = names.get(name);
  if (lower === undefined) {
    if (!TOKEN.test(name)) throw new InvalidReplyHeader(name);
    lower = name.toLowerCase();
    if (names.size < 1024) names.set(name, lower);
  }
  return lower;
}

let dateSecond = -1;
let dateValue = '';
function httpDate(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateValue = new Date(now).toUTCString();
  }
  return dateValue;
}

const statusLines = new Map<number, string>();
function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    if (statusLines.size < 1000) statusLines.set(status, line);
  }
  return line;
}

export function replyBytes(reply: Reply, keepAliveSeconds: number | 0, head: boolean): Buffer {
  let s = statusLine(reply.status);
  let hasDate = false;
  const headers = reply.headers;
  for (const name in headers) {
    const v = headers[name]!;
    const lower = lowerName(name);
    if (lower === 'date') hasDate = true;
    else if (OWN.has(lower)) continue;
    if (Array.isArray(v)) {
      for (const one of v) {
        if (BAD_VALUE.test(one)) throw new InvalidReplyHeader(name);
        s += `${name}: ${one}\r\n`;
      }
    } else {
      const one = typeof v === 'number' ? String(v) : v;
      if (BAD_VALUE.test(one)) throw new InvalidReplyHeader(name);
      s += `${name}: ${one}\r\n`;
    }
  }
  if (!hasDate) s += `Date: ${httpDate()}\r\n`;
  s +=
    keepAliveSeconds > 0
      ? `Connection: keep-alive\r\nKeep-Alive: timeout=${keepAliveSeconds}\r\n\r\n`
      : 'Connection: close\r\n\r\n';
  const body = head ? undefined : reply.body;
  if (body === undefined || body.length === 0) return Buffer.from(s, 'latin1');
  const bodyLen = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const out = Buffer.allocUnsafe(s.length + bodyLen);
  out.write(s, 0, 'latin1');
  if (typeof body === 'string') out.write(body, s.length, 'utf8');
  else body.copy(out, s.length);
  return out;
}
