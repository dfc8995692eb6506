/**
 * What a service gets from `this.outgoing.http('CRM')`: typed calls that send payloads in the
 * connection's data format and parse the answers, plus a raw pass-through for proxies.
 */
import type { Readable } from 'node:stream';
import type { PassThroughOutgoing } from '../../connectors/types.js';
import { HttpStatusError, malformedError, usageError } from './errors.js';
import type { HttpMethod } from './fields.js';
import type { OutgoingHttpConfig } from './kind.js';
import { CONTENT_TYPES, encodePayload, parseAnswer, ParseProblem, type RequestBody } from './payload.js';
import type { Transport } from './transport.js';
import { buildPath, type QueryValue } from './url.js';

export type { ParamValue, QueryValue } from './url.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface HttpCallOptions {
  /** The body: serialised per the connection's data format (a Buffer, string or stream is sent as is). */
  payload?: unknown;
  /** Fills `{name}` placeholders of the path; the others are added to the query string. */
  params?: Readonly<Record<string, QueryValue>>;
  /** Extra query parameters (arrays repeat the key). */
  query?: Readonly<Record<string, QueryValue>>;
  headers?: Readonly<Record<string, string>>;
  /** Overrides the connection's path for this call (placeholders allowed). */
  path?: string;
  /** Overrides the connection's timeout for this call. */
  timeoutMs?: number;
  /** Cancels the call (e.g. the service's own `this.signal`). */
  signal?: AbortSignal;
  /** Return the answer's bytes as `payload` without parsing. */
  raw?: boolean;
  /** Overrides the connection's `throwOnHttpError`. */
  throwOnHttpError?: boolean;
  /** Declares the call safe to retry (default: by method — GET, HEAD, PUT, DELETE, OPTIONS). */
  idempotent?: boolean;
}

export interface HttpRequestOptions extends HttpCallOptions {
  method?: HttpMethod;
}

export interface HttpResult<P = unknown> {
  status: number;
  headers: ResponseHeaders;
  /** JSON value, `{ root: {...} }` for XML, a string for plain, a Buffer for raw (or with `raw: true`). */
  payload: P;
  /** The answer's body as received. */
  raw: Buffer;
}

export interface PassThroughRequest {
  method: string;
  /** Path (and query) after the address's prefix; default: the connection's path. */
  path?: string;
  /** A query string (without `?`) appended to the path: a proxy relays the caller's. */
  query?: string;
  /** The caller's headers; hop-by-hop headers, host and content-length are dropped. */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  body?: Buffer | string | Readable | null;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Return the answer body as a stream instead of a Buffer. */
  stream?: boolean;
}

export interface PassThroughResult<B extends Buffer | Readable = Buffer> {
  status: number;
  /** Upstream headers minus hop-by-hop ones. */
  headers: ResponseHeaders;
  body: B;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
]);

function requestHeaders(h: PassThroughRequest['headers'], bufferedBody: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!h) return out;
  for (const k in h) {
    const v = h[k];
    if (v === undefined) continue;
    const name = k.toLowerCase();
    if (HOP_BY_HOP.has(name) || (bufferedBody && name === 'content-length')) continue;
    // A header named __proto__ would set the object's prototype on a plain {}: define it as data instead.
    if (name === '__proto__')
      Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
    else out[name] = v;
  }
  return out;
}

function stripResponseHeaders(h: ResponseHeaders): ResponseHeaders {
  if (
    h['connection'] !== undefined ||
    h['keep-alive'] !== undefined ||
    h['transfer-encoding'] !== undefined ||
    h['trailer'] !== undefined ||
    h['upgrade'] !== undefined ||
    h['proxy-authenticate'] !== undefined
  ) {
    const out: ResponseHeaders = {};
    for (const k in h) if (!HOP_BY_HOP.has(k)) out[k] = h[k];
    return out;
  }
  return h;
}

export class HttpOutgoing implements PassThroughOutgoing {
  /** @internal */
  constructor(private readonly t: Transport<OutgoingHttpConfig>) {}

  /** The connection's name. */
  get name(): string {
    return this.t.config.name;
  }

  get<P = unknown>(opts: HttpCallOptions = {}): Promise<HttpResult<P>> {
    return this.request<P>({ ...opts, method: 'GET' });
  }
  post<P = unknown>(opts: HttpCallOptions = {}): Promise<HttpResult<P>> {
    return this.request<P>({ ...opts, method: 'POST' });
  }
  put<P = unknown>(opts: HttpCallOptions = {}): Promise<HttpResult<P>> {
    return this.request<P>({ ...opts, method: 'PUT' });
  }
  patch<P = unknown>(opts: HttpCallOptions = {}): Promise<HttpResult<P>> {
    return this.request<P>({ ...opts, method: 'PATCH' });
  }
  delete<P = unknown>(opts: HttpCallOptions = {}): Promise<HttpResult<P>> {
    return this.request<P>({ ...opts, method: 'DELETE' });
  }
  head(opts: HttpCallOptions = {}): Promise<HttpResult<undefined>> {
    return this.request<undefined>({ ...opts, method: 'HEAD' });
  }

  /** Sends a request with the connection's (or the call's) method and parses the answer. */
  async request<P = unknown>(opts: HttpRequestOptions = {}): Promise<HttpResult<P>> {
    const t = this.t;
    const c = t.config;
    const method = opts.method ?? c.method;
    const built = buildPath(t.basePath, opts.path ?? c.path, opts.params, opts.query);
    if ('missing' in built)
      throw usageError(t.lbl, c.name, `path parameter \`${built.missing}\` of ${opts.path ?? c.path} has no value`);
    const format = c.dataFormat;
    let body: RequestBody | undefined;
    if (opts.payload !== undefined) {
      const enc = encodePayload(format, opts.payload);
      if (typeof enc === 'object' && 'error' in enc) throw usageError(t.lbl, c.name, enc.error);
      body = enc;
    }
    const defaults: Record<string, string> = {
      accept: format === 'raw' ? '*/*' : CONTENT_TYPES[format].split(';')[0]!,
    };
    if (body !== undefined) defaults['content-type'] = CONTENT_TYPES[format];
    const x = await t.send({
      method,
      path: built.path,
      defaults,
      headers: opts.headers,
      body,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      idempotent: opts.idempotent,
    });
    const what = `${method} ${built.path.split('?')[0]}`;
    const ok = x.status >= 200 && x.status < 300;
    if (!ok && (opts.throwOnHttpError ?? c.throwOnHttpError))
      throw new HttpStatusError(t.lbl, c.name, what, x.status, x.headers, x.body);
    let payload: unknown;
    if (opts.raw || method === 'HEAD' || x.status === 204 || x.status === 304) payload = opts.raw ? x.body : undefined;
    else {
      try {
        payload = parseAnswer(format, x.body);
      } catch (e) {
        if (!(e instanceof ParseProblem)) throw e;
        // An error answer that is not in the format (an HTML error page...) is returned as text.
        if (!ok) payload = x.body.toString('utf8');
        else throw malformedError(t.lbl, c.name, what, format.toUpperCase(), e.reason, e);
      }
    }
    return { status: x.status, headers: x.headers, payload: payload as P, raw: x.body };
  }

  /**
   * Relays a request as is (bytes and headers, no parsing) and returns the upstream answer: the fast
   * path for proxies. The connection's headers and security are added. Retried (per `retries`) only when
   * the request surely never reached the server (connection refused), since it is treated as non-idempotent.
   */
  passThrough(req: PassThroughRequest & { stream: true }): Promise<PassThroughResult<Readable>>;
  passThrough(req: PassThroughRequest & { stream?: false }): Promise<PassThroughResult<Buffer>>;
  async passThrough(req: PassThroughRequest): Promise<PassThroughResult<Buffer | Readable>> {
    const t = this.t;
    const body = req.body ?? null;
    const buffered = body === null || typeof body === 'string' || Buffer.isBuffer(body);
    let path =
      req.path === undefined
        ? t.basePath + (t.config.path.startsWith('/') ? t.config.path : `/${t.config.path}`)
        : t.basePath + (req.path.startsWith('/') ? req.path : `/${req.path}`);
    if (req.query) path += (path.includes('?') ? '&' : '?') + req.query;
    // The client's headers are the base; the connection's headers and security win over them.
    const send = {
      method: req.method,
      path,
      defaults: requestHeaders(req.headers, buffered),
      ownDefaults: true,
      body,
      timeoutMs: req.timeoutMs,
      signal: req.signal,
      idempotent: false,
    };
    if (req.stream) {
      const x = await t.stream(send);
      return { status: x.status, headers: stripResponseHeaders(x.headers), body: x.body };
    }
    const x = await t.send(send);
    return { status: x.status, headers: stripResponseHeaders(x.headers), body: x.body };
  }
}
