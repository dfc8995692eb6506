/**
 * Compiled service modules cached on disk by content: a worker that starts (or a sibling worker that
 * applies a module worker 1 just compiled) loads the cached CommonJS instead of running esbuild again,
 * and so never starts esbuild's helper process at all when nothing changed.
 *
 * The key covers everything the output depends on: the module's name and source, where its relative
 * imports resolve from, esbuild's version and the compile options' version. Files a module bundled
 * (relative imports) are recorded with their size and mtime; an entry whose bundled files changed
 * is stale and the module is compiled again. Any read or write problem means "not cached".
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Bump when compileModule's esbuild options change. */
const OPTIONS_VERSION = 1;

export interface BundledInput {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface CachedCompile {
  code: string;
  map: string;
  inputs: BundledInput[];
}

let cacheDir: string | undefined;

/** Where compiled modules are cached (a server sets `SERVER_DIR/cache/modules`); undefined = no cache. */
export function setCompileCacheDir(dir: string | undefined): void {
  cacheDir = dir;
}

export function compileCacheDir(): string | undefined {
  return cacheDir;
}

let esbuildVersion: string | undefined;
function esbuildVer(): string {
  if (esbuildVersion === undefined) {
    try {
      const req = createRequire(import.meta.url);
      esbuildVersion = (JSON.parse(readFileSync(req.resolve('esbuild/package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      esbuildVersion = 'unknown';
    }
  }
  return esbuildVersion;
}

export function cacheKey(name: string, source: string, resolveDir: string): string {
  return createHash('sha256')
    .update(`${OPTIONS_VERSION}\u0000${esbuildVer()}\u0000${name}\u0000${resolveDir}\u0000`)
    .update(source)
    .digest('hex');
}

function isCachedCompile(v: unknown): v is CachedCompile {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c['code'] === 'string' && typeof c['map'] === 'string' && Array.isArray(c['inputs']);
}

function unchanged(i: BundledInput): boolean {
  try {
    const st = statSync(i.path);
    return st.size === i.size && st.mtimeMs === i.mtimeMs;
  } catch {
    return false;
  }
}

/** The cached output for this key, if present and its bundled files are unchanged. */
export function readCached(key: string): CachedCompile | undefined {
  if (!cacheDir) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(cacheDir, `${key}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isCachedCompile(parsed)) return undefined;
  return parsed.inputs.every(unchanged) ? parsed : undefined;
}

/** Records the size and mtime of each bundled file (absolute paths). */
export function describeInputs(paths: string[]): BundledInput[] | undefined {
  const out: BundledInput[] = [];
  for (const path of paths) {
    try {
      const st = statSync(path);
      out.push({ path, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      return undefined; // a file we cannot describe: do not cache
    }
  }
  return out;
}

/** Stores an output (atomically: a temporary file renamed into place); failures are ignored. */
export function writeCached(key: string, entry: CachedCompile): void {
  if (!cacheDir) return;
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = join(cacheDir, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, join(cacheDir, `${key}.json`));
  } catch {
    /* a cache that cannot be written is no cache */
  }
}
