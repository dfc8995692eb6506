/**
 * The web admin's routes (docs/web-admin.md):
 *   GET /api/status                       open: is the admin API answering
 *   GET|POST|DELETE /api/session          who am I / log in (same-origin) / log out (CSRF)
 *   * /api/admin/<path>                   proxied to <adminUrl>/wharf/admin/<path> with the session's token
 *   GET /static/<file>                    dist/web-admin/public
 *   GET anything else                     the shell HTML (the UI routes client-side)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS, type Asset, type Assets } from './assets.js';
import type { WebAdminConfig } from './config.js';
import { clearSessionCookie, parseCookies, SESSION_COOKIE, sessionCookie } from './cookies.js';
import { BodyError, isJsonType, readRequestBody, sendError, sendJson } from './http-util.js';
import type { Log } from './log.js';
import { proxyPath, staticName } from './paths.js';
import { csrfMatches, type Session, type SessionStore } from './sessions.js';
import { AdminDown, type Upstream } from './upstream.js';

export const UPLOAD_LIMIT = 20 * 1024 * 1024;
export const LOGIN_LIMIT = 64 * 1024;
/** Refresh the admin token when less than this is left. */
export const REFRESH_BEFORE_MS = 5 * 60_000;
const DEFAULT_TOKEN_MS = 15 * 60_000;
const PROXY_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const PASS_HEADERS = ['content-type', 'retry-after', 'content-disposition', 'x-wharf-cid'];
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1', '[::1]'];

export interface AppDeps {
  config: WebAdminConfig;
  upstream: Upstream;
  sessions: SessionStore;
  assets: Assets;
  log: Log;
  secure: boolean;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function hostName(hostHeader: string): string {
  const h = hostHeader.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

export function createApp(d: AppDeps): Handler {
  const { config, upstream, sessions, assets, log } = d;
  const scheme = d.secure ? 'https' : 'http';
  const allowed = new Set([...LOOPBACK_NAMES, config.host.toLowerCase(), ...config.allowedHosts]);
  const loopbackOnly = isLoopback(config.host);
  const downMessage = `The admin API at ${upstream.url} is not answering`;
  let status: { at: number; body: { adminApi: 'up' | 'down'; adminUrl: string; detail?: string } } | undefined;
  let statusInFlight: Promise<void> | undefined;

  const adminDown = (res: ServerResponse, e: AdminDown): void => {
    status = { at: Date.now(), body: { adminApi: 'down', adminUrl: upstream.url, detail: e.detail } };
    sendError(res, 502, 'WHARF_ERR_ADMIN_DOWN', downMessage, { details: { detail: e.detail } });
  };

  const cookieFor = (s: Session): string => sessionCookie(s.id, { secure: d.secure });
  const clearCookie = (): string => clearSessionCookie({ secure: d.secure });

  function session(req: IncomingMessage): ReturnType<SessionStore['lookup']> {
    return sessions.lookup(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
  }

  /** Origin checks: the request comes from a page of this web admin. */
  function sameOrigin(req: IncomingMessage): boolean {
    const own = `${scheme}://${(req.headers.host ?? '').toLowerCase()}`;
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return false;
    if (origin !== undefined) return origin.toLowerCase() === own;
    return site === 'same-origin';
  }

  /** Non-GET with a session: the CSRF header, and no foreign Origin. */
  function csrfOk(req: IncomingMessage, s: Session): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `${scheme}://${(req.headers.host ?? '').toLowerCase()}`)
      return false;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
    return csrfMatches(s, req.headers['x-csrf-token']);
  }

  async function refreshIfDue(s: Session): Promise<void> {
    if (s.tokenExpiresAt - Date.now() > REFRESH_BEFORE_MS) return;
    s.refreshing ??= (async () => {
      try {
        const r = await upstream.json({
          method: 'POST',
          path: '/wharf/admin/auth/refresh',
          headers: { authorization: `Bearer ${s.token}` },
          timeoutMs: 15_000,
        });
        const b = r.body as { token?: unknown; expiresAt?: unknown } | undefined;
        if (r.status === 200 && typeof b?.token === 'string') {
          s.token = b.token;
          const at = typeof b.expiresAt === 'string' ? Date.parse(b.expiresAt) : NaN;
          s.tokenExpiresAt = Number.isFinite(at) ? at : Date.now() + DEFAULT_TOKEN_MS;
        } else log('warn', 'token refresh refused', { user: s.user, status: r.status });
      } finally {
        s.refreshing = undefined;
      }
    })();
    await s.refreshing;
  }

  async function apiStatus(res: ServerResponse): Promise<void> {
    if (!status || Date.now() - status.at > 1000) {
      statusInFlight ??= (async () => {
        try {
          const r = await upstream.request({ method: 'GET', path: '/wharf/ping', timeoutMs: 3000 });
          r.resume();
          const code = r.statusCode ?? 0;
          status = {
            at: Date.now(),
            body:
              code < 500
                ? { adminApi: 'up', adminUrl: upstream.url }
                : { adminApi: 'down', adminUrl: upstream.url, detail: `HTTP ${code}` },
          };
        } catch (e) {
          status = {
            at: Date.now(),
            body: { adminApi: 'down', adminUrl: upstream.url, detail: e instanceof AdminDown ? e.detail : String(e) },
          };
        } finally {
          statusInFlight = undefined;
        }
      })();
      await statusInFlight;
    }
    sendJson(res, 200, status!.body);
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!sameOrigin(req))
      return sendError(
        res,
        403,
        'WHARF_ERR_FORBIDDEN',
        'Log in from the web admin itself (cross-origin login refused)',
      );
    if (!isJsonType(req.headers['content-type'])) {
      req.resume();
      return sendError(
        res,
        415,
        'WHARF_ERR_UNSUPPORTED_MEDIA_TYPE',
        `Content-Type \`${req.headers['content-type'] ?? ''}\` is not accepted here; expected application/json`,
      );
    }
    const buf = await readRequestBody(req, LOGIN_LIMIT);
    let body: unknown;
    try {
      body = JSON.parse(buf.toString('utf8'));
    } catch {
      return sendError(res, 400, 'WHARF_ERR_MALFORMED_BODY', 'Malformed JSON body');
    }
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const username = typeof fields['username'] === 'string' ? fields['username'] : '';
    const password = typeof fields['password'] === 'string' ? fields['password'] : '';
    const problems: string[] = [];
    if (username.length === 0 || username.length > 256)
      problems.push('username: required, a string of at most 256 characters');
    if (password.length === 0 || password.length > 1024)
      problems.push('password: required, a string of at most 1024 characters');
    if (problems.length)
      return sendError(res, 400, 'WHARF_ERR_CONFIG_INVALID', 'username and password are required', {
        details: { problems },
      });
    let r: Awaited<ReturnType<Upstream['json']>>;
    try {
      r = await upstream.json({
        method: 'POST',
        path: '/wharf/admin/auth/login',
        headers: { 'content-type': 'application/json', 'x-wharf-client-addr': req.socket.remoteAddress ?? '' },
        body: Buffer.from(JSON.stringify({ username, password })),
        timeoutMs: 20_000,
      });
    } catch (e) {
      if (e instanceof AdminDown) return adminDown(res, e);
      throw e;
    }
    const b = r.body as { token?: unknown; expiresAt?: unknown; user?: unknown; error?: unknown } | undefined;
    if (r.status !== 200 || typeof b?.token !== 'string') {
      log('warn', 'login refused', { user: username, status: r.status, addr: req.socket.remoteAddress });
      const headers: Record<string, string> = {};
      if (typeof r.headers['retry-after'] === 'string') headers['retry-after'] = r.headers['retry-after'];
      if (b && typeof b === 'object' && 'error' in b && r.status >= 400 && r.status < 500)
        return sendJson(res, r.status, { error: b.error }, headers);
      return sendError(res, 502, 'WHARF_ERR_ADMIN_DOWN', `${downMessage} (login answered HTTP ${r.status})`);
    }
    const old = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (old) sessions.delete(old);
    const at = typeof b.expiresAt === 'string' ? Date.parse(b.expiresAt) : NaN;
    const user =
      typeof b.user === 'string'
        ? b.user
        : typeof (b.user as { username?: unknown } | undefined)?.username === 'string'
          ? (b.user as { username: string }).username
          : username;
    const s = sessions.create(user, b.token, Number.isFinite(at) ? at : Date.now() + DEFAULT_TOKEN_MS);
    log('info', 'login', { user, addr: req.socket.remoteAddress, sessions: sessions.size });
    sendJson(
      res,
      200,
      { user, csrf: s.csrf, expiresAt: new Date(sessions.expiresAt(s)).toISOString() },
      { 'set-cookie': cookieFor(s) },
    );
  }

  async function logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const l = session(req);
    if (l.state !== 'ok')
      return sendError(res, 401, 'WHARF_ERR_SESSION_EXPIRED', 'Not logged in (or the session expired)', {
        headers: { 'set-cookie': clearCookie() },
      });
    if (!csrfOk(req, l.session)) return sendError(res, 403, 'WHARF_ERR_CSRF', 'Missing or wrong x-csrf-token header');
    sessions.delete(l.session.id);
    try {
      const r = await upstream.request({
        method: 'POST',
        path: '/wharf/admin/auth/logout',
        headers: { authorization: `Bearer ${l.session.token}` },
        timeoutMs: 10_000,
      });
      r.resume();
    } catch (e) {
      log('warn', 'logout: admin API not answering; the token expires by itself', {
        user: l.session.user,
        detail: (e as Error).message,
      });
    }
    log('info', 'logout', { user: l.session.user });
    sendJson(res, 200, { loggedOut: true }, { 'set-cookie': clearCookie() });
  }

  function whoami(req: IncomingMessage, res: ServerResponse): void {
    const l = session(req);
    if (l.state === 'none') return sendError(res, 401, 'WHARF_ERR_UNAUTHORIZED', 'Not logged in');
    if (l.state === 'expired')
      return sendError(res, 401, 'WHARF_ERR_SESSION_EXPIRED', 'The session expired; log in again', {
        headers: { 'set-cookie': clearCookie() },
      });
    const s = l.session;
    sendJson(res, 200, { user: s.user, csrf: s.csrf, expiresAt: new Date(sessions.expiresAt(s)).toISOString() });
  }

  async function proxy(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (!PROXY_METHODS.has(method)) {
      req.resume();
      return sendError(res, 405, 'WHARF_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed here`, {
        headers: { allow: [...PROXY_METHODS].join(', ') },
      });
    }
    const p = proxyPath(rest);
    if (!p.ok) {
      req.resume();
      return sendError(res, 400, 'WHARF_ERR_BAD_REQUEST', `Refused admin API path: ${p.reason}`);
    }
    // Admin tokens stay in the web admin: login, refresh and logout go through /api/session only.
    if (/^\/wharf\/admin\/auth(\/|\?|$)/i.test(p.path)) {
      req.resume();
      return sendError(
        res,
        404,
        'WHARF_ERR_NOT_FOUND',
        'The admin API auth routes are not reachable here; use /api/session',
      );
    }
    const l = session(req);
    if (l.state !== 'ok') {
      req.resume();
      return sendError(
        res,
        401,
        'WHARF_ERR_SESSION_EXPIRED',
        'Not logged in (or the session expired); log in again',
        l.state === 'expired' ? { headers: { 'set-cookie': clearCookie() } } : {},
      );
    }
    const s = l.session;
    let body: Buffer | undefined;
    const headers: Record<string, string> = {};
    if (method !== 'GET') {
      if (!csrfOk(req, s)) {
        req.resume();
        return sendError(res, 403, 'WHARF_ERR_CSRF', 'Missing or wrong x-csrf-token header');
      }
      body = await readRequestBody(req, UPLOAD_LIMIT);
      if (body.length > 0) {
        if (!isJsonType(req.headers['content-type']))
          return sendError(
            res,
            415,
            'WHARF_ERR_UNSUPPORTED_MEDIA_TYPE',
            `Content-Type \`${req.headers['content-type'] ?? ''}\` is not accepted here; expected application/json`,
          );
        headers['content-type'] = 'application/json';
      } else body = undefined;
    } else req.resume();
    let up;
    try {
      await refreshIfDue(s);
      headers['authorization'] = `Bearer ${s.token}`;
      up = await upstream.request({ method, path: p.path, headers, body });
    } catch (e) {
      if (e instanceof AdminDown) return adminDown(res, e);
      throw e;
    }
    if (up.statusCode === 401) {
      up.resume();
      sessions.delete(s.id);
      return sendError(
        res,
        401,
        'WHARF_ERR_SESSION_EXPIRED',
        'The admin API no longer accepts this session; log in again',
        { headers: { 'set-cookie': clearCookie() } },
      );
    }
    const out: Record<string, string> = { 'cache-control': 'no-store' };
    for (const h of PASS_HEADERS) {
      const v = up.headers[h];
      if (typeof v === 'string') out[h] = v;
    }
    if (typeof up.headers['content-length'] === 'string') out['content-length'] = up.headers['content-length'];
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
    up.on('error', () => res.destroy());
    res.on('close', () => {
      if (!up.complete) up.destroy();
    });
  }

  function sendAsset(req: IncomingMessage, res: ServerResponse, a: Asset): void {
    const headers: Record<string, string> = {
      'content-type': a.type,
      etag: a.etag,
      'cache-control': a.cacheControl,
      vary: 'Accept-Encoding',
    };
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === a.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const gzip = a.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? a.gzip! : a.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (d.secure) res.setHeader('strict-transport-security', 'max-age=31536000');
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    if (!url.startsWith('/')) {
      req.resume();
      return sendError(res, 400, 'WHARF_ERR_BAD_REQUEST', 'Request target must be a path');
    }
    const host = req.headers.host;
    if (!host || (loopbackOnly && !allowed.has(hostName(host)))) {
      req.resume();
      return sendError(
        res,
        403,
        'WHARF_ERR_FORBIDDEN',
        `Host \`${host ?? ''}\` is not served here (add it to allowedHosts)`,
      );
    }
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);

    if (url.startsWith('/api/admin/')) return proxy(req, res, url.slice('/api/admin/'.length));
    if (path === '/api/status') {
      req.resume();
      if (method !== 'GET' && method !== 'HEAD')
        return sendError(res, 405, 'WHARF_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed here`, {
          headers: { allow: 'GET' },
        });
      return apiStatus(res);
    }
    if (path === '/api/session') {
      if (method === 'GET' || method === 'HEAD') {
        req.resume();
        return whoami(req, res);
      }
      if (method === 'POST') return login(req, res);
      if (method === 'DELETE') return logout(req, res);
      req.resume();
      return sendError(res, 405, 'WHARF_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed here`, {
        headers: { allow: 'GET, POST, DELETE' },
      });
    }
    req.resume();
    if (path === '/api' || path.startsWith('/api/'))
      return sendError(res, 404, 'WHARF_ERR_NOT_FOUND', `No web admin API at ${path}`);
    if (method !== 'GET' && method !== 'HEAD')
      return sendError(res, 405, 'WHARF_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed here`, {
        headers: { allow: 'GET' },
      });
    if (path.startsWith('/static/') || path === '/favicon.ico') {
      const name = staticName(path === '/favicon.ico' ? 'favicon.ico' : path.slice('/static/'.length));
      const a = name ? assets.file(name) : undefined;
      if (!a) return sendError(res, 404, 'WHARF_ERR_NOT_FOUND', `No file ${path}`);
      return sendAsset(req, res, a);
    }
    return sendAsset(req, res, assets.shell());
  }

  return (req, res) => {
    const started = Date.now();
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path.startsWith('/api/') && path !== '/api/status')
      res.once('finish', () =>
        log('info', 'request', { method: req.method, path, status: res.statusCode, ms: Date.now() - started }),
      );
    route(req, res).catch((e: unknown) => {
      if (e instanceof BodyError)
        return sendError(
          res,
          e.status,
          e.code,
          e.message,
          e.status === 413 ? { headers: { connection: 'close' } } : {},
        );
      log('error', 'request failed', {
        method: req.method,
        path: (req.url ?? '').split('?')[0],
        error: e instanceof Error ? e.stack : String(e),
      });
      if (!res.headersSent) sendError(res, 500, 'WHARF_ERR_INTERNAL', 'Internal error in the web admin; see its log');
      else res.destroy();
    });
  };
}
