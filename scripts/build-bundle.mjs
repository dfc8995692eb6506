#!/usr/bin/env node
// Bundles Wharf's process entry points from the tsc output (dist/) into one flat directory,
// dist/bundle/ (ESM, code splitting, platform node, target node20, linked source maps), so that a
// process start reads a few files instead of hundreds (issue 14). Entry file names are kept where
// the code depends on them: primary.ts forks `./worker-main.js` and watchdog.ts starts
// `./watchdog-thread.js` next to themselves; pidfile.ts recognises processes by their names.
// Lazy `import('./x.js')` calls (connector kinds, CLI commands) become lazy chunks.
// Native addons and packages that read files next to themselves at run time stay external.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const finaldir = join(dist, 'bundle');
// built beside and swapped in at the end: processes starting meanwhile (other builds and tests share
// the checkout) see the old bundle or the new one, never a half-written one
const outdir = join(dist, `bundle.tmp-${process.pid}`);
const started = process.hrtime.bigint();

/** Bundle entry name -> tsc output under dist/ (an entry whose file is missing is skipped). */
export const ENTRIES = {
  cli: 'cli/main.js',
  'primary-main': 'server/primary-main.js',
  'worker-main': 'server/worker-main.js',
  'watchdog-thread': 'server/watchdog-thread.js',
  'web-admin-main': 'web-admin/server/main.js',
  'lb-agent-main': 'cluster/lb/lb-agent-main.js',
};

const EXTERNAL = [
  // native addons (and their optional native halves)
  'better-sqlite3',
  'zeromq',
  'pg-native',
  'cpu-features',
  // tools loaded at run time from their own files
  'esbuild',
  'typescript',
  // pino-pretty is required at run time by logger.ts. pino is bundled (about 25 ms less per start);
  // its transports, unused by Wharf, would start worker threads from files next to thread-stream
  // and pino/lib/worker.js, so thread-stream stays in node_modules
  'pino-pretty',
  'thread-stream',
];

const entryPoints = {};
for (const [name, rel] of Object.entries(ENTRIES)) {
  const file = join(dist, rel);
  if (existsSync(file)) entryPoints[name] = file;
}

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints,
  outdir,
  bundle: true,
  format: 'esm',
  splitting: true,
  platform: 'node',
  target: ['node20'],
  sourcemap: 'linked',
  chunkNames: 'chunk-[hash]',
  external: EXTERNAL,
  // bundled CommonJS packages call require() for Node built-ins
  banner: {
    js: "import { createRequire as __wharfCreateRequire } from 'node:module'; const require = __wharfCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: false,
});

const old = join(dist, `bundle.old-${process.pid}`);
if (existsSync(finaldir)) await rename(finaldir, old);
await rename(outdir, finaldir);
await rm(old, { recursive: true, force: true });

const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(`bundle: ${Object.keys(entryPoints).length} entries in dist/bundle/ (${ms.toFixed(0)} ms)`);
