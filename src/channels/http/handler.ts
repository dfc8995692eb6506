/**
 * The node:http adapter of the HTTP data plane: `/wharf/...` goes to the admin handler, everything else
 * is routed and handed to `dispatch()` (src/channels/http/dispatch.ts); the Reply is written back. Wharf's
 * own HTTP/1.1 front (./front/) hands this listener the requests it does not take itself.
 * node:http accepts a few request shapes RFC 9112 forbids; `checkRequest` refuses them here (HTTP/0.9 and
 * versions other than 1.0/1.1, two Host headers). `clientErrorHandler` answers what llhttp refuses and
 * node:http's own deadlines (408) with the registry's JSON error body.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { normalizeError, toErrorBody, WharfError } from '../../errors.js';
import { codecs, type CodecOptions, type DataFormatCodec } from '../../service/formats/index.js';
import type { ServiceLogger } from '../../service/service.js';
import { bodyAbandoned, readBody } from './body.js';
import { addHeader, MAX_HEAD_BYTES, type RequestHeaders } from './front/request-head.js';
import { dispatch, errorReply, logFailure, type ChannelCall, type Reply } from './dispatch.js';
import type { HttpRoute } from './route.js';
import type { ChannelRouter } from './router.js';
import { isWsdlQuery, wsdlQueryReply, wsdlRouteOf } from './wsdl-query.js';

export const JSON_OPTS: CodecOptions = { maxDepth: 64 };

export interface HandlerOptions {
  router: ChannelRouter<unknown>;
  logger: ServiceLogger;
  /** Handles `/wharf/...` (ping, admin API, metrics); returns false when it doesn't know the path. */
  internal?: (req: IncomingMessage, res: ServerResponse, path: string, query: string, cid: string) => Promise<boolean>;
  /** Called once per finished request (metrics). */
  observe?: (channel: string, service: string, status: number, ms: number) => void;
}

export function sendError(
  res: ServerResponse,
  err: WharfError,
  cid: string,
  codec: DataFormatCodec,
  opts: CodecOptions,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeReply(res, errorReply(err, cid, codec, opts), false);
}

function writeReply(res: ServerResponse, reply: Reply, head: boolean): void {
  // A body refused part-way: answer, then close after a short lingering close (not the whole upload).
  if (bodyAbandoned(res.req)) lingerClose(res);
  res.writeHead(reply.status, reply.headers);
  res.end(head ? undefined : reply.body);
}

/** The error a request that matched no route gets (404, or 405 with `allow`). */
export function unroutedError(
  match: { kind: 'method'; allow: readonly string[] } | { kind: 'none' },
  method: string,
  path: string,
): WharfError {
  return match.kind === 'method'
    ? new WharfError('WHARF_ERR_METHOD_NOT_ALLOWED', [`${method} is not allowed on ${path}`], {
        headers: { allow: allowHeader(match.allow) },
      })
    : new WharfError('WHARF_ERR_ROUTE_NOT_FOUND', [path]);
}

/** A 405's Allow: the path's methods and OPTIONS, which Wharf answers on every channel path (Allow, CORS pre-flight). */
function allowHeader(methods: readonly string[]): string {
  return methods.includes('OPTIONS') ? methods.join(', ') : [...methods, 'OPTIONS'].join(', ');
}

/** How long a connection closed after a refused body still discards what the client sends, at most. */
export const LINGER_MS = 2000;

/**
 * Closes the connection after this answer. node:http would destroy the socket as soon as the answer is
 * flushed; while the client is still uploading that resets the connection and the client may lose the
 * answer. Instead the socket is ended and destroyed LINGER_MS later (or when the client closes); what
 * arrives meanwhile is discarded by node:http. Only on this error path (one timer per refused body).
 */
function lingerClose(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  const socket = res.socket;
  if (socket === null) return;
  socket.destroySoon = function (this: typeof socket) {
    this.end();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}

/**
 * The request's headers in a null-prototype object, joined as node:http joins them. node:http's own
 * `req.headers` (Node 20) is a plain object: an absent `constructor` header reads as Object's
 * constructor, and a header named `__proto__` is dropped; here both are plain headers.
 */
export function requestHeaders(req: IncomingMessage): RequestHeaders {
  const headers = Object.create(null) as RequestHeaders;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) addHeader(headers, raw[i]!.toLowerCase(), raw[i + 1]!);
  return headers;
}

/** What node:http accepts but Wharf refuses: versions other than HTTP/1.0 and 1.1 (0.9 included), two Host headers. */
export function checkRequest(req: IncomingMessage): WharfError | undefined {
  const v = req.httpVersion;
  if (v !== '1.1' && v !== '1.0') {
    return v === '0.9'
      ? new WharfError('WHARF_ERR_BAD_REQUEST', ['Malformed HTTP request line'])
      : new WharfError('WHARF_ERR_HTTP_VERSION', [`HTTP/${v}`]);
  }
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === 4 && n.toLowerCase() === 'host' && ++hosts > 1)
      return new WharfError('WHARF_ERR_BAD_REQUEST', ['More than one Host header']);
  }
  return undefined;
}

const CLIENT_ERRORS: Record<string, WharfError> = {
  HPE_HEADER_OVERFLOW: new WharfError('WHARF_ERR_HEADERS_TOO_LARGE', [MAX_HEAD_BYTES]),
  ERR_HTTP_REQUEST_TIMEOUT: new WharfError('WHARF_ERR_REQUEST_TIMEOUT', [
    'head or body',
    "not complete within the server's deadline",
  ]),
};

/** node:http's 'clientError' listener: what llhttp refuses → 400 (431 for a big head), its deadlines → 408; JSON error body, then close. */
export function clientErrorHandler(logger: ServiceLogger): (err: Error, socket: Duplex) => void {
  return (err, socket) => {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    // As node:http does: answer only if no answer has started on this socket.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (socket.writable && (!inFlight || !inFlight.headersSent)) {
      const e = CLIENT_ERRORS[code] ?? new WharfError('WHARF_ERR_BAD_REQUEST', ['Malformed HTTP request']);
      const body = JSON.stringify({ error: toErrorBody(e, randomUUID()) });
      socket.end(
        `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      socket.once('finish', () => socket.destroy());
    } else socket.destroy();
    logger.debug('HTTP client error', { code, message: err.message });
  };
}

export function createRequestListener(opts: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { router, logger } = opts;
  const hooks = { logger, observe: opts.observe };
  return (req, res) => {
    const cid = randomUUID();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const qs = q === -1 ? '' : url.slice(q + 1);
    const bad = checkRequest(req);
    if (bad !== undefined) {
      req.resume();
      res.shouldKeepAlive = false;
      sendError(res, bad, cid, codecs.json, JSON_OPTS);
      return;
    }
    if (path.startsWith('/wharf/') && opts.internal) {
      opts
        .internal(req, res, path, qs, cid)
        .then((handled) => {
          if (!handled)
            sendError(res, new WharfError('WHARF_ERR_ROUTE_NOT_FOUND', [path]), cid, codecs.json, JSON_OPTS);
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
      // GET|HEAD <path>?wsdl where the path's SOAP channel does not take the method (./wsdl-query.ts).
      const soap =
        match.kind === 'method' && (method === 'GET' || method === 'HEAD') && isWsdlQuery(qs)
          ? wsdlRouteOf(router, match.allow, path)
          : undefined;
      if (soap) return writeReply(res, wsdlQueryReply(soap, requestHeaders(req), cid), method === 'HEAD');
      sendError(res, unroutedError(match, method, path), cid, codecs.json, JSON_OPTS);
      return;
    }
    const call: ChannelCall = {
      method,
      headers: requestHeaders(req),
      params: match.params,
      qs,
      cid,
      readBody: (limit) => readBody(req, limit),
      discardBody: () => req.resume(),
    };
    void dispatch(match.route as HttpRoute, call, hooks).then((reply) => {
      if (res.headersSent) res.destroy();
      else writeReply(res, reply, method === 'HEAD');
    });
  };
}
