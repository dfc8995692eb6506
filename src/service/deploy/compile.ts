/**
 * Service modules are transpiled once per hash with esbuild (TypeScript or JavaScript → CommonJS,
 * `await using` lowered for Node 20, relative imports bundled, packages left external).
 * Errors come back as `file:line:column: message`. esbuild is imported on the first compile only, and
 * an output cached on disk (compile-cache.ts) skips it altogether.
 */
import { createHash } from 'node:crypto';
import { basename, extname, relative, resolve } from 'node:path';
import type * as esbuild from 'esbuild';
import { WharfError } from '../../errors.js';
import { cacheKey, describeInputs, readCached, writeCached } from './compile-cache.js';

export interface CompiledModule {
  readonly name: string;
  readonly hash: string;
  readonly code: string;
  /** The source map, to point load-time errors at the original line. */
  readonly map: string;
  /** Where relative imports were resolved from (names bundled files in messages). */
  readonly resolveDir: string;
}

/** How a file esbuild names (relative to the working directory) is shown: relative to the module's directory. */
export function displayName(file: string, resolveDir: string): string {
  const rel = relative(resolveDir, resolve(process.cwd(), file));
  return rel.startsWith('..') ? basename(file) : rel;
}

export function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

const LOADERS: Record<string, esbuild.Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
};

export function isServiceFile(name: string): boolean {
  return extname(name) in LOADERS && !name.endsWith('.d.ts');
}

/** A relative or absolute import/require/export-from: the module must be bundled (esbuild's build). */
const LOCAL_IMPORT = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"`][./]/;

export async function compileModule(name: string, source: string, resolveDir: string): Promise<CompiledModule> {
  const loader = LOADERS[extname(name)];
  if (!loader)
    throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${name}: only .ts and .js service modules can be deployed`], {
      details: { file: name, message: 'only .ts and .js service modules can be deployed' },
    });
  const hash = sourceHash(source);
  const key = cacheKey(name, source, resolveDir);
  const cached = readCached(key);
  if (cached) return { name, hash, code: cached.code, map: cached.map, resolveDir };
  const { build, transform } = await import('esbuild');
  let code: string;
  let mapText: string;
  let bundled: string[] = [];
  try {
    if (LOCAL_IMPORT.test(source)) {
      const result = await build({
        stdin: { contents: source, loader, sourcefile: name, resolveDir },
        bundle: true,
        packages: 'external',
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        write: false,
        sourcemap: 'external',
        outfile: `${name}.js`,
        logLevel: 'silent',
        metafile: true,
        supported: { 'top-level-await': false },
      });
      code = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
      mapText = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text ?? '';
      bundled = Object.keys(result.metafile.inputs).filter((f) => f !== '<stdin>');
    } else {
      // Nothing to bundle: the same output from esbuild's transform, a third of a build's time (bulk deploys).
      const result = await transform(source, {
        loader,
        sourcefile: relative(process.cwd(), resolve(resolveDir, name)), // named as a build names stdin
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        sourcemap: 'external',
        logLevel: 'silent',
        supported: { 'top-level-await': false },
      });
      code = result.code;
      mapText = result.map;
    }
  } catch (e) {
    const errors = (e as { errors?: esbuild.Message[] }).errors;
    const first = errors?.[0];
    if (!first) {
      const message = e instanceof Error ? e.message : String(e);
      throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${name}: ${message}`], { details: { file: name, message } });
    }
    const loc = first.location;
    const file = loc ? displayName(loc.file, resolveDir) : name;
    const where = loc ? `${file}:${loc.line}:${loc.column + 1}` : name;
    throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${where}: ${first.text}`], {
      details: {
        file,
        line: loc?.line,
        column: loc ? loc.column + 1 : undefined,
        message: first.text,
        lineText: loc?.lineText,
      },
    });
  }
  // Bundled files (relative imports); esbuild names them, and stdin as resolveDir/name, relative to the working directory.
  const self = resolve(resolveDir, name);
  const inputs = describeInputs(bundled.map((f) => resolve(process.cwd(), f)).filter((f) => f !== self));
  if (inputs) writeCached(key, { code, map: mapText, inputs });
  return { name, hash, code, map: mapText, resolveDir };
}
