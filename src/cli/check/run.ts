/**
 * `wharf service check FILE...` and the check `wharf service deploy` runs first: finds TypeScript,
 * checks, prints `file:line:col: message` lines, and fails with exit code 1 when there are errors.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, EXIT } from '../exit.js';
import { checkFiles, formatMessage, isCheckable } from './check.js';
import { findTypeScript, TYPESCRIPT_MISSING } from './typescript.js';
import { wharfPaths } from './wharf-types.js';

export interface RunCheckOptions {
  /** `check`: TypeScript is required, results on stdout. `deploy`: skipped (with a note) without TypeScript, .js files not checked, messages on stderr. */
  readonly mode: 'check' | 'deploy';
  readonly cwd?: string;
  /** Where lines go (default: stdout for check, stderr for deploy). */
  readonly out?: (line: string) => void;
}

function assertFiles(files: readonly string[], cwd: string): void {
  for (const f of files) {
    let isFile = false;
    try {
      isFile = statSync(resolve(cwd, f)).isFile();
    } catch {
      throw new CliError(`${f}: no such file`, EXIT.NOT_FOUND);
    }
    if (!isFile) throw new CliError(`${f}: not a file`, EXIT.USAGE);
    if (!isCheckable(f)) throw new CliError(`${f}: only .ts and .js service modules can be checked`, EXIT.USAGE);
  }
}

/**
 * Resolves to what happened: `checked` (no errors) or `skipped` (deploy without TypeScript); throws on
 * errors — exit code 1 for `check`, 8 for `deploy` (a refused deploy, like the server's file:line refusals).
 */
export async function runCheck(files: readonly string[], opts: RunCheckOptions): Promise<'checked' | 'skipped'> {
  const cwd = opts.cwd ?? process.cwd();
  const out =
    opts.out ?? ((line: string) => (opts.mode === 'check' ? process.stdout : process.stderr).write(`${line}\n`));
  assertFiles(files, cwd);
  // A deploy checks TypeScript modules; plain JavaScript has no types to check (esbuild reports its syntax errors).
  const targets = opts.mode === 'deploy' ? files.filter((f) => /\.[mc]?ts$/.test(f)) : files;
  if (targets.length === 0) return 'skipped';
  const found = findTypeScript([cwd, ...targets.map((f) => dirname(resolve(cwd, f)))]);
  if (!found) {
    if (opts.mode === 'check') throw new CliError(TYPESCRIPT_MISSING, EXIT.NOT_FOUND);
    out(`wharf: ${TYPESCRIPT_MISSING}; deploying without a type check`);
    return 'skipped';
  }
  if (!wharfPaths())
    throw new CliError(
      "Wharf's type declarations are missing (dist/index.d.ts): build Wharf first (npm run build)",
      EXIT.ERROR,
    );
  const { errors } = checkFiles(found.ts, targets, cwd);
  for (const e of errors) out(formatMessage(e));
  const which = found.from === 'project' ? "the project's" : "Wharf's";
  if (errors.length > 0) {
    const n = `${errors.length} type error${errors.length === 1 ? '' : 's'}`;
    if (opts.mode === 'deploy')
      throw new CliError(`${n}: nothing deployed (--no-check deploys without the check)`, EXIT.INVALID);
    throw new CliError(`${n} (TypeScript ${found.version}, ${which})`, EXIT.ERROR);
  }
  if (opts.mode === 'check')
    out(
      `${targets.length} file${targets.length === 1 ? '' : 's'} checked, no errors (TypeScript ${found.version}, ${which})`,
    );
  return 'checked';
}
