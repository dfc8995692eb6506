/** The session cookie: parsing the Cookie header and building Set-Cookie. */
export const SESSION_COOKIE = 'wharf_session';

/** Cookie header → name → value (first occurrence wins; values are not decoded). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 clears the cookie. Absent: a browser-session cookie. */
  maxAge?: number | undefined;
}

const VALUE = /^[A-Za-z0-9_-]*$/;

export function sessionCookie(value: string, opts: CookieOptions): string {
  if (!VALUE.test(value)) throw new Error('cookie value must be base64url');
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  return parts.join('; ');
}

export function clearSessionCookie(opts: { secure: boolean }): string {
  return sessionCookie('', { secure: opts.secure, maxAge: 0 });
}
