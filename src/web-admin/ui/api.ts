/**
 * Calls to the admin API through the web admin: `api('GET', 'services')` → GET /api/admin/services.
 * Adds the CSRF header to every non-GET; throws ApiError; a 401 (session expired) sends the browser to
 * /login?next=<current path>; a 502 WHARF_ERR_ADMIN_DOWN (or no answer) raises the "admin API down" banner.
 */
import { ApiError, readBody, toApiError } from './errors';
import { location, navigate } from './router';
import { csrfToken, expireSession, sessionExpired } from './session';
import { reportAdminDown, reportAdminUp } from './status';

export { ApiError } from './errors';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The URL of an admin API path (relative, e.g. `config/channels.http?x=1`) behind the web admin. */
export function apiUrl(path: string): string {
  return '/api/admin/' + path.replace(/^\/+/, '');
}

/** `?a=1&b=2` from the defined values (empty string when none). */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? '?' + s : '';
}

export interface ApiOptions {
  /** Just throw on 401 (no redirect to /login, no "session expired" note): for calls made before the session is known. */
  quiet401?: boolean;
}

export async function api<T = unknown>(
  method: Method,
  path: string,
  body?: unknown,
  opts: ApiOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = csrfToken();
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    reportAdminDown(e instanceof Error ? e.message : String(e));
    throw new ApiError(0, 'WHARF_ERR_NETWORK', 'The web admin is not answering (network error)');
  }
  const data = await readBody(res);
  if (res.ok) {
    reportAdminUp();
    return data as T;
  }
  const err = toApiError(res, data);
  if (err.status === 502 && err.code === 'WHARF_ERR_ADMIN_DOWN') reportAdminDown(err.message);
  else if (err.status !== 502 && err.status !== 503) reportAdminUp();
  if (err.status === 401 && !opts.quiet401) {
    expireSession();
    if (err.code === 'WHARF_ERR_SESSION_EXPIRED') sessionExpired.set(true);
    const here = location.get();
    if (here.path !== '/login')
      navigate('/login' + (here.href && here.href !== '/' ? '?next=' + encodeURIComponent(here.href) : ''), {
        replace: true,
      });
  }
  throw err;
}
