/**
 * The browser side: the shell HTML for every UI route and the files of dist/web-admin/public under
 * /static/ (ETag, gzip when asked for, long cache for content-hashed names). Files are read on first
 * use and kept while their size and mtime do not change.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { staticName } from './paths.js';
import { distEntry } from '../../paths.js';

export const PUBLIC_DIR = distEntry('web-admin/public');

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Headers every answer carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.json', '.map', '.svg', '.txt']);
// Content-hashed names (esbuild's chunk-XXXXXXXX.js too) are cached for good; app.js and app.css revalidate.
const HASHED = /[.-][0-9a-fA-F]{8,}\.[a-z0-9]+$|^chunk-[A-Z0-9]{8,}\.js$/;

export interface Asset {
  body: Buffer;
  gzip?: Buffer | undefined;
  etag: string;
  type: string;
  cacheControl: string;
  key: string;
}

const FALLBACK_SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wharf web admin</title>
<link rel="stylesheet" href="/static/app.css">
<script type="module" src="/static/app.js"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Wharf web admin needs JavaScript.</noscript>
</body>
</html>
`;

/** The shell with `<link rel="modulepreload">` for each chunk, so the browser fetches them with app.js. */
function withPreloads(shell: string, chunks: readonly string[]): string {
  const links = chunks.map((c) => `<link rel="modulepreload" href="/static/${c}">\n`).join('');
  return shell.replace('<script type="module"', `${links}<script type="module"`);
}

function make(body: Buffer, type: string, cacheControl: string, key: string, compress: boolean): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const gzip = compress && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined;
  return { body, gzip: gzip && gzip.length < body.length ? gzip : undefined, etag, type, cacheControl, key };
}

export class Assets {
  private readonly cache = new Map<string, Asset>();

  constructor(readonly dir: string = PUBLIC_DIR) {}

  /** A file of the public directory by its checked name, or undefined. */
  file(name: string): Asset | undefined {
    const path = join(this.dir, name);
    let st;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (!st.isFile() || st.size > 20 * 1024 * 1024) return undefined;
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = this.cache.get(name);
    if (hit && hit.key === key) return hit;
    const ext = extname(name).toLowerCase();
    const cache = HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
    const a = make(readFileSync(path), TYPES[ext] ?? 'application/octet-stream', cache, key, COMPRESSIBLE.has(ext));
    this.cache.set(name, a);
    return a;
  }

  /** The shell HTML: public/index.html when the UI build wrote one, else the built-in page. */
  shell(): Asset {
    const own = this.file('index.html');
    if (own) return { ...own, cacheControl: 'no-cache' };
    // Rebuilt when the UI build writes a new preload.json (chunk names change with their content).
    const list = this.file('preload.json');
    const key = `builtin:${list?.key ?? ''}`;
    let a = this.cache.get('\0shell');
    if (!a || a.key !== key) {
      a = make(Buffer.from(withPreloads(FALLBACK_SHELL, preloads(list))), TYPES['.html']!, 'no-cache', key, true);
      this.cache.set('\0shell', a);
    }
    return a;
  }
}

/** The chunks app.js imports at once (preload.json, written by the UI build). */
function preloads(f: Asset | undefined): string[] {
  if (!f) return [];
  try {
    const list: unknown = JSON.parse(f.body.toString('utf8'));
    return Array.isArray(list)
      ? list.filter((x): x is string => typeof x === 'string' && staticName(x) !== undefined)
      : [];
  } catch {
    return [];
  }
}
