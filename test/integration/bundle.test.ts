/**
 * The bundled build (scripts/build-bundle.mjs, issue 14): `npm run build` leaves the process entry
 * points in dist/bundle/, `wharf` runs from there, and a started server's worker runs the bundled
 * entry with one copy of every module: an ESM loader hook (given to the server's processes through
 * NODE_OPTIONS) records every module URL a process resolves, and the worker's list holds neither
 * kysely, zod or yaml as separate modules, nor any of Wharf's own tsc output (dist/**, outside the
 * bundle: a second copy of a class would break `instanceof`), nor a connector's chunk before an
 * object of that kind exists.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, ROOT, runCli, type TestEnv } from '../helpers/env.js';

const BUNDLE = join(ROOT, 'dist', 'bundle');
const ENTRIES = ['cli.js', 'primary-main.js', 'worker-main.js', 'watchdog-thread.js', 'web-admin-main.js'];

describe('the bundled build', () => {
  it('has the process entry points, with linked source maps', () => {
    for (const e of ENTRIES) {
      expect(existsSync(join(BUNDLE, e)), e).toBe(true);
      expect(readFileSync(join(BUNDLE, e), 'utf8')).toContain(`//# sourceMappingURL=${e}.map`);
      expect(existsSync(join(BUNDLE, `${e}.map`)), `${e}.map`).toBe(true);
    }
  });

  it('imports no tsc output by path and keeps the start-path libraries inside', () => {
    for (const f of readdirSync(BUNDLE).filter((n) => n.endsWith('.js'))) {
      const code = readFileSync(join(BUNDLE, f), 'utf8');
      expect(code, f).not.toMatch(/^import [^;\n]* from "(kysely|zod|yaml|undici|commander|find-my-way)";$/m);
      expect(code, f).not.toMatch(/import\(\s*["'][^"']*\/dist\//);
    }
  });

  it('`wharf --help` runs from it', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: wharf');
  });
});

describe('a server started from the bundle', () => {
  let env: TestEnv;
  let traceDir: string;
  let worker: number;

  beforeAll(async () => {
    traceDir = mkdtempSync(join(tmpdir(), 'wharf-bundle-trace-'));
    writeFileSync(
      join(traceDir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(traceDir)} + '/' + process.pid + '.txt', r.url + '\\n');
  return r;
}
`,
    );
    writeFileSync(
      join(traceDir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(traceDir, 'hooks.mjs')).href)});\n`,
    );
    env = await createEnv({ workers: 1, start: false });
    await env.ok(['start', env.dir], {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(join(traceDir, 'register.mjs')).href}` },
    });
    const ping = (await (await env.fetch('/wharf/ping')).json()) as { pid: number };
    worker = ping.pid;
  });
  afterAll(async () => {
    await env?.destroy();
  });

  const loaded = (): string[] =>
    readFileSync(join(traceDir, `${worker}.txt`), 'utf8')
      .split('\n')
      .filter(Boolean);

  it('runs the worker from dist/bundle/worker-main.js (its command line)', () => {
    const argv = readFileSync(`/proc/${worker}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain(join(BUNDLE, 'worker-main.js'));
  });

  it('the worker loads one copy of every module: no separate kysely/zod/yaml, no tsc output', async () => {
    await eventually(() => existsSync(join(traceDir, `${worker}.txt`)), 10_000, 'the worker trace');
    const urls = loaded();
    expect(urls.some((u) => u.endsWith('/dist/bundle/worker-main.js'))).toBe(true);
    const own = urls.filter((u) => u.startsWith('file:') && !u.includes('/node_modules/'));
    const outside = own.filter((u) => !u.includes('/dist/bundle/') && !u.startsWith(pathToFileURL(traceDir).href));
    expect(outside).toEqual([]);
    expect(urls.filter((u) => /\/node_modules\/(kysely|zod|yaml|undici|find-my-way)\//.test(u))).toEqual([]);
  });

  it('a started worker has loaded no connector driver chunk (MQTT, AMQP, MySQL, PostgreSQL)', () => {
    // each marker is a string that only that driver's code holds
    const drivers = ['MqttClient', 'AMQPLAIN', 'mysql_native_password', 'SCRAM-SHA-256'];
    const driverChunks = readdirSync(BUNDLE).filter((f) => {
      if (!f.startsWith('chunk-') || !f.endsWith('.js')) return false;
      const code = readFileSync(join(BUNDLE, f), 'utf8');
      return drivers.some((d) => code.includes(d));
    });
    expect(driverChunks.length).toBeGreaterThanOrEqual(drivers.length - 1);
    const urls = loaded();
    for (const c of driverChunks)
      expect(
        urls.some((u) => u.endsWith(`/${c}`)),
        c,
      ).toBe(false);
  });
});
