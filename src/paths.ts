/**
 * Where Wharf's own files are, found from the package root (the directory of Wharf's package.json)
 * rather than relative to the calling module: the same answer from dist/ as built by tsc, from a
 * bundled build (dist/bundle/, where every module shares one directory) and from src/ under vitest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'wharf-esb') return dir;
      } catch {
        /* not ours: keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`wharf: cannot find the wharf-esb package above ${from}`);
    dir = up;
  }
}

/** The package's root directory (holds package.json, bin/, dist/). */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The `wharf` command's script. */
export const BIN = join(PACKAGE_ROOT, 'bin', 'wharf.js');

/**
 * The process entry points that scripts/build-bundle.mjs bundles into dist/bundle/ (path under dist/ ->
 * bundled file name). Keep in step with ENTRIES there.
 */
const BUNDLED: Readonly<Record<string, string>> = {
  'cli/main.js': 'cli.js',
  'server/primary-main.js': 'primary-main.js',
  'server/worker-main.js': 'worker-main.js',
  'server/watchdog-thread.js': 'watchdog-thread.js',
  'web-admin/server/main.js': 'web-admin-main.js',
  'cluster/lb/lb-agent-main.js': 'lb-agent-main.js',
};

/** Whether process entry points run from the bundled build (dist/bundle/; `WHARF_NO_BUNDLE=1`: never). */
export function useBundle(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['WHARF_NO_BUNDLE'] === '1') return false;
  return existsSync(join(PACKAGE_ROOT, 'dist', 'bundle'));
}

/**
 * A file of the built package, by its path under dist/ (e.g. `server/primary-main.js`). A process entry
 * point is the bundled one (dist/bundle/primary-main.js) when the bundle exists, unless WHARF_NO_BUNDLE=1.
 */
export function distEntry(rel: string): string {
  const bundled = BUNDLED[rel];
  if (bundled !== undefined && useBundle()) {
    const file = join(PACKAGE_ROOT, 'dist', 'bundle', bundled);
    if (existsSync(file)) return file;
  }
  return join(PACKAGE_ROOT, 'dist', rel);
}
