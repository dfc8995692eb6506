/**
 * The bundled build (scripts/build-bundle.mjs, issue 14): `npm run build` leaves the process entry
 * points in dist/bundle/, `wharf` runs from there, and a started server's worker runs the bundled
 * entry with one copy of every module: an ESM loader hook (given to the server's processes through
 * NODE_OPTIONS) records every module URL a process resolves, and the worker's list holds neither
 * kysely, zod or yaml as separate modules, nor any of Wharf's own tsc output (dist/**, outside the
 * bundle: a second copy of a class would break `instanceof`), nor a connector's chunk before an
 * object of that kind exists.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, ROOT, runCli, type TestEnv } from '../helpers/env.js';

const BUNDLE = join(ROOT, 'dist', 'bundle');
const ENTRIES = ['cli.js', 'primary-main.js', 'worker-main.js', 'watchdog-thread.js', 'web-admin-main.js'];
/** Strings that only this code holds: kysely, zod, and the MQTT, AMQP 0-9-1, MySQL and PostgreSQL drivers. */
const MARKERS = ['DeleteQueryBuilder', 'ZodError', 'MqttClient', 'AMQPLAIN', 'mysql_native_password', 'SCRAM-SHA-256'];

/** A directory with an ESM loader hook (register.mjs) that appends every resolved URL to PID.txt there. */
function traceHook(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-bundle-trace-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(dir)} + '/' + process.pid + '.txt', r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  return dir;
}

/** The bundle's chunks that hold one of `markers`. */
function chunksWith(markers: string[]): string[] {
  return readdirSync(BUNDLE).filter((f) => {
    if (!f.startsWith('chunk-') || !f.endsWith('.js')) return false;
    const code = readFileSync(join(BUNDLE, f), 'utf8');
    return markers.some((d) => code.includes(d));
  });
}

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
    const trace = traceHook();
    const r = await runCli(['--help'], {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(join(trace, 'register.mjs')).href}` },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: wharf');
    const urls = readdirSync(trace)
      .filter((f) => f.endsWith('.txt'))
      .flatMap((f) => readFileSync(join(trace, f), 'utf8').split('\n'));
    expect(urls.some((u) => u.endsWith('/dist/bundle/cli.js'))).toBe(true);
    // no ODB, zod or driver code for --help
    const heavy = chunksWith(MARKERS);
    expect(urls.filter((u) => heavy.some((c) => u.endsWith(`/${c}`)))).toEqual([]);
    rmSync(trace, { recursive: true, force: true });
  });
});

describe('a server started from the bundle', () => {
  let env: TestEnv;
  let traceDir: string;
  let worker: number;

  beforeAll(async () => {
    traceDir = traceHook();
    env = await createEnv({ workers: 1, start: false });
    await env.ok(['start', env.dir], {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(join(traceDir, 'register.mjs')).href}` },
    });
    const ping = (await (await env.fetch('/wharf/ping')).json()) as { pid: number };
    worker = ping.pid;
  });
  afterAll(async () => {
    await env?.destroy();
    rmSync(traceDir, { recursive: true, force: true });
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
    const driverChunks = chunksWith(MARKERS.slice(2));
    expect(driverChunks.length).toBeGreaterThanOrEqual(3);
    const urls = loaded();
    for (const c of driverChunks)
      expect(
        urls.some((u) => u.endsWith(`/${c}`)),
        c,
      ).toBe(false);
  });
});
