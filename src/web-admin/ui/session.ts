/** The browser session with the web admin (cookie + CSRF token): load, log in, log out, expire. */
import { ApiError, readBody, toApiError } from './errors';
import { createStore } from './store';

export interface Session {
  user: string;
  csrf: string;
  expiresAt?: string;
}

/** undefined = not known yet, null = logged out. */
export const session = createStore<Session | null | undefined>(undefined);
/** Set when a call found the session expired; the login page shows "Your session expired". */
export const sessionExpired = createStore<boolean>(false);

export function csrfToken(): string | undefined {
  return session.get()?.csrf;
}

async function call(method: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken();
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch('/api/session', {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = await readBody(res);
  if (!res.ok) throw toApiError(res, data);
  return data;
}

function asSession(data: unknown): Session {
  const d = (data ?? {}) as { user?: unknown; csrf?: unknown; expiresAt?: unknown };
  const user =
    typeof d.user === 'string'
      ? d.user
      : typeof d.user === 'object' && d.user && 'username' in d.user
        ? String((d.user as { username: unknown }).username)
        : '';
  return {
    user,
    csrf: typeof d.csrf === 'string' ? d.csrf : '',
    ...(typeof d.expiresAt === 'string' ? { expiresAt: d.expiresAt } : {}),
  };
}

/** GET /api/session → the session or null (401). */
export async function loadSession(): Promise<Session | null> {
  try {
    const s = asSession(await call('GET'));
    session.set(s);
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      // No cookie → UNAUTHORIZED (just not logged in); a cookie the web admin no longer knows → SESSION_EXPIRED.
      if (e.code === 'WHARF_ERR_SESSION_EXPIRED') sessionExpired.set(true);
      session.set(null);
      return null;
    }
    throw e;
  }
}

let boot: Promise<Session | null> | undefined;
/** The first session check, started once as the bundle loads (before the first render), shared by whoever asks. */
export function bootSession(): Promise<Session | null> {
  return (boot ??= loadSession());
}

/** POST /api/session; throws ApiError (401 invalid credentials, 429 throttled). */
export async function login(username: string, password: string): Promise<Session> {
  const s = asSession(await call('POST', { username, password }));
  sessionExpired.set(false);
  session.set(s);
  return s;
}

/** DELETE /api/session; the session is gone locally whatever the server said. */
export async function logout(): Promise<void> {
  try {
    await call('DELETE');
  } finally {
    sessionExpired.set(false);
    session.set(null);
  }
}

/** A call found the session gone: forget it and remember to tell the user. */
export function expireSession(): void {
  if (session.get()) sessionExpired.set(true);
  session.set(null);
}
