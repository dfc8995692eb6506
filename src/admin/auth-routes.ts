/**
 * Admin API login for token clients (the web admin): POST auth/login (open; throttled, see
 * login-throttle.ts), auth/refresh and auth/logout (Bearer). The client address used for
 * throttling is the socket's peer, or `x-wharf-client-addr` when the peer is loopback (the web
 * admin runs on the same host and passes the browser's address).
 */
import type { IncomingMessage } from 'node:http';
import { readBody } from '../channels/http/body.js';
import { WharfError } from '../errors.js';
import { AdminAuth } from './auth.js';
import type { AdminContext, On } from './http.js';
import { clientAddress } from './login-throttle.js';
import type { IssuedToken } from './tokens.js';

const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;
/** Login is open to anyone: its body is small (the admin API's general limit is 50 MB). */
const MAX_LOGIN_BODY = 16 * 1024;

async function smallJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, MAX_LOGIN_BODY);
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['JSON', e instanceof Error ? e.message : String(e)]);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new WharfError('WHARF_ERR_BAD_REQUEST', ['auth/login takes a JSON object { username, password }']);
  return v as Record<string, unknown>;
}

function view(t: IssuedToken): { token: string; expiresAt: string; user: string } {
  return { token: t.token, expiresAt: t.expiresAt.toISOString(), user: t.claims.user };
}

function loginBody(b: Record<string, unknown>): { username: string; password: string } {
  const problems: string[] = [];
  const { username, password } = b;
  if (typeof username !== 'string' || username === '') problems.push('username: required, a non-empty string');
  else if (username.length > MAX_USERNAME) problems.push(`username: at most ${MAX_USERNAME} characters`);
  if (typeof password !== 'string' || password === '') problems.push('password: required, a non-empty string');
  else if (password.length > MAX_PASSWORD) problems.push(`password: at most ${MAX_PASSWORD} characters`);
  for (const k of Object.keys(b)) if (k !== 'username' && k !== 'password') problems.push(`${k}: unknown field`);
  if (problems.length)
    throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`Invalid login request: ${problems.join('; ')}`], {
      details: { problems },
    });
  return { username: username as string, password: password as string };
}

export function register(on: On, ctx: AdminContext): void {
  const auth = AdminAuth.for(ctx.rt);
  on(
    'POST',
    '/wharf/admin/auth/login',
    async ({ req }) => {
      const { username, password } = loginBody(await smallJson(req));
      return view(await auth.login(username, password, clientAddress(req.headers, req.socket.remoteAddress)));
    },
    { open: true },
  );
  // Refresh and logout authenticate themselves: they need the token's claims, not just the user.
  on(
    'POST',
    '/wharf/admin/auth/refresh',
    async ({ req }) => {
      req.resume();
      const claims = await auth.bearer(req.headers);
      return view(await auth.tokens.issue(claims.user, claims));
    },
    { open: true },
  );
  on(
    'POST',
    '/wharf/admin/auth/logout',
    async ({ req }) => {
      req.resume();
      const claims = await auth.bearer(req.headers);
      await auth.tokens.revoke(claims);
      return { loggedOut: true };
    },
    { open: true },
  );
}
