/**
 * Logging in to Swift: tempauth/swauth v1.0 and Keystone v2.0/v3 password authentication, each giving
 * a token and the storage URL (from the headers, or the Keystone catalog's object-store endpoint).
 */
import type { Dispatcher } from 'undici';
import { responseMessage, type SwiftError } from './errors.js';
import type { SwiftClientOptions } from './types.js';
import { date, num, type Reply, type Session, type Target } from './wire.js';

export type AuthOptions = SwiftClientOptions & {
  readonly authVersion: 1 | 2 | 3;
};

/** What authentication needs of the client. */
export interface AuthIo {
  readonly opts: AuthOptions;
  /** Sends an auth request (with the client's retries); non-2xx replies reject as auth failures. */
  request(method: Dispatcher.HttpMethod, url: string, headers: Record<string, string>, body?: string): Promise<Reply>;
  /** An auth reply that is 2xx but unusable. */
  failure(reason: string, reply: Reply, cause?: unknown): SwiftError;
}

/** What auth failures are about, for error messages. */
export function authTarget(opts: AuthOptions): Target {
  return {
    operation: 'auth',
    head: `authentication failed for user ${opts.user} at ${opts.authUrl}`,
  };
}

/** Logs in with the configured auth version. */
export function authenticate(io: AuthIo): Promise<Session> {
  return io.opts.authVersion === 1 ? authV1(io) : io.opts.authVersion === 2 ? authV2(io) : authV3(io);
}

function newSession(
  io: AuthIo,
  token: string | undefined,
  storageUrl: string | undefined,
  expiresAt: number | undefined,
  reply: Reply,
): Session {
  if (!token) throw io.failure('the response has no token', reply);
  if (!storageUrl) throw io.failure('the response has no storage URL', reply);
  let u: URL;
  try {
    u = new URL(storageUrl);
  } catch (e) {
    throw io.failure(`the storage URL \`${storageUrl}\` is invalid`, reply, e);
  }
  const session: Session = {
    token,
    origin: u.origin,
    basePath: u.pathname.replace(/\/+$/, ''),
  };
  if (expiresAt !== undefined && Number.isFinite(expiresAt)) session.expiresAt = expiresAt;
  return session;
}

async function authV1(io: AuthIo): Promise<Session> {
  const reply = await io.request('GET', io.opts.authUrl, {
    'X-Auth-User': io.opts.user,
    'X-Auth-Key': io.opts.key,
  });
  const ttl = num(reply.headers['x-auth-token-expires']);
  return newSession(
    io,
    reply.headers['x-auth-token'] ?? reply.headers['x-storage-token'],
    reply.headers['x-storage-url'],
    ttl === undefined ? undefined : Date.now() + ttl * 1000,
    reply,
  );
}

async function authV2(io: AuthIo): Promise<Session> {
  const url = /\/tokens\/?$/.test(io.opts.authUrl) ? io.opts.authUrl : `${io.opts.authUrl.replace(/\/+$/, '')}/tokens`;
  const body = JSON.stringify({
    auth: {
      tenantName: io.opts.project ?? io.opts.tenantName,
      passwordCredentials: { username: io.opts.user, password: io.opts.key },
    },
  });
  const reply = await io.request('POST', url, { 'Content-Type': 'application/json', Accept: 'application/json' }, body);
  type V2 = {
    access?: {
      token?: { id?: string; expires?: string };
      serviceCatalog?: {
        type?: string;
        endpoints?: Record<string, string | undefined>[];
      }[];
    };
  };
  const access = json<V2>(io, reply).access;
  const iface = io.opts.endpointInterface ?? 'public';
  const endpoints = (access?.serviceCatalog ?? [])
    .filter((s) => s.type === 'object-store')
    .flatMap((s) => s.endpoints ?? []);
  const endpoint = endpoints.find((e) => !io.opts.region || e['region'] === io.opts.region);
  const storageUrl = endpoint?.[`${iface}URL`];
  if (!storageUrl)
    throw io.failure(
      noEndpoint(
        io.opts,
        endpoints.map((e) => e['region']),
      ),
      reply,
    );
  return newSession(io, access?.token?.id, storageUrl, date(access?.token?.expires)?.getTime(), reply);
}

async function authV3(io: AuthIo): Promise<Session> {
  const base = io.opts.authUrl.replace(/\/+$/, '');
  const url = base.endsWith('/auth/tokens')
    ? base
    : base.endsWith('/v3')
      ? `${base}/auth/tokens`
      : `${base}/v3/auth/tokens`;
  const domain = io.opts.domain ?? 'Default';
  const body = JSON.stringify({
    auth: {
      identity: {
        methods: ['password'],
        password: {
          user: {
            name: io.opts.user,
            domain: { name: io.opts.userDomain ?? domain },
            password: io.opts.key,
          },
        },
      },
      scope: {
        project: {
          name: io.opts.project ?? io.opts.tenantName,
          domain: { name: io.opts.projectDomain ?? domain },
        },
      },
    },
  });
  const reply = await io.request('POST', url, { 'Content-Type': 'application/json', Accept: 'application/json' }, body);
  type V3 = {
    token?: {
      expires_at?: string;
      catalog?: {
        type?: string;
        endpoints?: {
          interface?: string;
          region?: string;
          region_id?: string;
          url?: string;
        }[];
      }[];
    };
  };
  const token = json<V3>(io, reply).token;
  const iface = io.opts.endpointInterface ?? 'public';
  const region = io.opts.region;
  const endpoints = (token?.catalog ?? [])
    .filter((s) => s.type === 'object-store')
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.interface === iface);
  const endpoint = endpoints.find((e) => !region || e.region === region || e.region_id === region);
  if (!endpoint?.url)
    throw io.failure(
      noEndpoint(
        io.opts,
        endpoints.map((e) => e.region ?? e.region_id),
      ),
      reply,
    );
  return newSession(io, reply.headers['x-subject-token'], endpoint.url, date(token?.expires_at)?.getTime(), reply);
}

function noEndpoint(opts: AuthOptions, regions: (string | undefined)[]): string {
  const iface = opts.endpointInterface ?? 'public';
  const where = opts.region ? ` in region ${opts.region}` : '';
  const known = [...new Set(regions.filter((r) => r !== undefined))];
  return `the catalog has no ${iface} object-store endpoint${where}${known.length ? ` (regions: ${known.join(', ')})` : ''}`;
}

function json<T>(io: AuthIo, reply: Reply): T {
  try {
    return JSON.parse(reply.data.toString('utf8')) as T;
  } catch (e) {
    throw io.failure(`the response is not JSON: ${responseMessage(reply.data)}`, reply, e);
  }
}
