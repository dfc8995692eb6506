/**
 * Type-checks service modules with the TypeScript compiler API against Wharf's published types.
 * A file inside a project (a tsconfig.json above it) is checked with that project's compiler options;
 * a file outside any project with Wharf's defaults (strict, bundler resolution like the hot deploy's
 * esbuild). Either way `wharf-esb` / `wharf` resolve to this package's declarations.
 */
import { existsSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import type * as TS from 'typescript';
import type { TypeScriptApi } from './typescript.js';
import { isWharfOwnFile, PACKAGE_ROOT, wharfPaths } from './wharf-types.js';

export interface CheckMessage {
  /** As shown: relative to the working directory when below it, else absolute; empty for a global problem. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** TypeScript's error number (TS2322 → 2322). */
  readonly code: number;
}

export interface CheckResult {
  readonly files: number;
  readonly errors: CheckMessage[];
}

const CHECKABLE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

export function isCheckable(file: string): boolean {
  return CHECKABLE.has(extname(file)) && !file.endsWith('.d.ts');
}

/** What a file outside any project is checked with (and what `wharf init` writes in tsconfig.json). */
export const DEFAULT_COMPILER_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2023', 'ESNext.Disposable'],
  module: 'ESNext',
  moduleResolution: 'Bundler',
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  forceConsistentCasingInFileNames: true,
  noEmit: true,
} as const;

/** One line per message: `file:line:col: message` (continuation lines of a chained message indented). */
export function formatMessage(m: CheckMessage): string {
  const where = m.file ? `${m.file}:${m.line}:${m.column}: ` : '';
  return `${where}${m.message} (TS${m.code})`;
}

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * Type roots with Wharf's own node_modules/@types last, so `types: ['node']` resolves even where the
 * project's packages are not installed (yet). Only for an explicit `types` list: without one, every
 * package of every root would be included.
 */
function withWharfTypeRoots(ts: TypeScriptApi, options: TS.CompilerOptions, cwd: string): TS.CompilerOptions {
  const own = resolve(PACKAGE_ROOT, 'node_modules/@types');
  if (options.types === undefined || !existsSync(own)) return options;
  const roots = ts.getEffectiveTypeRoots(options, { getCurrentDirectory: () => cwd }) ?? [];
  return { ...options, typeRoots: [...new Set([...roots, own])] };
}

/** Outside a project: Node's types when they can be found (the project's, else Wharf's). */
function defaultTypes(ts: TypeScriptApi, options: TS.CompilerOptions, cwd: string): TS.CompilerOptions {
  const withRoots = withWharfTypeRoots(ts, { ...options, types: ['node'] }, cwd);
  const found = ts.resolveTypeReferenceDirective(
    'node',
    resolve(cwd, '__check__.ts'),
    withRoots,
    ts.sys,
  ).resolvedTypeReferenceDirective;
  return found ? withRoots : { ...options, types: [] };
}

function optionsFor(
  ts: TypeScriptApi,
  configPath: string | undefined,
  cwd: string,
  anyJs: boolean,
): { options: TS.CompilerOptions; errors: readonly TS.Diagnostic[] } {
  let options: TS.CompilerOptions;
  let errors: readonly TS.Diagnostic[] = [];
  if (configPath) {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => (errors = [d]) },
    );
    options = parsed?.options ?? {};
    if (parsed) errors = parsed.errors.filter((e) => e.code !== 18003); // "No inputs were found": the files are given here
  } else {
    const converted = ts.convertCompilerOptionsFromJson(DEFAULT_COMPILER_OPTIONS, cwd);
    options = converted.options;
    errors = converted.errors;
    options = defaultTypes(ts, options, cwd);
  }
  if (configPath) options = withWharfTypeRoots(ts, options, cwd);
  const paths = wharfPaths();
  // Only a check: nothing is written, so nothing about where output would go applies.
  const rest: TS.CompilerOptions = { ...options };
  for (const k of ['rootDir', 'outDir', 'declarationDir', 'tsBuildInfoFile'] as const) delete rest[k];
  return {
    options: {
      ...rest,
      noEmit: true,
      // The modules are the author's to fix, declarations of Wharf and its dependencies are not.
      skipLibCheck: true,
      declaration: false,
      composite: false,
      incremental: false,
      ...(anyJs ? { allowJs: true } : {}),
      ...(paths ? { paths: { ...paths, ...options.paths } } : {}),
    },
    errors,
  };
}

function toMessage(ts: TypeScriptApi, d: TS.Diagnostic, cwd: string): CheckMessage {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').replace(/\n/g, '\n  ');
  if (!d.file || d.start === undefined)
    return { file: d.file ? shown(d.file.fileName, cwd) : '', line: 0, column: 0, message, code: d.code };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { file: shown(d.file.fileName, cwd), line: line + 1, column: character + 1, message, code: d.code };
}

/**
 * Checks `files` (paths as given, resolved against `cwd`); files under one tsconfig.json are checked
 * together. Every error of the files and of the local modules they import is returned, errors in
 * Wharf's own declarations are not (they are not the author's to fix).
 */
export function checkFiles(ts: TypeScriptApi, files: readonly string[], cwd: string = process.cwd()): CheckResult {
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const abs = resolve(cwd, f);
    const config = ts.findConfigFile(dirname(abs), ts.sys.fileExists) ?? '';
    groups.set(config, [...(groups.get(config) ?? []), abs]);
  }
  const errors: CheckMessage[] = [];
  for (const [config, roots] of groups) {
    const anyJs = roots.some((r) => /\.[mc]?js$/.test(r));
    const { options, errors: configErrors } = optionsFor(ts, config || undefined, cwd, anyJs);
    const program = ts.createProgram({ rootNames: roots, options, host: ts.createCompilerHost(options, true) });
    const rootSet = new Set(roots.map((r) => resolve(r)));
    const diagnostics = [...configErrors, ...ts.getPreEmitDiagnostics(program)].filter(
      (d) =>
        d.category === ts.DiagnosticCategory.Error &&
        (!d.file || rootSet.has(resolve(d.file.fileName)) || !isWharfOwnFile(d.file.fileName)),
    );
    errors.push(...ts.sortAndDeduplicateDiagnostics(diagnostics).map((d) => toMessage(ts, d, cwd)));
  }
  return { files: files.length, errors };
}
