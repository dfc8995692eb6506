/**
 * The node:http adapter of the HTTP data plane: `/wharf/...` goes to the admin handler, everything else
 * is routed and handed to `dispatch()` (src/channels/http/dispatch.ts); the Reply is written back. Wharf's
 * own HTTP/1.1 front (./front/) hands this listener the requests it does not take itself.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeError, WharfError } from '../../errors.js';
import { codecs, type CodecOptions, type DataFormatCodec } from '../../service/formats/index.js';
import type { ServiceLogger } from '../../service/service.js';
import { readBody } from './body.js';
import { dispatch, errorReply, logFailure, type ChannelCall, type Reply } from './dispatch.js';
import type { HttpRoute } from './route.js';
import type { ChannelRouter } from './router.js';

export const JSON_OPTS: CodecOptions = { maxDepth: 64 };

export interface HandlerOptions {
  router: ChannelRouter<unknown>;
  logger: ServiceLogger;
  /** Handles `/wharf/...` (ping, admin API, metrics); returns false when it doesn't know the path. */
  internal?: (req: IncomingMessage, res: ServerResponse, path: string, query: string, cid: string) => Promise<boolean>;
  /** Called once per finished request (metrics). */
  observe?: (channel: string, service: string, status: number, ms: number) => void;
}

export function sendError(res: ServerResponse, err: WharfError, cid: string, codec: DataFormatCodec, opts: CodecOptions): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeReply(res, errorReply(err, cid, codec, opts), false);
}

function writeReply(res: ServerResponse, reply: Reply, head: boolean): void {
  res.writeHead(reply.status, reply.headers);
  res.end(head ? undefined : reply.body);
}

/** The error a request that matched no route gets (404, or 405 with `allow`). */
export function unroutedError(match: { kind: 'method'; allow: readonly string[] } | { kind: 'none' }, method: string, path: string): WharfError {
  return match.kind === 'method'
    ? new WharfError('WHARF_ERR_METHOD_NOT_ALLOWED', [`${method} is not allowed on ${path}`], { headers: { allow: match.allow.join(', ') } })
    : new WharfError('WHARF_ERR_ROUTE_NOT_FOUND', [path]);
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
      sendError(res, unroutedError(match, method, path), cid, codecs.json, JSON_OPTS);
      return;
    }
    const call: ChannelCall = {
      method,
      headers: req.headers,
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
