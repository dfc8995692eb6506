/**
 * Which modules does importing something load? Runs an ESM script in a fresh Node process whose module
 * hooks record every module it resolves (TypeScript sources under src/ compiled with esbuild on the way
 * in, `./x.js` resolved to `./x.ts` when only the source exists), and lists the CommonJS modules in
 * `require.cache` at the end (Node 20's hooks do not see `require`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository's src/ directory, with a trailing slash. */
export const SRC_DIR = fileURLToPath(new URL('../../src/', import.meta.url));

const HOOKS = `
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
let log, transformSync;
export async function initialize(data) {
  log = data.log;
  ({ transformSync } = await import(data.esbuild));
}
export async function resolve(specifier, context, next) {
  let r;
  try {
    r = await next(specifier, context);
  } catch (e) {
    if (!/^(\\.|\\/|file:)/.test(specifier) || !specifier.endsWith('.js')) throw e;
    r = await next(specifier.slice(0, -3) + '.ts', context);
  }
  appendFileSync(log, r.url + '\\n');
  return r;
}
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const path = fileURLToPath(url);
  const { code } = transformSync(readFileSync(path, 'utf8'), {
    loader: 'ts', format: 'esm', target: 'node20', sourcefile: path,
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
`;

const CJS_DUMP = `
import { createRequire as __probeRequire } from 'node:module';
import { appendFileSync as __probeAppend } from 'node:fs';
process.on('exit', () => {
  const cache = Object.keys(__probeRequire(import.meta.url).cache);
  if (cache.length) __probeAppend(process.env.WHARF_PROBE_LOG, cache.map((p) => 'cjs:' + p).join('\\n') + '\\n');
});
`;

export interface ProbeResult {
  /** Every module resolved, in order: `file:`/`node:` URLs for ESM, `cjs:/abs/path` for CommonJS. */
  modules: string[];
  stdout: string;
}

/** Runs `script` (ESM; import sources with {@link srcUrl}) in a fresh node with the hooks. */
export async function probeModules(script: string): Promise<ProbeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-probe-'));
  try {
    const log = join(dir, 'modules.log');
    await writeFile(log, '');
    await writeFile(join(dir, 'hooks.mjs'), HOOKS);
    const esbuild = pathToFileURL(createRequire(import.meta.url).resolve('esbuild')).href;
    const register = join(dir, 'register.mjs');
    await writeFile(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: ${JSON.stringify({ log, esbuild })} });\n`,
    );
    const main = join(dir, 'main.mjs');
    await writeFile(main, CJS_DUMP + script);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', pathToFileURL(register).href, main],
        { cwd: SRC_DIR, timeout: 60_000, env: { ...process.env, WHARF_PROBE_LOG: log } },
        (err, out, errOut) => {
          if (err) reject(new Error(`${err.message}\n${errOut}`));
          else resolve(out);
        },
      );
    });
    const modules = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    return { modules, stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A source file's URL as a JSON string literal, for a probe script: `await import(${srcUrl('index.ts')})`. */
export function srcUrl(rel: string): string {
  return JSON.stringify(pathToFileURL(join(SRC_DIR, rel)).href);
}

/** Wharf's own modules among `modules`, relative to src/ ('outgoing/http/errors.ts'). */
export function wharfFiles(modules: string[]): string[] {
  return modules
    .filter((u) => u.startsWith('file:') && !u.includes('/node_modules/'))
    .map((u) => fileURLToPath(u))
    .filter((p) => p.startsWith(SRC_DIR))
    .map((p) => p.slice(SRC_DIR.length).replaceAll('\\', '/'));
}

/** The packages among `modules` (ESM or CommonJS) from node_modules: 'undici', '@scope/name'. */
export function packagesIn(modules: string[]): string[] {
  const out = new Set<string>();
  for (const m of modules) {
    const path = m.startsWith('cjs:') ? m.slice(4) : m;
    const at = path.lastIndexOf('/node_modules/');
    if (at < 0) continue;
    const parts = path.slice(at + '/node_modules/'.length).split('/');
    out.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return [...out].sort();
}
