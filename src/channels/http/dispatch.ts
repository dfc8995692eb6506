/**
 * What an HTTP channel does with one request, independent of the HTTP server that received it (node:http
 * or Wharf's own HTTP/1.1 front): security → content type → body (bounded) → parse → service → render,
 * or, for a proxy channel, relay to the outgoing connection; with `routes`, the rules pick one of those
 * or a refusal. The result is a Reply the server writes.
 * Every failure becomes a Reply in the channel's own format (JSON error object, XML, SOAP Fault) with
 * the correlation id; stacks go to the log only.
 */
import { parse as parseQuery } from 'node:querystring';
import { normalizeError, toErrorBody, WharfError } from '../../errors.js';
import { type CodecOptions, type DataFormatCodec, type Parsed } from '../../service/formats/index.js';
import { utf8Text } from '../../service/formats/utf8.js';
import type { Headers, ServiceLogger } from '../../service/service.js';
import type { PassThroughOutgoing } from '../../connectors/types.js';
import { mapServiceStack } from '../../service/deploy/load.js';
import type { HttpRoute } from './route.js';
import { contentTypeProblem, isTextBody, missingContentType } from './media.js';
import { optionsReply, withCors } from './cors.js';
import { isWsdlQuery, wsdlQueryReply } from './wsdl-query.js';

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);
const EMPTY: Buffer = Buffer.alloc(0);
const EMPTY_QUERY: Record<string, string> = Object.freeze({}) as Record<string, string>;

export type ReplyHeaders = Record<string, string | string[] | number>;

/** An answer ready to be written: status, headers (content-length included), body (omitted for HEAD by the writer). */
export interface Reply {
  status: number;
  headers: ReplyHeaders;
  body: string | Buffer | undefined;
}

/** One request as a channel sees it. */
export interface ChannelCall {
  method: string;
  headers: Headers;
  params: Record<string, string>;
  /** The query string without `?`. */
  qs: string;
  cid: string;
  /** Reads the whole body, refusing more than `limit` bytes (413). */
  readBody: (limit: number) => Promise<Buffer>;
  /** Drops a body the channel will not read (e.g. unsupported media type). */
  discardBody: () => void;
}

export interface DispatchHooks {
  logger: ServiceLogger;
  /** Called once per finished request (metrics). */
  observe?: ((channel: string, service: string, status: number, ms: number) => void) | undefined;
}

export function errorReply(err: WharfError, cid: string, codec: DataFormatCodec, opts: CodecOptions): Reply {
  const out = codec.renderError(toErrorBody(err, cid), opts, err.status);
  const headers: ReplyHeaders = {
    'content-type': out.contentType,
    'x-wharf-cid': cid,
    'content-length': Buffer.byteLength(out.body),
  };
  if (err.headers) Object.assign(headers, err.headers);
  return { status: err.status, headers, body: out.body };
}

export function logFailure(logger: ServiceLogger, err: WharfError, cid: string, where: string): void {
  if (err.status >= 500) {
    const raw = err.cause instanceof Error ? err.cause.stack : err.cause === undefined ? err.stack : String(err.cause);
    const cause = raw === undefined ? undefined : mapServiceStack(raw);
    logger.error(`${where} failed`, { cid, code: err.code, message: err.message, stack: cause });
  } else {
    logger.debug(`${where} refused`, { cid, code: err.code, message: err.message });
  }
}

/** Runs a request through its channel; never rejects: failures are logged, observed and answered. */
export function dispatch(route: HttpRoute, call: ChannelCall, hooks: DispatchHooks): Promise<Reply> {
  const started = hooks.observe ? performance.now() : 0;
  const { config } = route;
  let target = route.target;
  let work: Promise<Reply>;
  try {
    // GET|HEAD <SOAP channel>?wsdl: the channel's WSDL (./wsdl-query.ts; the writer drops HEAD's body);
    // only a 4-character query string is looked at.
    if (call.qs.length === 4 && (call.method === 'GET' || call.method === 'HEAD') && isWsdlQuery(call.qs))
      return Promise.resolve(wsdlQueryReply(route, call.headers, call.cid));
    // OPTIONS: Wharf answers (Allow, CORS pre-flight) before security, as pre-flights carry no
    // credentials; only a proxy channel without cors relays it to its backend.
    if (call.method === 'OPTIONS' && !(config.proxyTo && !config.cors && !route.rules)) {
      call.discardBody();
      const reply = optionsReply(route.allow, route.cors, call.headers, call.cid);
      hooks.observe?.(config.name, target, reply.status, performance.now() - started);
      return Promise.resolve(reply);
    }
    if (route.verify) route.verify(call.headers);
    work = route.rules
      ? routed(route, call, (t) => (target = t))
      : config.proxyTo
        ? relay(route, config.proxyTo, call)
        : serve(route, config.service ?? '', call);
  } catch (e) {
    work = Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  const cors = route.cors;
  return work.then(
    (reply) => {
      hooks.observe?.(config.name, target, reply.status, performance.now() - started);
      return cors ? withCors(reply, cors, call.headers) : reply;
    },
    (e: unknown) => {
      const err = normalizeError(e, call.cid);
      logFailure(hooks.logger, err, call.cid, `channel ${config.name} → ${describeTarget(target)}`);
      hooks.observe?.(config.name, target, err.status, performance.now() - started);
      const reply = errorReply(err, call.cid, route.codec, route.codecOpts);
      return cors ? withCors(reply, cors, call.headers) : reply;
    },
  );
}

/** A target (HttpRoute.target, Decision.target) as log lines name it. */
function describeTarget(target: string): string {
  if (target.startsWith('proxy:')) return `connection ${target.slice(6)}`;
  return target === 'routes' || target === 'reject' ? target : `service ${target}`;
}

/**
 * A channel with `routes`: reads the body first when a rule looks at it (bounded by maxBodySize),
 * lets the rules decide, then relays, invokes the service or refuses, as the rule says.
 */
async function routed(route: HttpRoute, call: ChannelCall, onTarget: (target: string) => void): Promise<Reply> {
  const rules = route.rules!;
  const hasBody = carriesBody(call.headers, call.method);
  const body = rules.needsBody && hasBody ? await call.readBody(route.config.maxBodySize) : undefined;
  const decision = rules.decide({ headers: call.headers, params: call.params, qs: call.qs, body });
  onTarget(decision.target);
  switch (decision.kind) {
    case 'proxy':
      return relay(route, decision.connection, call, body ?? (hasBody ? undefined : null));
    case 'service':
      return serve(
        route,
        decision.service,
        body === undefined ? call : { ...call, readBody: () => Promise.resolve(body), discardBody: () => undefined },
      );
    case 'reject': {
      if (body === undefined && hasBody) call.discardBody();
      const { status, message, body: fixed, contentType } = decision.reject;
      if (message !== undefined) throw new WharfError('WHARF_ERR_ROUTE_REJECTED', [message], { status });
      const text = fixed ?? '';
      return {
        status,
        headers: {
          'content-type': contentType ?? 'text/plain; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          'x-wharf-cid': call.cid,
        },
        body: text,
      };
    }
  }
}

/** Runs `service` for one request of a service channel (content type, body, parse, invoke, render); rejects with the error. Exported for wharf/testing. */
export async function serve(route: HttpRoute, service: string, call: ChannelCall): Promise<Reply> {
  const { config, codec } = route;
  const { method, headers } = call;
  let raw: Buffer = EMPTY;
  let parsed: Parsed = { payload: undefined, input: undefined };
  if (carriesBody(headers, method)) {
    const ct = headers['content-type'] as string | undefined;
    const refused = ct === undefined ? undefined : contentTypeProblem(route.media, ct);
    if (refused) {
      call.discardBody();
      throw refused;
    }
    raw = await call.readBody(config.maxBodySize);
    if (raw.length > 0) {
      if (ct === undefined && !route.media.any) throw missingContentType(route.media);
      if (config.dataFormat === 'plain' && isTextBody(ct)) utf8Text(raw, 'text');
    }
    if (raw.length > 0 || config.dataFormat === 'soap') parsed = codec.parse(raw, route.codecOpts);
  } else if (config.dataFormat === 'soap') {
    parsed = codec.parse(raw, route.codecOpts);
  }
  if (config.dataFormat === 'soap' && config.soapAction)
    checkSoapAction(headers, config.soapAction, config.soapVersion);
  const query = call.qs === '' ? EMPTY_QUERY : (parseQuery(call.qs) as Record<string, string | string[]>);
  const result = await route.ctx.invoke({
    service,
    raw,
    dataFormat: config.dataFormat,
    channel: route.channel,
    cid: call.cid,
    headers,
    params: { path: call.params, query },
    priorities: route.priorities,
    parsed,
    method,
    timeoutMs: config.timeoutMs,
  });
  const out = codec.render(result.output, route.codecOpts, parsed);
  const replyHeaders: ReplyHeaders = {
    'content-type': result.contentType ?? out.contentType,
    'content-length': Buffer.byteLength(out.body),
    'x-wharf-cid': call.cid,
  };
  for (const k in result.headers) replyHeaders[k] = result.headers[k]!;
  return { status: result.statusCode, headers: replyHeaders, body: out.body };
}

/**
 * A proxy channel (`proxyTo`): the request goes to the outgoing HTTP connection as is — method, body
 * bytes, headers (minus hop-by-hop ones), query string — and the answer comes back the same way; no
 * parsing, no service. `read` is the body when the channel's routes have read it already. The
 * connection's address, headers, security and (live) timeout apply; its failures come back in the
 * channel's format (502 unreachable, 504 timeout).
 */
async function relay(route: HttpRoute, connection: string, call: ChannelCall, read?: Buffer | null): Promise<Reply> {
  const { method, headers: inHeaders } = call;
  const out = route.ctx.outgoing?.('outgoing.http', connection) as PassThroughOutgoing | undefined;
  if (!out) throw new WharfError('WHARF_ERR_NO_SUCH_CONNECTION', ['outgoing HTTP connection', connection]);
  const body =
    read !== undefined ? read : carriesBody(inHeaders, method) ? await call.readBody(route.config.maxBodySize) : null;
  const r = await out.passThrough({ method, headers: inHeaders, body, query: call.qs });
  const headers: ReplyHeaders = {};
  for (const k in r.headers) {
    const v = r.headers[k];
    if (v !== undefined && k !== 'content-length') headers[k] = v;
  }
  headers['x-wharf-cid'] = call.cid;
  if (method === 'HEAD') {
    const len = r.headers['content-length'];
    if (len !== undefined) headers['content-length'] = len;
    return { status: r.status, headers, body: undefined };
  }
  headers['content-length'] = r.body.length;
  return { status: r.status, headers, body: r.body };
}

/** Whether a request has a body to read: any method but GET/HEAD/OPTIONS/DELETE, or one announced by its headers. */
function carriesBody(headers: Headers, method: string): boolean {
  return !BODYLESS.has(method) || headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined;
}

function checkSoapAction(headers: Headers, expected: string, version: '1.1' | '1.2'): void {
  let got: string | undefined;
  if (version === '1.1') {
    const h = headers['soapaction'];
    got = (Array.isArray(h) ? h[0] : h)?.replace(/^"|"$/g, '');
  } else {
    got = /action="?([^";]+)"?/.exec((headers['content-type'] as string | undefined) ?? '')?.[1];
  }
  if (got !== expected)
    throw new WharfError('WHARF_ERR_BAD_REQUEST', [
      `SOAPAction \`${got ?? ''}\` is not served here; expected \`${expected}\``,
    ]);
}
