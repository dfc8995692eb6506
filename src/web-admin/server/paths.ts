/**
 * What may be proxied: `/api/admin/<rest>` → `/wharf/admin/<rest>`. The raw, percent-encoded
 * segments are forwarded unchanged (names with `/` or spaces arrive encoded), but a segment that is
 * empty, `.` or `..` (also when encoded, also between encoded slashes), holds a backslash (also `%5C`), a NUL or bad percent
 * encoding is refused, so nothing but /wharf/admin/... on the admin API is ever reached.
 */
const PRINTABLE = /^[\x21-\x7e]*$/;

export type ProxyPath = { ok: true; path: string } | { ok: false; reason: string };

/** `rest` is what follows `/api/admin/` in the request target (path and query, raw). */
export function proxyPath(rest: string): ProxyPath {
  if (!PRINTABLE.test(rest)) return { ok: false, reason: 'the path holds spaces or control characters' };
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q);
  if (path.length === 0) return { ok: false, reason: 'no admin API path' };
  if (query.includes('#')) return { ok: false, reason: 'a fragment is not allowed' };
  for (const seg of path.split('/')) {
    if (seg.length === 0) return { ok: false, reason: 'empty path segment' };
    if (seg.includes('\\')) return { ok: false, reason: 'backslash in the path' };
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return { ok: false, reason: 'bad percent-encoding in the path' };
    }
    // Also inside an encoded `/` (a name `a/../b` could be normalised by something downstream).
    if (decoded.split('/').some((x) => x === '.' || x === '..'))
      return { ok: false, reason: '`.` and `..` segments are not allowed' };
    if (decoded.includes('\\')) return { ok: false, reason: 'backslash in the path' };
    if (decoded.includes('\0')) return { ok: false, reason: 'NUL in the path' };
  }
  return { ok: true, path: `/wharf/admin/${path}${query}` };
}

/** Static file names under /static/: plain names only, no dot-files, no traversal. */
export function staticName(rest: string): string | undefined {
  if (rest.length === 0 || rest.length > 200) return undefined;
  for (const seg of rest.split('/'))
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(seg) || seg.includes('..')) return undefined;
  return rest;
}
