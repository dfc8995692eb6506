/**
 * Request paths: the address's path prefix + the connection's (or the call's) path, `{name}`
 * placeholders filled from params (URL-encoded), leftover params and the call's query appended.
 */

export type ParamValue = string | number | boolean;
export type QueryValue = ParamValue | readonly ParamValue[] | null | undefined;

interface Template {
  /** Literal parts; `parts.length === names.length + 1`. */
  parts: string[];
  names: string[];
  hasQuery: boolean;
}

const PLACEHOLDER_RE = /\{([^{}/?&=]+)\}/g;
const cache = new Map<string, Template>();

function compile(path: string): Template {
  let t = cache.get(path);
  if (t) return t;
  const parts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of path.matchAll(PLACEHOLDER_RE)) {
    parts.push(path.slice(last, m.index));
    names.push(m[1]!.trim());
    last = m.index + m[0].length;
  }
  parts.push(path.slice(last));
  t = { parts, names, hasQuery: path.includes('?') };
  if (cache.size > 10_000) cache.clear();
  cache.set(path, t);
  return t;
}

/** The path prefix of a base URL, without a trailing slash (`''` for none). */
export function basePath(address: string): string {
  const p = new URL(address).pathname;
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

function joinPath(base: string, path: string): string {
  if (path === '' || path === '/') return base === '' ? '/' : path === '/' ? `${base}/` : base;
  return base + (path.startsWith('/') ? path : `/${path}`);
}

function appendQuery(out: string, key: string, value: QueryValue, first: { v: boolean }): string {
  if (value === undefined || value === null) return out;
  if (Array.isArray(value)) {
    for (const v of value as readonly ParamValue[]) out = appendQuery(out, key, v, first);
    return out;
  }
  const sep = first.v ? '' : '&';
  first.v = false;
  return `${out}${sep}${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`;
}

/** Builds the request path, or names the first placeholder that has no value. */
export function buildPath(
  base: string,
  template: string,
  params: Readonly<Record<string, QueryValue>> | undefined,
  query: Readonly<Record<string, QueryValue>> | undefined,
): { path: string } | { missing: string } {
  const t = compile(template);
  let path = t.parts[0]!;
  let used: Set<string> | undefined;
  for (let i = 0; i < t.names.length; i++) {
    const name = t.names[i]!;
    const v = params?.[name];
    if (v === undefined || v === null || Array.isArray(v)) return { missing: name };
    path += encodeURIComponent(String(v)) + t.parts[i + 1]!;
    (used ??= new Set()).add(name);
  }
  let q = '';
  const first = { v: true };
  if (params) for (const k in params) if (!used?.has(k)) q = appendQuery(q, k, params[k], first);
  if (query) for (const k in query) q = appendQuery(q, k, query[k], first);
  const full = joinPath(base, path);
  if (q === '') return { path: full };
  return { path: `${full}${t.hasQuery ? (full.endsWith('?') || full.endsWith('&') ? '' : '&') : '?'}${q}` };
}
