/**
 * The HTTP transport shared by the `outgoing.http` and `outgoing.soap` kinds: the live config, the
 * Pool, headers (config + security + call), per-attempt deadlines read from the config at the moment
 * of the call (so an edited timeout applies to the very next request), retries with exponential
 * backoff, and error mapping.
 */
import { PassThrough, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { WharfError } from '../../errors.js';
import { label, networkError, timeoutError, UpstreamError, type ConnectionLabel } from './errors.js';
import { deadline, ExchangeAbort, exchange, type RawExchange } from './exchange.js';
import type { TransportConfig } from './fields.js';
import { isStream, type RequestBody } from './payload.js';
import { PoolHolder } from './pool.js';
import { rawExchange } from './raw/exchange.js';
import { securityHeaders } from './security.js';
import { basePath } from './url.js';

export const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRY_STATUSES = new Set([502, 503, 504]);
const MAX_BACKOFF_MS = 30_000;

export interface SendRequest {
  method: string;
  /** Full request path (address prefix included) with its query string. */
  path: string;
  /** Defaults (content-type, accept..., a proxied client's headers), overridden by config, security and call headers. */
  defaults?: Record<string, string | string[]> | undefined;
  /** `defaults` is a fresh object the transport may fill in place (saves a copy on the proxy path). */
  ownDefaults?: boolean;
  /** The call's own headers; they win over everything else. */
  headers?: Readonly<Record<string, string | string[] | undefined>> | undefined;
  body?: RequestBody | null | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Default: by method (GET, HEAD, PUT, DELETE, OPTIONS). */
  idempotent?: boolean | undefined;
}

export interface StreamExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

function lower(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) out[k.toLowerCase()] = h[k]!;
  return out;
}

function backoffMs(base: number, attempt: number): number {
  const d = Math.min(MAX_BACKOFF_MS, base * 2 ** attempt);
  return Math.round(d / 2 + (Math.random() * d) / 2);
}

export class Transport<C extends TransportConfig> {
  readonly lbl: ConnectionLabel;
  private cfg: C;
  private readonly pools: PoolHolder;
  private base: string;
  private configHeaders: Record<string, string>;
  private origin: string;
  private stopped = false;
  private problem: string | undefined;
  /** Set when the config cannot work (e.g. a client certificate without its key): calls fail with it. */
  broken: WharfError | undefined;

  constructor(
    kind: 'HTTP' | 'SOAP',
    config: C,
    readonly ctx: ConnectorContext,
  ) {
    this.lbl = label(kind, config.name);
    this.cfg = config;
    this.pools = new PoolHolder(config);
    this.base = basePath(config.address);
    this.configHeaders = lower(config.headers);
    this.origin = new URL(config.address).origin;
  }

  get config(): C {
    return this.cfg;
  }

  get basePath(): string {
    return this.base;
  }

  get draining(): number {
    return this.pools.draining;
  }

  /** Applies an edited config: the next request uses it; a new Pool only when address/size/TLS changed. */
  update(config: C): void {
    this.pools.update(config);
    this.base = basePath(config.address);
    this.configHeaders = lower(config.headers);
    this.origin = new URL(config.address).origin;
    this.cfg = config;
    this.problem = undefined;
  }

  health(): ConnectorHealth {
    if (this.stopped) return { status: 'stopped' };
    if (this.broken) return { status: 'down', detail: this.broken.message };
    return this.problem ? { status: 'degraded', detail: this.problem } : { status: 'up' };
  }

  async close(ms: number): Promise<void> {
    this.stopped = true;
    await this.pools.close(ms);
  }

  private ensureOpen(): void {
    if (this.stopped || !this.cfg.active) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [this.cfg.name]);
    if (this.broken) throw this.broken;
  }

  /** Headers of a request: kind defaults < config < security < call. */
  headers(req: SendRequest): Record<string, string | string[]> {
    let out: Record<string, string | string[]>;
    if (req.ownDefaults && req.defaults) out = req.defaults;
    else {
      out = {};
      if (req.defaults) for (const k in req.defaults) out[k] = req.defaults[k]!;
    }
    for (const k in this.configHeaders) out[k] = this.configHeaders[k]!;
    if (this.cfg.security) Object.assign(out, securityHeaders(this.ctx, this.lbl, this.cfg.security));
    const call = req.headers;
    if (call) {
      for (const k in call) {
        const v = call[k];
        if (v !== undefined) out[k.toLowerCase()] = v as string | string[];
      }
    }
    return out;
  }

  private what(req: SendRequest): string {
    const q = req.path.indexOf('?');
    return `${req.method} ${q === -1 ? req.path : req.path.slice(0, q)}`;
  }

  private mapError(e: unknown, req: SendRequest, timeoutMs: number): WharfError {
    if (e instanceof ExchangeAbort) {
      if (e.kind === 'timeout') return timeoutError(this.lbl, this.cfg.name, timeoutMs, this.what(req));
      if (e.kind === 'too-large') {
        return new UpstreamError(
          'WHARF_ERR_UPSTREAM',
          `${this.lbl}: the answer to ${this.what(req)} exceeds the limit of ${e.limit} bytes (maxResponseBytes)`,
          {
            connection: this.cfg.name,
            reason: 'too-large',
          },
        );
      }
      if (e.reason instanceof WharfError) return e.reason;
      return new UpstreamError('WHARF_ERR_UPSTREAM', `${this.lbl}: ${this.what(req)} was cancelled by the caller`, {
        connection: this.cfg.name,
        reason: 'aborted',
        cause: e.reason,
      });
    }
    if (e instanceof WharfError) return e;
    const err = networkError(this.lbl, this.cfg.name, this.origin, e);
    if (err.reason !== 'invalid') this.problem = err.message;
    return err;
  }

  /** Sends a request and buffers the answer, retrying per config. Throws WharfErrors only. */
  async send(req: SendRequest): Promise<RawExchange> {
    this.ensureOpen();
    const headers = this.headers(req);
    const streamed = isStream(req.body);
    const retries = streamed ? 0 : this.cfg.retries;
    const idempotent = req.idempotent ?? IDEMPOTENT.has(req.method);
    for (let attempt = 0; ; attempt++) {
      const timeoutMs = req.timeoutMs ?? this.cfg.timeoutMs;
      const maxBytes = this.cfg.maxResponseBytes;
      // Wharf's own client for http: and a buffered body (read per attempt: an edit may swap the pools).
      const raw = streamed ? undefined : this.pools.raw;
      const xr = {
        method: req.method,
        path: req.path,
        headers,
        body: req.body,
        timeoutMs,
        maxBytes,
        signal: req.signal,
      };
      let x: RawExchange;
      try {
        x = await (raw !== undefined ? rawExchange(raw, xr) : exchange(this.pools.current, xr));
      } catch (e) {
        const err = this.mapError(e, req, timeoutMs);
        const retryable = err instanceof UpstreamError && err.transient && (idempotent || err.notSent);
        if (retryable && attempt < retries && !this.stopped) {
          await this.pause(attempt, req.signal);
          continue;
        }
        throw err;
      }
      this.problem = undefined;
      if (RETRY_STATUSES.has(x.status) && idempotent && attempt < retries && !this.stopped) {
        await this.pause(attempt, req.signal);
        continue;
      }
      return x;
    }
  }

  private async pause(attempt: number, signal: AbortSignal | undefined): Promise<void> {
    const ms = backoffMs(this.cfg.retryBackoffMs, attempt);
    this.ctx.logger.debug(`${this.lbl}: retry ${attempt + 1} in ${ms} ms`);
    try {
      await sleep(ms, undefined, signal ? { signal } : undefined);
    } catch {
      throw new UpstreamError('WHARF_ERR_UPSTREAM', `${this.lbl}: cancelled by the caller while waiting to retry`, {
        connection: this.cfg.name,
        reason: 'aborted',
      });
    }
  }

  /** Sends a request and returns the answer as a stream; the deadline covers the whole body. No retries. */
  async stream(req: SendRequest): Promise<StreamExchange> {
    this.ensureOpen();
    const headers = this.headers(req);
    const timeoutMs = req.timeoutMs ?? this.cfg.timeoutMs;
    const ac = new AbortController();
    let timer = deadline(
      timeoutMs,
      () => ac.abort(new ExchangeAbort('timeout', timeoutMs)),
      (t) => (timer = t),
    );
    const outer = req.signal;
    const onOuter = (): void => ac.abort(new ExchangeAbort('aborted', 0, outer?.reason));
    if (outer) {
      if (outer.aborted) onOuter();
      else outer.addEventListener('abort', onOuter, { once: true });
    }
    const done = (): void => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    };
    try {
      const res = await this.pools.current.request({
        method: req.method as 'GET',
        path: req.path,
        headers,
        body: (req.body ?? null) as Buffer | null,
        signal: ac.signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.problem = undefined;
      return {
        status: res.statusCode,
        headers: res.headers,
        body: relay(res.body, done, (e) => this.mapError(ac.signal.aborted ? ac.signal.reason : e, req, timeoutMs)),
      };
    } catch (e) {
      done();
      throw this.mapError(ac.signal.aborted ? ac.signal.reason : e, req, timeoutMs);
    }
  }
}

/** The answer body as the caller sees it: errors mapped to WharfErrors, early close releases the socket. */
function relay(body: Readable, done: () => void, map: (e: unknown) => WharfError): Readable {
  const out = new PassThrough();
  body.on('error', (e) => {
    done();
    out.destroy(map(e));
  });
  body.on('end', done);
  out.on('close', () => {
    done();
    if (!body.destroyed) body.destroy();
  });
  body.pipe(out);
  return out;
}
