/**
 * Where Wharf's own type declarations are, so a checked module's `import ... from 'wharf-esb'` (or the
 * legacy `'wharf'`) finds them even when the file lies outside any project: `paths` entries pointing at
 * this package's dist/*.d.ts (a checkout that was never built falls back to its src/*.ts).
 */
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { PACKAGE_ROOT } from '../../paths.js';

/** This package's root (the directory of its package.json). */
export { PACKAGE_ROOT };

function firstExisting(root: string, candidates: readonly string[]): string | undefined {
  return candidates.map((c) => join(root, c)).find((p) => existsSync(p));
}

/** `paths` for the package's specifiers, or undefined when the main declarations are missing. */
export function wharfPaths(root: string = PACKAGE_ROOT): Record<string, string[]> | undefined {
  const main = firstExisting(root, ['dist/index.d.ts', 'src/index.ts']);
  if (!main) return undefined;
  const paths: Record<string, string[]> = { 'wharf-esb': [main], wharf: [main] };
  const testing = firstExisting(root, ['dist/testing/index.d.ts', 'src/testing/index.ts']);
  if (testing) paths['wharf-esb/testing'] = paths['wharf/testing'] = [testing];
  return paths;
}

/** True for a file of Wharf itself (its declarations or sources): their diagnostics are not the user's. */
export function isWharfOwnFile(file: string, root: string = PACKAGE_ROOT): boolean {
  const f = resolve(file);
  return [join(root, 'dist'), join(root, 'src')].some((d) => f.startsWith(d + sep));
}
