/**
 * Admin API login for token clients (the web admin): POST auth/login (open; throttled, see
 * login-throttle.ts), auth/refresh and auth/logout (Bearer). The client address used for
 * throttling is the socket's peer, or `x-wharf-client-addr` when the peer is loopback (the web
 * admin runs on the same host and passes the browser's address).
 */
import { WharfError } from '../errors.js';
import { AdminAuth } from './auth.js';
import type { AdminContext, On } from './http.js';
import { clientAddress } from './login-throttle.js';
import type { IssuedToken } from './tokens.js';

const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;

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
  if (problems.length) throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`Invalid login request: ${problems.join('; ')}`], { details: { problems } });
  return { username: username as string, password: password as string };
}

export function register(on: On, ctx: AdminContext): void {
  const auth = AdminAuth.for(ctx.rt);
  on(
    'POST',
    '/wharf/admin/auth/login',
    async ({ req, body }) => {
      const { username, password } = loginBody(await body());
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
