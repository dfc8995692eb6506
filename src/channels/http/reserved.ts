/**
 * The `/wharf` prefix belongs to the admin API, ping and metrics. A path is compared after the
 * normalisation a browser, a proxy or a router may apply: percent-decoded, lower-cased, repeated
 * slashes collapsed, `.` and `..` segments resolved. So `/WHARF/admin`, `//wharf/admin`,
 * `/%77harf/admin` and `/a/../wharf/admin` are all the reserved prefix.
 */

/** What is wrong with a path's percent-escapes (invalid escape, encoded `/`), or undefined. */
export function escapeProblem(path: string): string | undefined {
  for (let i = path.indexOf('%'); i !== -1; i = path.indexOf('%', i + 1)) {
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return `\`${path.slice(i, i + 3)}\` is not a valid percent-escape`;
    if (hex.toLowerCase() === '2f') return 'must not contain an encoded / (%2F)';
    if (hex.toLowerCase() === '5c') return 'must not contain an encoded \\ (%5C)';
  }
  return undefined;
}

/**
 * The path as it is compared with the reserved prefix: decoded, lower-cased, `//` collapsed, dot
 * segments resolved (never above the root). Undefined when it cannot be decoded.
 */
export function normalisePath(path: string): string | undefined {
  let p = path;
  if (p.includes('%')) {
    try {
      p = decodeURIComponent(p);
    } catch {
      return undefined;
    }
  }
  p = p.replace(/\\/g, '/').toLowerCase();
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}${p.endsWith('/') && out.length > 0 ? '/' : ''}`;
}

function reservedNormalised(n: string): boolean {
  return n === '/wharf' || n.startsWith('/wharf/');
}

/** Whether a channel path falls under the reserved prefix once normalised (undecodable counts as reserved). */
export function isReservedPath(path: string): boolean {
  const n = normalisePath(path);
  return n === undefined || reservedNormalised(n);
}

// Without escapes, `//`, dot segments or backslashes a path normalises to itself (lower-cased): only
// those, or a start of /wharf in any case, can be the reserved prefix.
const HINT_RE = /%|\/\/|\/\.|\\|^\/wharf(\/|$)/i;

/**
 * Request-time check, cheap for ordinary paths (one regular expression): whether a request path
 * is under the reserved prefix in any spelling (case, escapes, `//`, dot segments). The router
 * answers such paths as unknown, so no channel is ever reached through a spelling of `/wharf`.
 */
export function isReservedRequestPath(path: string): boolean {
  if (!HINT_RE.test(path)) return false;
  const n = normalisePath(path);
  return n !== undefined && reservedNormalised(n);
}
