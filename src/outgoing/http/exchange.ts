/**
 * One HTTP request/response over an undici dispatcher, buffered, with an exact deadline. The deadline is
 * our own timer (undici's headersTimeout/bodyTimeout run on a coarse ~0.5 s clock and are disabled on
 * our pools): it covers waiting for a pooled connection, connecting, sending and reading the whole
 * answer, and is cleared the moment the exchange settles. `pool.dispatch` with a small handler is the
 * cheapest path undici offers: no Readable, no AbortController, one timer per request.
 */
import type { Dispatcher } from 'undici';

export interface ExchangeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer | string | Uint8Array | NodeJS.ReadableStream | null;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal | undefined;
}

export interface RawExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Why an exchange ended without an answer, other than a network error. */
export class ExchangeAbort extends Error {
  constructor(
    readonly kind: 'timeout' | 'too-large' | 'aborted',
    readonly limit: number,
    readonly reason?: unknown,
  ) {
    super(
      kind === 'timeout'
        ? `no answer within ${limit} ms`
        : kind === 'too-large'
          ? `answer exceeds ${limit} bytes`
          : 'aborted by the caller',
    );
    this.name = 'ExchangeAbort';
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Calls `fire` once `ms` have really elapsed. Node computes timer expiry from the event loop's cached
 * clock, which lags after a busy tick, so a plain setTimeout can fire tens of ms early; the callback
 * re-arms for the remainder in that case. `track` receives each re-armed timer (for clearTimeout).
 */
export function deadline(ms: number, fire: () => void, track: (t: NodeJS.Timeout) => void): NodeJS.Timeout {
  const start = performance.now();
  const check = (): void => {
    const left = ms - (performance.now() - start);
    if (left >= 1) track(setTimeout(check, Math.ceil(left)));
    else fire();
  };
  return setTimeout(check, ms);
}

class Handler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private failure: Error | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly req: ExchangeRequest,
    private readonly resolve: (x: RawExchange) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    this.timer = deadline(
      req.timeoutMs,
      () => this.fail(new ExchangeAbort('timeout', req.timeoutMs)),
      (t) => (this.timer = t),
    );
    const signal = req.signal;
    if (signal) {
      this.onAbort = () => this.fail(new ExchangeAbort('aborted', 0, signal.reason));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  private finish(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.onAbort) this.req.signal!.removeEventListener('abort', this.onAbort);
  }

  fail(e: Error): void {
    if (this.done) return;
    this.finish();
    this.failure = e;
    this.chunks = [];
    // Not dispatched to a socket yet: undici aborts it when its turn comes (onRequestStart).
    this.controller?.abort(e);
    this.reject(e);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.failure) controller.abort(this.failure);
  }

  onResponseStart(
    _c: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx informational; the real answer follows
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return;
    this.size += chunk.length;
    if (this.size > this.req.maxBytes) {
      this.fail(new ExchangeAbort('too-large', this.req.maxBytes));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.done) return;
    this.finish();
    const c = this.chunks;
    const body = c.length === 0 ? EMPTY : c.length === 1 ? c[0]! : Buffer.concat(c, this.size);
    this.chunks = [];
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.done) return;
    this.finish();
    this.chunks = [];
    this.reject(err);
  }
}

export function exchange(dispatcher: Dispatcher, req: ExchangeRequest): Promise<RawExchange> {
  return new Promise<RawExchange>((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(new ExchangeAbort('aborted', 0, req.signal.reason));
      return;
    }
    const handler = new Handler(req, resolve, reject);
    const opts: Dispatcher.DispatchOptions = {
      method: req.method as Dispatcher.HttpMethod,
      path: req.path,
      headers: req.headers,
      body: (req.body ?? null) as Dispatcher.DispatchOptions['body'],
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    try {
      dispatcher.dispatch(opts, handler);
    } catch (e) {
      handler.onResponseError(undefined as unknown as Dispatcher.DispatchController, e as Error);
    }
  });
}
