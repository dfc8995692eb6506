/**
 * OPTIONS and CORS on HTTP channels. OPTIONS is answered by Wharf, never by a service: 204 with
 * `Allow` (the channel's methods; for ANY the usual set), and, when the channel has `cors` and the
 * request comes from an allowed Origin, a CORS pre-flight answer. Answers to allowed origins carry
 * `Access-Control-Allow-Origin` (and -Credentials, -Expose-Headers); other origins get none. Every
 * answer of a `cors` channel says `Vary: Origin`.
 */
import type { Headers } from '../../service/service.js';
import type { Reply, ReplyHeaders } from './dispatch.js';
import type { HttpChannelConfig } from './kind.js';
import { ROUTABLE_METHODS } from './router.js';

export type CorsConfig = NonNullable<HttpChannelConfig['cors']>;

export interface CorsPolicy {
  readonly anyOrigin: boolean;
  readonly origins: ReadonlySet<string>;
  readonly allowMethods: string;
  readonly allowHeaders: string | undefined;
  readonly exposeHeaders: string | undefined;
  readonly credentials: boolean;
  readonly maxAge: string | undefined;
}

/** The `Allow` value of a channel: its method (GET brings HEAD only when the channel serves it), OPTIONS always. */
export function allowOf(method: string): string {
  if (method === 'ANY') return ROUTABLE_METHODS.join(', ');
  return method === 'OPTIONS' ? 'OPTIONS' : `${method}, OPTIONS`;
}

/** Lower-cased `scheme://host[:port]`, as browsers send `Origin`. */
function originKey(o: string): string {
  return o.trim().toLowerCase().replace(/\/+$/, '');
}

export function corsPolicy(cors: CorsConfig | undefined, allow: string): CorsPolicy | undefined {
  if (!cors) return undefined;
  return {
    anyOrigin: cors.allowOrigins.includes('*'),
    origins: new Set(cors.allowOrigins.filter((o) => o !== '*').map(originKey)),
    allowMethods: cors.allowMethods?.length ? cors.allowMethods.join(', ') : allow,
    allowHeaders: cors.allowHeaders?.length ? cors.allowHeaders.join(', ') : undefined,
    exposeHeaders: cors.exposeHeaders?.length ? cors.exposeHeaders.join(', ') : undefined,
    credentials: cors.allowCredentials ?? false,
    maxAge: cors.maxAgeSeconds === undefined ? undefined : String(cors.maxAgeSeconds),
  };
}

function one(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/** The request's Origin when the policy allows it, else undefined. */
function allowedOrigin(p: CorsPolicy, headers: Headers): string | undefined {
  const origin = one(headers['origin']);
  if (origin === undefined || origin === '') return undefined;
  return p.anyOrigin || p.origins.has(originKey(origin)) ? origin : undefined;
}

function addVary(h: ReplyHeaders): void {
  const v = h['vary'];
  if (v === undefined) h['vary'] = 'Origin';
  else if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(String(v))) h['vary'] = `${String(v)}, Origin`;
}

function allowOriginHeaders(p: CorsPolicy, origin: string, h: ReplyHeaders): void {
  // A credentialed answer must name the origin; otherwise `*` when any origin is allowed.
  h['access-control-allow-origin'] = p.anyOrigin && !p.credentials ? '*' : origin;
  if (p.credentials) h['access-control-allow-credentials'] = 'true';
}

/** Wharf's answer to OPTIONS: 204, Allow, and the CORS pre-flight headers for an allowed origin. */
export function optionsReply(allow: string, p: CorsPolicy | undefined, headers: Headers, cid: string): Reply {
  const h: ReplyHeaders = { allow, 'x-wharf-cid': cid };
  if (p) {
    addVary(h);
    const origin = allowedOrigin(p, headers);
    if (origin !== undefined) {
      allowOriginHeaders(p, origin, h);
      if (one(headers['access-control-request-method']) !== undefined) {
        h['access-control-allow-methods'] = p.allowMethods;
        const asked = one(headers['access-control-request-headers']);
        // Without allowHeaders, the headers the browser asks for are allowed (the origin is trusted).
        const hdrs = p.allowHeaders ?? asked;
        if (hdrs) h['access-control-allow-headers'] = hdrs;
        if (p.maxAge !== undefined) h['access-control-max-age'] = p.maxAge;
      }
    }
  }
  return { status: 204, headers: h, body: undefined };
}

/** CORS headers on an actual answer (success or error) of a `cors` channel. */
export function withCors(reply: Reply, p: CorsPolicy, headers: Headers): Reply {
  addVary(reply.headers);
  const origin = allowedOrigin(p, headers);
  if (origin !== undefined) {
    allowOriginHeaders(p, origin, reply.headers);
    if (p.exposeHeaders) reply.headers['access-control-expose-headers'] = p.exposeHeaders;
  }
  return reply;
}
