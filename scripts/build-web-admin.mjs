#!/usr/bin/env node
// Bundles the web admin's browser UI (src/web-admin/ui, Preact + htm) with esbuild into
// dist/web-admin/public/app.js + app.css: minified ES modules, ES2020; every page is a chunk of its own
// (chunk-*.js) loaded on first use, so the first page needs only the core.
// Prints the gzipped sizes and fails when the JavaScript is over its budget (150 KB gzipped).
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'web-admin', 'public');
const BUDGET_JS_GZ = 150 * 1024;
const watch = process.argv.includes('--watch');

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const options = {
  absWorkingDir: root,
  entryPoints: { app: 'src/web-admin/ui/main.ts' },
  outdir,
  bundle: true,
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  target: ['es2020'],
  platform: 'browser',
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
  metafile: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  tsconfig: 'src/web-admin/ui/tsconfig.json',
  loader: { '.woff2': 'file', '.svg': 'file', '.png': 'file' },
};

if (watch) {
  const { context } = await import('esbuild');
  const ctx = await context(options);
  await ctx.watch();
  console.log(`web admin UI: watching, writing to ${relative(root, outdir)}/`);
} else {
  const result = await build(options);
  const outputs = result.metafile.outputs;
  const rel = (f) => relative(root, resolve(root, f));
  const gzOf = async (f) => gzipSync(await readFile(join(root, f)), { level: 9 }).length;
  const jsFiles = Object.keys(outputs).filter((f) => f.endsWith('.js'));
  const entry = jsFiles.find((f) => f.endsWith('/app.js'));
  if (!entry) throw new Error('build-web-admin: app.js was not written');
  // What the first page loads: app.js and the chunks it imports statically (pages come later).
  const initial = new Set();
  const walk = (f) => {
    if (initial.has(f)) return;
    initial.add(f);
    for (const i of outputs[f]?.imports ?? []) if (i.kind === 'import-statement' && outputs[i.path]) walk(i.path);
  };
  walk(entry);
  let totalRaw = 0;
  let totalGz = 0;
  let initialGz = 0;
  for (const f of jsFiles) {
    const gz = await gzOf(f);
    totalRaw += outputs[f].bytes;
    totalGz += gz;
    if (initial.has(f)) initialGz += gz;
  }
  // The web admin's shell page names these for the browser to fetch at once (modulepreload), not one by one.
  const preload = [...initial].filter((f) => f !== entry).map((f) => relative(outdir, resolve(root, f)));
  await writeFile(join(outdir, 'preload.json'), `${JSON.stringify(preload)}\n`);
  const failed = totalGz > BUDGET_JS_GZ;
  console.log(
    `web admin UI: ${jsFiles.length} JS files in ${rel(outdir)}: ${kb(totalRaw)} (${kb(totalGz)} gzipped, budget ${kb(BUDGET_JS_GZ)})${failed ? '  OVER BUDGET' : ''}; the first page loads ${kb(initialGz)} gzipped (app.js + ${initial.size - 1} chunks)`,
  );
  const css = Object.keys(outputs).find((f) => f.endsWith('/app.css'));
  if (css) console.log(`web admin UI: ${rel(css)} ${kb(outputs[css].bytes)} (${kb(await gzOf(css))} gzipped)`);
  if (process.env.WHARF_UI_ANALYZE) console.log(await (await import('esbuild')).analyzeMetafile(result.metafile));
  if (failed) {
    console.error(
      'build-web-admin: the JavaScript is over the 150 KB gzipped budget (WHARF_UI_ANALYZE=1 shows what is in it)',
    );
    process.exit(1);
  }
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KB`;
}
