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

/** A process entry point of the built package, by its path under dist/ (e.g. `server/primary-main.js`). */
export function distEntry(rel: string): string {
  return join(PACKAGE_ROOT, 'dist', rel);
}
