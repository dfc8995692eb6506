/** Pure path helpers (no DOM): route matching and the safe `next` after login. */

/**
 * Matches `path` against a pattern like `/kinds/:kind/:name` → `{ kind, name }` (decoded), or null.
 * A trailing `*` param (`/x/:rest*`) takes the rest of the path.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  const out: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    if (p.startsWith(':') && p.endsWith('*')) {
      if (i >= xs.length) return null;
      out[p.slice(1, -1)] = xs.slice(i).map(safeDecode).join('/');
      return out;
    }
    const x = xs[i];
    if (x === undefined) return null;
    if (p.startsWith(':')) out[p.slice(1)] = safeDecode(x);
    else if (p !== x) return null;
  }
  return xs.length === ps.length ? out : null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Only local paths are allowed after login (no `//evil`, no `https://…`, not the login page itself). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login'))
    return '/';
  return next;
}
