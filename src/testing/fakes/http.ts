/**
 * A fake outgoing HTTP connection for `testService`: what `this.outgoing.http(name)` gives a service. It
 * records every request and answers each from the test's answers; an answer outside 2xx raises Wharf's own
 * `HttpStatusError` (unless `throwOnHttpError` is off, as for a real connection).
 */
import { Readable } from 'node:stream';
import type {
  HttpCallOptions,
  HttpOutgoing,
  HttpRequestOptions,
  HttpResult,
  PassThroughRequest,
  ResponseHeaders,
} from '../../outgoing/http/client.js';
import { HttpStatusError, label } from '../../outgoing/http/errors.js';
import { answerFor, type Answers } from './answers.js';

export interface HttpRequestRecord {
  /** The connection name the service asked for. */
  readonly connection: string;
  readonly method: string;
  /** `path` of the call (undefined: the connection's own path). */
  readonly path: string | undefined;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly query: Readonly<Record<string, unknown>> | string | undefined;
  readonly headers: Readonly<Record<string, unknown>> | undefined;
  /** The payload a typed call passed, or the body a pass-through relayed. */
  readonly payload: unknown;
}

export interface HttpAnswer {
  /** Default 200. */
  status?: number;
  headers?: ResponseHeaders;
  /** What the service gets as `payload` (already parsed, as a real connection would give it). */
  payload?: unknown;
  /** The answer's bytes (`raw`); default: `payload` as JSON. */
  raw?: Buffer | string;
}

export interface FakeHttpOptions {
  /** As the connection setting (default true): answers outside 2xx raise HttpStatusError. */
  throwOnHttpError?: boolean;
}

export interface FakeHttp {
  readonly kind: 'http';
  /** Every request the service made, in order. */
  readonly requests: readonly HttpRequestRecord[];
  /** @internal what the service sees */
  connection(name: string): HttpOutgoing;
}

function rawOf(a: HttpAnswer): Buffer {
  if (a.raw !== undefined) return typeof a.raw === 'string' ? Buffer.from(a.raw, 'utf8') : a.raw;
  if (a.payload === undefined) return Buffer.alloc(0);
  return Buffer.from(typeof a.payload === 'string' ? a.payload : JSON.stringify(a.payload), 'utf8');
}

/** `outgoing: { http: { CRM: fakeHttp({ status: 200, payload: { id: 1 } }) } }`. */
export function fakeHttp(answers?: Answers<HttpRequestRecord, HttpAnswer>, options: FakeHttpOptions = {}): FakeHttp {
  const requests: HttpRequestRecord[] = [];
  const connection = (name: string): HttpOutgoing => {
    const call = async (
      req: HttpRequestRecord,
    ): Promise<{
      answer: HttpAnswer;
      status: number;
      raw: Buffer;
      headers: ResponseHeaders;
    }> => {
      const index = requests.length;
      requests.push(req);
      const answer = await answerFor(answers, {}, req, index, `fake HTTP connection \`${name}\``);
      return {
        answer,
        status: answer.status ?? 200,
        raw: rawOf(answer),
        headers: answer.headers ?? {},
      };
    };
    const request = async <P>(opts: HttpRequestOptions = {}): Promise<HttpResult<P>> => {
      const method = opts.method ?? 'GET';
      const { answer, status, raw, headers } = await call({
        connection: name,
        method,
        path: opts.path,
        params: opts.params,
        query: opts.query,
        headers: opts.headers,
        payload: opts.payload,
      });
      if ((status < 200 || status >= 300) && (opts.throwOnHttpError ?? options.throwOnHttpError ?? true)) {
        throw new HttpStatusError(
          label('HTTP', name),
          name,
          `${method} ${opts.path ?? '(the connection path)'}`,
          status,
          headers,
          raw,
        );
      }
      const payload = opts.raw ? raw : answer.payload;
      return { status, headers, payload: payload as P, raw };
    };
    const fake = {
      name,
      request,
      get: <P>(o: HttpCallOptions = {}) => request<P>({ ...o, method: 'GET' }),
      post: <P>(o: HttpCallOptions = {}) => request<P>({ ...o, method: 'POST' }),
      put: <P>(o: HttpCallOptions = {}) => request<P>({ ...o, method: 'PUT' }),
      patch: <P>(o: HttpCallOptions = {}) => request<P>({ ...o, method: 'PATCH' }),
      delete: <P>(o: HttpCallOptions = {}) => request<P>({ ...o, method: 'DELETE' }),
      head: (o: HttpCallOptions = {}) => request<undefined>({ ...o, method: 'HEAD' }),
      async passThrough(req: PassThroughRequest) {
        const { status, raw, headers } = await call({
          connection: name,
          method: req.method,
          path: req.path,
          params: undefined,
          query: req.query,
          headers: req.headers,
          payload: req.body ?? undefined,
        });
        return {
          status,
          headers,
          body: req.stream ? Readable.from([raw]) : raw,
        };
      },
    };
    return fake as unknown as HttpOutgoing;
  };
  return { kind: 'http', requests, connection };
}
