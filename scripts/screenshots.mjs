#!/usr/bin/env node
// npm run screenshots: drives the web admin in Debian's Chromium through the same flows as the e2e
// tests (test/helpers/web-admin-tour.ts, bundled here with esbuild) against a fresh quickstart
// environment, and writes docs/screenshots/{dashboard,services,channel-form-error,invoke-console,
// history-diff}.png at 1280×800. Needs a build (npm run build; the npm script does it) and
// /usr/bin/chromium (bash scripts/services.sh up installs it).
//
//   node scripts/screenshots.mjs [OUT_DIR] [--traffic-seconds N]   (default 120: the dashboard's
//   charts need a few minutes of traffic to show a shape)
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = args.indexOf('--traffic-seconds');
const trafficSeconds = flag >= 0 ? Number(args.splice(flag, 2)[1]) : 120;
const outDir = resolve(args[0] ?? join(root, 'docs/screenshots'));

if (!existsSync('/usr/bin/chromium')) {
  console.error('screenshots: /usr/bin/chromium is missing (bash scripts/services.sh up installs it)');
  process.exit(1);
}
if (!existsSync(join(root, 'dist/web-admin/public/app.js'))) {
  console.error('screenshots: the web admin UI is not built (npm run build)');
  process.exit(1);
}

// Bundled next to node_modules so the external packages resolve; env.ts finds the repository by its
// own folder, which the bundle no longer sits in: import.meta.dirname is pinned to test/helpers.
const cache = join(root, 'node_modules/.cache/wharf-screenshots');
mkdirSync(cache, { recursive: true });
const outfile = join(cache, 'tour.mjs');
await build({
  entryPoints: [join(root, 'test/helpers/web-admin-tour.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  define: { 'import.meta.dirname': JSON.stringify(join(root, 'test/helpers')) },
  logLevel: 'warning',
});

const { runScreenshots } = await import(pathToFileURL(outfile).href);
const t0 = Date.now();
try {
  const written = await runScreenshots(outDir, trafficSeconds);
  for (const f of written) console.log(`screenshots: wrote ${f}`);
  console.log(`screenshots: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (e) {
  console.error(`screenshots: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
}
