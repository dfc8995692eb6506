/**
 * Contracts generated from the channels and the services' SimpleIO declarations (issue 15):
 *   GET /wharf/admin/openapi.json[?channel=NAME][&base=URL]  OpenAPI 3.1 of the HTTP channels (or one)
 *   GET /wharf/admin/wsdl?channel=NAME[&base=URL]           WSDL 1.1 of one SOAP channel (text/xml)
 * The base URL inside (servers, soap:address) is the request's Host, or `base` (e.g. the load
 * balancer's public address). What this worker runs is described: its config snapshot and registry.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { WharfError } from '../errors.js';
import type { DeclarationLike, ShapeLike } from '../service/contracts/element-like.js';
import { buildChannelOpenApi, buildOpenApi } from '../service/contracts/openapi.js';
import type { ChannelLike, ContractSources, SecurityLike, ServiceLike } from '../service/contracts/sources.js';
import { buildWsdl } from '../service/contracts/wsdl.js';
import type { WorkerRuntime } from '../server/runtime.js';
import type { AdminContext, On } from './http.js';
import { RawReply } from './raw-reply.js';

function one(v: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(v)) throw new WharfError('WHARF_ERR_BAD_REQUEST', [`${name}: give it once`]);
  return v === undefined || v === '' ? undefined : v;
}

/** The base URL clients use: `base` when given (http(s)://host[:port][/prefix]), else the request's own. */
export function baseUrlOf(req: IncomingMessage, base: string | undefined, rt: WorkerRuntime): string {
  if (base !== undefined) {
    let u: URL;
    try {
      u = new URL(base);
    } catch {
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [`base: \`${base}\` is not a URL (e.g. http://api.example.com:11223)`]);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new WharfError('WHARF_ERR_BAD_REQUEST', ['base: an http:// or https:// URL']);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  }
  const secure = (req.socket as Partial<TLSSocket>).encrypted === true;
  const host = req.headers.host && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host) ? req.headers.host : `${rt.opts.config.host}:${rt.opts.config.port}`;
  return `${secure ? 'https' : 'http'}://${host}`;
}

/** What this worker runs, as the generators read it (security definitions: kind and header only). */
export function contractSources(rt: WorkerRuntime, baseUrl: string): ContractSources {
  const channels = rt.snapshot.list('channels.http') as unknown as ChannelLike[];
  const services = new Map<string, ServiceLike>();
  for (const e of rt.registry.list()) {
    const d = e.cls.declaration;
    services.set(e.name, {
      name: e.name,
      description: d.description,
      input: d.input as ShapeLike | undefined,
      output: d.output as DeclarationLike | undefined,
      verbs: [...e.verbs],
      hasHandle: e.hasHandle,
    });
  }
  const security = new Map<string, SecurityLike>();
  for (const ch of channels) {
    if (!ch.security || security.has(ch.security)) continue;
    const basic = rt.snapshot.get('security.basicAuth', ch.security);
    if (basic) security.set(ch.security, { kind: 'basicAuth', realm: typeof basic['realm'] === 'string' ? basic['realm'] : undefined });
    const key = rt.snapshot.get('security.apiKey', ch.security);
    if (key && !basic) security.set(ch.security, { kind: 'apiKey', headerName: String(key['headerName'] ?? 'X-API-Key') });
  }
  return { channels, services, security, baseUrl, version: String(rt.version) };
}

export function register(on: On, ctx: AdminContext): void {
  on('GET', '/wharf/admin/openapi.json', async ({ req, query }) => {
    const channel = one(query['channel'], 'channel');
    const src = contractSources(ctx.rt, baseUrlOf(req, one(query['base'], 'base'), ctx.rt));
    return channel === undefined ? buildOpenApi(src) : buildChannelOpenApi(src, channel);
  });

  on('GET', '/wharf/admin/wsdl', async ({ req, query }) => {
    const channel = one(query['channel'], 'channel');
    if (channel === undefined) throw new WharfError('WHARF_ERR_BAD_REQUEST', ['channel: the SOAP channel whose WSDL to give (?channel=NAME)']);
    const src = contractSources(ctx.rt, baseUrlOf(req, one(query['base'], 'base'), ctx.rt));
    const ch = src.channels.find((c) => c.name === channel);
    if (!ch) throw new WharfError('WHARF_ERR_NOT_FOUND', [`no HTTP channel \`${channel}\``]);
    const svc = ch.service ? src.services.get(ch.service) : undefined;
    return new RawReply('text/xml; charset=utf-8', buildWsdl(ch, svc, `${src.baseUrl}${ch.urlPath}`));
  });
}
