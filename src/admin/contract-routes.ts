/**
 * Contracts generated from the channels and the services' SimpleIO declarations (issue 15):
 *   GET /wharf/admin/openapi.json[?channel=NAME][&base=URL]  OpenAPI 3.1 of the HTTP channels (or one)
 *   GET /wharf/admin/wsdl?channel=NAME[&base=URL]           WSDL 1.1 of one SOAP channel (text/xml)
 * and, on the same port for the channels' clients (docs/contracts.md):
 *   GET /wharf/openapi.json[?channel=NAME]                  the active channels only (publicOpenApi)
 *   GET <SOAP channel URL>?wsdl                             src/channels/http/wsdl-query.ts (its source is set here)
 * The public two are open unless server.yaml says `contracts.public: false` (then /wharf/openapi.json
 * takes admin credentials and ?wsdl the channel's own). They describe channels only, never /wharf/admin.
 * The base URL inside (servers, soap:address) is the request's Host, or `base` on the admin routes
 * (e.g. the load balancer's public address). What this worker runs is described: its config snapshot
 * and registry.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { TLSSocket } from 'node:tls';
import { serveWsdlFrom } from '../channels/http/wsdl-query.js';
import { WharfError } from '../errors.js';
import {
  baseUrlOf,
  openApiReply,
  publicOpenApiReply,
  wsdlReply,
  type ContractRuntime,
} from '../service/contracts/runtime.js';
import type { AdminContext, Call, On } from './http.js';
import { RawReply } from './raw-reply.js';

function one(v: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(v)) throw new WharfError('WHARF_ERR_BAD_REQUEST', [`${name}: give it once`]);
  return v === undefined || v === '' ? undefined : v;
}

const secure = (req: IncomingMessage): boolean => (req.socket as Partial<TLSSocket>).encrypted === true;

function base(c: Call, ctx: AdminContext): string {
  return baseUrlOf(c.req.headers, secure(c.req), one(c.query['base'], 'base'), ctx.rt);
}

/** Whether the public contracts need no credentials (server.yaml `contracts.public`, default true). */
export function contractsArePublic(rt: ContractRuntime): boolean {
  return rt.opts.config.contracts?.public !== false;
}

export function register(on: On, ctx: AdminContext): void {
  on('GET', '/wharf/admin/openapi.json', async (c) => {
    const r = openApiReply(ctx.rt, base(c, ctx), one(c.query['channel'], 'channel'));
    return new RawReply(r.contentType, r.body);
  });

  on('GET', '/wharf/admin/wsdl', async (c) => {
    const channel = one(c.query['channel'], 'channel');
    if (channel === undefined)
      throw new WharfError('WHARF_ERR_BAD_REQUEST', ['channel: the SOAP channel whose WSDL to give (?channel=NAME)']);
    const r = wsdlReply(ctx.rt, base(c, ctx), channel);
    return new RawReply(r.contentType, r.body);
  });

  // `GET <SOAP channel URL>?wsdl` answers from this worker's runtime (address from the request's Host).
  const rt = ctx.rt;
  serveWsdlFrom({
    public: contractsArePublic(rt),
    wsdl: (channel, headers) => wsdlReply(rt, baseUrlOf(headers, false, undefined, rt), channel),
  });
}

/**
 * `GET|HEAD /wharf/openapi.json[?channel=NAME]` on the public port: the OpenAPI document of the active
 * HTTP channels (or one; 404 for an unknown or inactive one). `adminCheck` runs when contracts are not public.
 */
export function publicOpenApi(
  rt: ContractRuntime,
  adminCheck: (req: IncomingMessage) => Promise<unknown>,
): (req: IncomingMessage, qs: string) => Promise<RawReply> {
  const open = contractsArePublic(rt);
  return async (req, qs) => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new WharfError(
        'WHARF_ERR_METHOD_NOT_ALLOWED',
        [`${req.method ?? ''} is not allowed on /wharf/openapi.json`],
        { headers: { allow: 'GET, HEAD' } },
      );
    }
    if (!open) await adminCheck(req);
    const q = qs === '' ? {} : parseQuery(qs);
    const r = publicOpenApiReply(rt, baseUrlOf(req.headers, secure(req), undefined, rt), one(q['channel'], 'channel'));
    return new RawReply(r.contentType, r.body);
  };
}
