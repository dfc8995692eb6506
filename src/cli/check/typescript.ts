/**
 * Finds the TypeScript compiler `wharf service check` uses: the project's own (resolved from the
 * working directory, then from each checked file's directory), else the one installed with Wharf.
 * Nothing here imports TypeScript unless a check asks for it.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as TS from 'typescript';

export type TypeScriptApi = typeof TS;

export interface FoundTypeScript {
  readonly ts: TypeScriptApi;
  readonly version: string;
  /** The resolved file (…/typescript/lib/typescript.js). */
  readonly path: string;
  /** `project`: resolved from the working directory or a checked file's directory; `wharf`: Wharf's own. */
  readonly from: 'project' | 'wharf';
}

export const TYPESCRIPT_MISSING =
  'TypeScript is not installed: add it to your project (npm install --save-dev typescript) or install it beside Wharf';

function resolveFrom(dir: string): string | undefined {
  try {
    return createRequire(join(resolve(dir), 'noop.js')).resolve('typescript');
  } catch {
    return undefined;
  }
}

function loadAt(path: string, from: FoundTypeScript['from']): FoundTypeScript | undefined {
  try {
    const ts = createRequire(path)(path) as TypeScriptApi;
    if (typeof ts.createProgram !== 'function') return undefined;
    return { ts, version: ts.version, path, from };
  } catch {
    return undefined;
  }
}

/**
 * The first TypeScript found from `dirs` (in order), else Wharf's own when `fallback` is not false;
 * undefined when there is none.
 */
export function findTypeScript(
  dirs: readonly string[],
  opts: { fallback?: boolean } = {},
): FoundTypeScript | undefined {
  for (const dir of new Set(dirs.map((d) => resolve(d)))) {
    const p = resolveFrom(dir);
    const found = p && loadAt(p, 'project');
    if (found) return found;
  }
  if (opts.fallback === false) return undefined;
  try {
    const own = createRequire(import.meta.url).resolve('typescript');
    return loadAt(own, 'wharf');
  } catch {
    return undefined;
  }
}
