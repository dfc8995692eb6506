#!/usr/bin/env node
// Bundles the web admin's browser UI (src/web-admin/ui, Preact + htm) with esbuild into
// dist/web-admin/public/app.js + app.css: minified, one IIFE (works as a classic or module script), ES2020.
// Prints the gzipped sizes and fails when the JavaScript is over its budget (150 KB gzipped).
import { build } from 'esbuild';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
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
  format: 'iife',
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
  let failed = false;
  for (const name of ['app.js', 'app.css']) {
    let buf;
    try {
      buf = await readFile(join(outdir, name));
    } catch {
      if (name === 'app.js') throw new Error(`build-web-admin: ${name} was not written`);
      continue;
    }
    const gz = gzipSync(buf, { level: 9 }).length;
    const over = name === 'app.js' && gz > BUDGET_JS_GZ;
    if (over) failed = true;
    console.log(`web admin UI: ${relative(root, join(outdir, name))} ${kb(buf.length)} (${kb(gz)} gzipped${name === 'app.js' ? `, budget ${kb(BUDGET_JS_GZ)}` : ''})${over ? '  OVER BUDGET' : ''}`);
  }
  if (process.env.WHARF_UI_ANALYZE) console.log(await (await import('esbuild')).analyzeMetafile(result.metafile));
  if (failed) {
    console.error('build-web-admin: app.js is over the 150 KB gzipped budget (WHARF_UI_ANALYZE=1 shows what is in it)');
    process.exit(1);
  }
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KB`;
}
