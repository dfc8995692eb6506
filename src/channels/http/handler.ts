/**
 * The HTTP data plane: route → security → content type → body (bounded) → parse → service →
 * render. Every failure is answered in the channel's own format (JSON error object, XML, SOAP
 * Fault) with the correlation id; stacks go to the log only.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { normalizeError, toErrorBody, WharfError } from '../../errors.js';
import { accepts, codecs, mediaType, type CodecOptions, type DataFormatCodec, type Parsed } from '../../service/formats/index.js';
import type { ServiceLogger } from '../../service/service.js';
import type { HttpOutgoing } from '../../outgoing/http/client.js';
import { mapServiceStack } from '../../service/deploy/load.js';
import { readBody } from './body.js';
import type { HttpRoute } from './route.js';
import type { ChannelRouter } from './router.js';

const JSON_OPTS: CodecOptions = { maxDepth: 64 };
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

export interface HandlerOptions {
  router: ChannelRouter<unknown>;
  logger: ServiceLogger;
  /** Handles `/wharf/...` (ping, admin API, metrics); returns false when it doesn't know the path. */
  internal?: (req: IncomingMessage, res: ServerResponse, path: string, query: string, cid: string) => Promise<boolean>;
  /** Called once per finished request (metrics). */
  observe?: (channel: string, service: string, status: number, ms: number) => void;
  /** True while the server drains for shutdown. */
  isStopping?: () => boolean;
}

export function sendError(res: ServerResponse, err: WharfError, cid: string, codec: DataFormatCodec, opts: CodecOptions): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const out = codec.renderError(toErrorBody(err, cid), opts, err.status);
  const headers: Record<string, string | number> = { 'content-type': out.contentType, 'x-wharf-cid': cid, 'content-length': Buffer.byteLength(out.body) };
  if (err.headers) Object.assign(headers, err.headers);
  res.writeHead(err.status, headers);
  res.end(out.body);
}

function logFailure(logger: ServiceLogger, err: WharfError, cid: string, where: string): void {
  if (err.status >= 500) {
    const raw = err.cause instanceof Error ? err.cause.stack : err.cause === undefined ? err.stack : String(err.cause);
    const cause = raw === undefined ? undefined : mapServiceStack(raw);
    logger.error(`${where} failed`, { cid, code: err.code, message: err.message, stack: cause });
  } else {
    logger.debug(`${where} refused`, { cid, code: err.code, message: err.message });
  }
}

export function createRequestListener(opts: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { router, logger } = opts;
  return (req, res) => {
    const cid = randomUUID();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const qs = q === -1 ? '' : url.slice(q + 1);
    if (path.startsWith('/wharf/') && opts.internal) {
      opts
        .internal(req, res, path, qs, cid)
        .then((handled) => {
          if (!handled) sendError(res, new WharfError('WHARF_ERR_ROUTE_NOT_FOUND', [path]), cid, codecs.json, JSON_OPTS);
        })
        .catch((e: unknown) => {
          const err = normalizeError(e, cid);
          logFailure(logger, err, cid, `admin ${path}`);
          sendError(res, err, cid, codecs.json, JSON_OPTS);
        });
      return;
    }
    const method = req.method ?? 'GET';
    const match = router.find(method, path);
    if (match.kind !== 'found') {
      req.resume();
      const err =
        match.kind === 'method'
          ? new WharfError('WHARF_ERR_METHOD_NOT_ALLOWED', [`${method} is not allowed on ${path}`], { headers: { allow: match.allow.join(', ') } })
          : new WharfError('WHARF_ERR_ROUTE_NOT_FOUND', [path]);
      sendError(res, err, cid, codecs.json, JSON_OPTS);
      return;
    }
    const route = match.route as HttpRoute;
    const started = opts.observe ? performance.now() : 0;
    (route.config.proxyTo ? relay(route, route.config.proxyTo, req, res, method, qs, cid) : serve(route, route.config.service ?? '', req, res, method, match.params, qs, cid)).then(
      (status) => opts.observe?.(route.config.name, route.target, status, performance.now() - started),
      (e: unknown) => {
        const err = normalizeError(e, cid);
        logFailure(logger, err, cid, `channel ${route.config.name} → ${route.config.service ? `service ${route.config.service}` : `connection ${route.config.proxyTo ?? ''}`}`);
        sendError(res, err, cid, route.codec, route.codecOpts);
        opts.observe?.(route.config.name, route.target, err.status, performance.now() - started);
      },
    );
  };
}

async function serve(route: HttpRoute, service: string, req: IncomingMessage, res: ServerResponse, method: string, params: Record<string, string>, qs: string, cid: string): Promise<number> {
  const { config, codec } = route;
  if (route.verify) route.verify(req.headers);
  const hasBody = carriesBody(req, method);
  let raw: Buffer = EMPTY;
  let parsed: Parsed = { payload: undefined, input: undefined };
  if (hasBody) {
    const ct = req.headers['content-type'];
    if (!accepts(codec, ct)) {
      req.resume();
      throw new WharfError('WHARF_ERR_UNSUPPORTED_MEDIA_TYPE', [mediaType(ct), codec.expected]);
    }
    raw = await readBody(req, config.maxBodySize);
    if (raw.length > 0 || config.dataFormat === 'soap') parsed = codec.parse(raw, route.codecOpts);
  } else if (config.dataFormat === 'soap') {
    parsed = codec.parse(raw, route.codecOpts);
  }
  if (config.dataFormat === 'soap' && config.soapAction) checkSoapAction(req, config.soapAction, config.soapVersion);
  const query = qs === '' ? EMPTY_QUERY : (parseQuery(qs) as Record<string, string | string[]>);
  const result = await route.ctx.invoke({
    service,
    raw,
    dataFormat: config.dataFormat,
    channel: route.channel,
    cid,
    headers: req.headers,
    params: { path: params, query },
    priorities: route.priorities,
    parsed,
    method,
    timeoutMs: config.timeoutMs,
  });
  const out = route.codec.render(result.output, route.codecOpts, parsed);
  const headers: Record<string, string | number> = {
    'content-type': result.contentType ?? out.contentType,
    'content-length': Buffer.byteLength(out.body),
    'x-wharf-cid': cid,
  };
  for (const k in result.headers) headers[k] = result.headers[k]!;
  res.writeHead(result.statusCode, headers);
  res.end(method === 'HEAD' ? undefined : out.body);
  return result.statusCode;
}

/**
 * A proxy channel (`proxyTo`): the request goes to the outgoing HTTP connection as is — method, body
 * bytes, headers (minus hop-by-hop ones), query string — and the answer comes back the same way; no
 * parsing, no service. The connection's address, headers, security and (live) timeout apply; its
 * failures come back in the channel's format (502 unreachable, 504 timeout).
 */
async function relay(route: HttpRoute, connection: string, req: IncomingMessage, res: ServerResponse, method: string, qs: string, cid: string): Promise<number> {
  if (route.verify) route.verify(req.headers);
  const out = route.ctx.outgoing?.('outgoing.http', connection) as Pick<HttpOutgoing, 'passThrough'> | undefined;
  if (!out) throw new WharfError('WHARF_ERR_NO_SUCH_CONNECTION', ['outgoing HTTP connection', connection]);
  const body = carriesBody(req, method) ? await readBody(req, route.config.maxBodySize) : null;
  const r = await out.passThrough({ method, headers: req.headers, body, query: qs });
  const headers: Record<string, string | string[] | number> = {};
  for (const k in r.headers) {
    const v = r.headers[k];
    if (v !== undefined && k !== 'content-length') headers[k] = v;
  }
  headers['x-wharf-cid'] = cid;
  if (method === 'HEAD') {
    const len = r.headers['content-length'];
    if (len !== undefined) headers['content-length'] = len;
    res.writeHead(r.status, headers);
    res.end();
  } else {
    headers['content-length'] = r.body.length;
    res.writeHead(r.status, headers);
    res.end(r.body);
  }
  return r.status;
}

/** Whether a request has a body to read: any method but GET/HEAD/OPTIONS/DELETE, or one announced by its headers. */
function carriesBody(req: IncomingMessage, method: string): boolean {
  return !BODYLESS.has(method) || req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}

function checkSoapAction(req: IncomingMessage, expected: string, version: '1.1' | '1.2'): void {
  let got: string | undefined;
  if (version === '1.1') {
    const h = req.headers['soapaction'];
    got = (Array.isArray(h) ? h[0] : h)?.replace(/^"|"$/g, '');
  } else {
    got = /action="?([^";]+)"?/.exec(req.headers['content-type'] ?? '')?.[1];
  }
  if (got !== expected) throw new WharfError('WHARF_ERR_BAD_REQUEST', [`SOAPAction \`${got ?? ''}\` is not served here; expected \`${expected}\``]);
}

const EMPTY: Buffer = Buffer.alloc(0);
const EMPTY_QUERY: Record<string, string> = Object.freeze({}) as Record<string, string>;
