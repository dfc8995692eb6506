/**
 * Contracts generated from the channels and the services' SimpleIO declarations (issue 15):
 *   GET /wharf/admin/openapi.json[?channel=NAME][&base=URL]  OpenAPI 3.1 of the HTTP channels (or one)
 *   GET /wharf/admin/wsdl?channel=NAME[&base=URL]           WSDL 1.1 of one SOAP channel (text/xml)
 * The base URL inside (servers, soap:address) is the request's Host, or `base` (e.g. the load
 * balancer's public address). What this worker runs is described: its config snapshot and registry.
 */
import type { TLSSocket } from 'node:tls';
import { WharfError } from '../errors.js';
import { baseUrlOf, openApiReply, wsdlReply } from '../service/contracts/runtime.js';
import type { AdminContext, Call, On } from './http.js';
import { RawReply } from './raw-reply.js';

function one(v: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(v)) throw new WharfError('WHARF_ERR_BAD_REQUEST', [`${name}: give it once`]);
  return v === undefined || v === '' ? undefined : v;
}

function base(c: Call, ctx: AdminContext): string {
  return baseUrlOf(c.req.headers, (c.req.socket as Partial<TLSSocket>).encrypted === true, one(c.query['base'], 'base'), ctx.rt);
}

export function register(on: On, ctx: AdminContext): void {
  on('GET', '/wharf/admin/openapi.json', async (c) => {
    const r = openApiReply(ctx.rt, base(c, ctx), one(c.query['channel'], 'channel'));
    return new RawReply(r.contentType, r.body);
  });

  on('GET', '/wharf/admin/wsdl', async (c) => {
    const channel = one(c.query['channel'], 'channel');
    if (channel === undefined) throw new WharfError('WHARF_ERR_BAD_REQUEST', ['channel: the SOAP channel whose WSDL to give (?channel=NAME)']);
    const r = wsdlReply(ctx.rt, base(c, ctx), channel);
    return new RawReply(r.contentType, r.body);
  });
}
