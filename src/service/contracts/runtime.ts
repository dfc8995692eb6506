/**
 * The contracts of what one worker runs (its config snapshot and service registry), ready to send:
 * used by the admin API, the public `GET /wharf/openapi.json` (src/admin/contract-routes.ts) and
 * `GET <SOAP channel URL>?wsdl` (src/channels/http/wsdl-query.ts).
 */
import { WharfError } from '../../errors.js';
import type { ConfigSnapshot } from '../../config/snapshot.js';
import type { ServerConfig } from '../../server/config.js';
import type { ServiceRegistry } from '../registry.js';
import type { DeclarationLike, ShapeLike } from './element-like.js';
import { buildChannelOpenApi, buildOpenApi } from './openapi.js';
import type { ChannelLike, ContractSources, SecurityLike, ServiceLike } from './sources.js';
import { buildWsdl } from './wsdl.js';

/** What the contracts read from a worker's runtime (WorkerRuntime, and the admin API's AdminRuntime). */
export interface ContractRuntime {
  readonly opts: { readonly config: ServerConfig };
  readonly snapshot: ConfigSnapshot;
  readonly registry: ServiceRegistry;
  readonly version: number;
}

export interface ContractReply {
  contentType: string;
  body: string;
}

/**
 * The base URL clients use: `base` when given (http(s)://host[:port][/prefix]), else the request's
 * own scheme and Host (a Host that is not a plain host[:port] falls back to the server's address).
 * With server.yaml `contracts.trustForwarded: true` (Wharf behind a proxy that sets them, e.g. one
 * terminating TLS), `X-Forwarded-Proto` (http or https) and `X-Forwarded-Host` take the place of the
 * scheme and Host; the first value of each counts, a malformed one is ignored. Without it they are
 * ignored: any client can send them.
 */
export function baseUrlOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  secure: boolean,
  base: string | undefined,
  rt: ContractRuntime,
): string {
  if (base !== undefined) {
    let u: URL;
    try {
      u = new URL(base);
    } catch {
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [
        `base: \`${base}\` is not a URL (e.g. http://api.example.com:11223)`,
      ]);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new WharfError('WHARF_ERR_BAD_REQUEST', ['base: an http:// or https:// URL']);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  }
  let scheme = secure ? 'https' : 'http';
  let host = plainHost(headers['host']);
  if (rt.opts.config.contracts?.trustForwarded === true) {
    const proto = firstValue(headers['x-forwarded-proto'])?.toLowerCase();
    if (proto === 'http' || proto === 'https') scheme = proto;
    host = plainHost(firstValue(headers['x-forwarded-host'])) ?? host;
  }
  return `${scheme}://${host ?? `${rt.opts.config.host}:${rt.opts.config.port}`}`;
}

/** A header's first value: the first of repeated headers, the part before the first comma. */
function firstValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  const first = s?.split(',')[0]?.trim();
  return first === '' ? undefined : first;
}

/** `v` when it is a plain host[:port] (name, IPv4 or [IPv6]), else undefined. */
function plainHost(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(v) ? v : undefined;
}

/** What this worker runs, as the generators read it (security definitions: kind and header only). */
export function contractSources(rt: ContractRuntime, baseUrl: string): ContractSources {
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
    if (basic)
      security.set(ch.security, {
        kind: 'basicAuth',
        realm: typeof basic['realm'] === 'string' ? basic['realm'] : undefined,
      });
    const key = rt.snapshot.get('security.apiKey', ch.security);
    if (key && !basic)
      security.set(ch.security, { kind: 'apiKey', headerName: String(key['headerName'] ?? 'X-API-Key') });
  }
  return { channels, services, security, baseUrl, version: String(rt.version) };
}

/** OpenAPI 3.1 of every HTTP channel, or of `channel` (404 when there is none). */
export function openApiReply(rt: ContractRuntime, baseUrl: string, channel?: string): ContractReply {
  const src = contractSources(rt, baseUrl);
  const doc = channel === undefined ? buildOpenApi(src) : buildChannelOpenApi(src, channel);
  return { contentType: 'application/json', body: JSON.stringify(doc) };
}

/**
 * What the public `GET /wharf/openapi.json` gives: the channels that serve requests (active) only, so a
 * switched-off channel is neither listed nor found by `channel` (404, as its URL is).
 */
export function publicOpenApiReply(rt: ContractRuntime, baseUrl: string, channel?: string): ContractReply {
  const all = contractSources(rt, baseUrl);
  const src = { ...all, channels: all.channels.filter((c) => c.active !== false) };
  const doc = channel === undefined ? buildOpenApi(src) : buildChannelOpenApi(src, channel);
  return { contentType: 'application/json', body: JSON.stringify(doc) };
}

/** WSDL 1.1 of the SOAP channel `channel` (404 when there is none or it is not a SOAP channel). */
export function wsdlReply(rt: ContractRuntime, baseUrl: string, channel: string): ContractReply {
  const src = contractSources(rt, baseUrl);
  const ch = src.channels.find((c) => c.name === channel);
  if (!ch) throw new WharfError('WHARF_ERR_NOT_FOUND', [`no HTTP channel \`${channel}\``]);
  const svc = ch.service ? src.services.get(ch.service) : undefined;
  return { contentType: 'text/xml; charset=utf-8', body: buildWsdl(ch, svc, `${src.baseUrl}${ch.urlPath}`) };
}
