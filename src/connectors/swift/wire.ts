/**
 * What goes over the wire to Swift: paths, headers and metadata encoding, listings' query strings,
 * replies' headers read back, and the request/reply records the client sends and retries.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ObjectInfo } from './types.js';

export const EMPTY = Buffer.alloc(0);

/** Encodes an object name per path segment: `/` stays, and `.`/`..` segments are encoded too. */
export function encodeSwiftPath(name: string): string {
  return name
    .split('/')
    .map((seg) => (seg === '.' || seg === '..' ? seg.replaceAll('.', '%2E') : encodeURIComponent(seg)))
    .join('/');
}

export function isStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}

export function md5(body: string | Uint8Array): string {
  return createHash('md5').update(body).digest('hex');
}

export function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1');
}

/** Header values are latin1 on the wire; Swift metadata is UTF-8, so its bytes are sent and read as such. */
export function toWire(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}
export function fromWire(value: string): string {
  return /^[\x00-\x7f]*$/.test(value) ? value : Buffer.from(value, 'latin1').toString('utf8');
}

export function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function metaHeaders(
  kind: 'Object' | 'Container',
  metadata: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata ?? {})) out[`X-${kind}-Meta-${k}`] = toWire(v);
  return out;
}

export function metadataOf(
  headers: Record<string, string>,
  kind: 'object' | 'container' | 'account',
): Record<string, string> {
  const prefix = `x-${kind}-meta-`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = fromWire(v);
  return out;
}

export function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function date(v: string | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function objectInfo(headers: Record<string, string>): ObjectInfo {
  const info: ObjectInfo = { headers, metadata: metadataOf(headers, 'object') };
  const contentType = headers['content-type'];
  const etag = unquote(headers['etag']);
  const contentLength = num(headers['content-length']);
  const lastModified = date(headers['last-modified']);
  if (contentType !== undefined) info.contentType = contentType;
  if (etag !== undefined) info.etag = etag;
  if (contentLength !== undefined) info.contentLength = contentLength;
  if (lastModified !== undefined) info.lastModified = lastModified;
  return info;
}

export function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Passes a stream through unchanged while computing its MD5. */
export function hashingStream(source: Readable): {
  stream: Readable;
  digest: () => string;
} {
  const hash = createHash('md5');
  let digest: string | undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  source.on('error', (e) => tap.destroy(e));
  source.pipe(tap);
  return { stream: tap, digest: () => (digest ??= hash.digest('hex')) };
}

/** What an operation is about, for error messages. */
export interface Target {
  operation: string;
  container?: string;
  object?: string;
  /** Overrides "<operation> <container>/<object> failed" in messages. */
  head?: string;
}

/** One HTTP exchange, described once and sent one or more times. */
export interface Exchange {
  method: Dispatcher.HttpMethod;
  origin: string;
  /** Encoded path plus query string. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | Readable;
  /** Return a 2xx response body as a stream. */
  stream?: boolean;
  timeoutMs: number;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** The body, unless it is streamed. */
  data: Buffer;
  stream?: Readable;
}

/** How a retried exchange ended when it did not succeed in the end. */
export interface Outcome {
  reply: Reply;
  note?: string;
}

/** A storage request relative to the storage URL. */
export interface StorageRequest {
  method: Dispatcher.HttpMethod;
  /** Encoded path below the storage URL (`''`, `/container` or `/container/object`) plus query. */
  path: string;
  headers?: Record<string, string> | undefined;
  body?: string | Uint8Array | Readable;
  stream?: boolean;
  timeoutMs?: number | undefined;
}

export interface Session {
  token: string;
  origin: string;
  basePath: string;
  /** ms since epoch; the token is renewed shortly before. */
  expiresAt?: number;
}
