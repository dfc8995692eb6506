/**
 * Declarations load no connector code: a fresh Node process (module hooks record every module it
 * resolves; TypeScript sources are compiled with esbuild on the way in) imports what the CLI and the
 * admin API import — `kinds.ts`, the kind registry, `describeKinds` — and must not reach a driver or a
 * connector's runtime modules. Then it loads one connector through the registry, as a server's
 * connector manager does for the first object of a kind, and that driver appears: the probe sees it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const DRIVERS = ['amqplib', 'zeromq', 'rhea', 'mqtt', 'undici'] as const;

/** Resolve hook: `./x.js` → `./x.ts` when only the source exists; load hook: TypeScript via esbuild. */
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

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-lazy-'));
  await writeFile(join(dir, 'hooks.mjs'), HOOKS);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `script` (ESM) in a fresh node with the hooks; returns every module URL resolved, and stdout. */
async function run(name: string, script: string): Promise<{ modules: string[]; stdout: string }> {
  const log = join(dir, `${name}.log`);
  await writeFile(log, '');
  const esbuild = pathToFileURL(createRequire(import.meta.url).resolve('esbuild')).href;
  const register = join(dir, `${name}-register.mjs`);
  await writeFile(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: ${JSON.stringify({ log, esbuild })} });\n`,
  );
  const main = join(dir, `${name}.mjs`);
  await writeFile(main, script);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(register).href, main],
      { cwd: SRC, timeout: 60_000 },
      (err, out, errOut) => {
        if (err) reject(new Error(`${err.message}\n${errOut}`));
        else resolve(out);
      },
    );
  });
  const modules = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  return { modules, stdout };
}

const src = (rel: string): string => JSON.stringify(pathToFileURL(join(SRC, rel)).href);

const driversIn = (modules: string[]): string[] =>
  DRIVERS.filter((d) => modules.some((u) => u.includes(`/node_modules/${d}/`)));

/** Wharf modules under channels/, outgoing/ or connectors/ that are not declarations or shared pure helpers. */
const connectorCodeIn = (modules: string[]): string[] =>
  modules
    .filter((u) => u.startsWith('file:') && !u.includes('/node_modules/'))
    .map((u) => fileURLToPath(u).slice(SRC.length).replaceAll('\\', '/'))
    .filter((p) => /^(channels|outgoing|connectors)\//.test(p))
    .filter((p) =>
      /\/(connector|channel|consumer|client|connection|outgoing|publisher|notifier|job|sender|pool|io-threads)\.ts$/.test(
        p,
      ),
    );

describe('declarations without connectors', () => {
  it('kinds.ts, the registries and describeKinds load no driver and no connector code; loadConnector then imports one', async () => {
    const { modules, stdout } = await run(
      'kinds',
      `const { registerBuiltinKinds } = await import(${src('kinds.ts')});
const { allKinds } = await import(${src('config/registry.ts')});
const { describeKinds } = await import(${src('admin/kinds-info.ts')});
const reg = await import(${src('connectors/registry.ts')});
registerBuiltinKinds();
const kinds = describeKinds(allKinds());
const job = kinds.find((k) => k.id === 'scheduler.jobs');
console.log(JSON.stringify({ kinds: kinds.length, connectors: reg.allDeclarations().length, jobActions: job.actions, loaded: reg.isConnectorLoaded('channels.amqp') }));
console.log('--- before');
const amqp = await reg.loadConnector('channels.amqp');
console.log(JSON.stringify({ id: amqp.kind.id, create: typeof amqp.create, loaded: reg.isConnectorLoaded('channels.amqp') }));
`,
    );
    const [before, after] = stdout.split('--- before\n');
    const info = JSON.parse(before!.trim()) as {
      kinds: number;
      connectors: number;
      jobActions: string[];
      loaded: boolean;
    };
    expect(info.connectors).toBe(14);
    expect(info.kinds).toBeGreaterThan(info.connectors);
    expect(info.jobActions.sort()).toEqual(['execute', 'status']);
    expect(info.loaded).toBe(false);

    // Everything resolved up to the marker: the log is written in order, so split it where amqplib first appears.
    const firstAmqp = modules.findIndex((u) => u.includes('/channels/amqp/connector.ts'));
    expect(firstAmqp).toBeGreaterThan(0);
    const declarationsOnly = modules.slice(0, firstAmqp);
    expect(declarationsOnly.some((u) => u.endsWith('/kinds.ts'))).toBe(true);
    expect(driversIn(declarationsOnly)).toEqual([]);
    expect(connectorCodeIn(declarationsOnly)).toEqual([]);

    // The probe works: loading the AMQP channel's code brings amqplib in.
    expect(JSON.parse(after!.trim())).toEqual({ id: 'channels.amqp', create: 'function', loaded: true });
    expect(driversIn(modules.slice(firstAmqp))).toContain('amqplib');
  });

  it('every registered loader imports code matching its declaration', async () => {
    const { stdout } = await run(
      'all',
      `const { registerBuiltinKinds } = await import(${src('kinds.ts')});
const reg = await import(${src('connectors/registry.ts')});
registerBuiltinKinds();
const out = [];
for (const d of reg.allDeclarations()) {
  const k = await reg.loadConnector(d.kind.id);
  out.push([d.kind.id, k.kind.id, typeof k.create, k.placement, k.accessor?.name ?? null]);
}
console.log(JSON.stringify(out));
`,
    );
    const rows = JSON.parse(stdout.trim()) as [string, string, string, string, string | null][];
    expect(rows).toHaveLength(14);
    for (const [declared, loaded, create] of rows) {
      expect(loaded).toBe(declared);
      expect(create).toBe('function');
    }
    expect(rows.find((r) => r[0] === 'outgoing.http')?.[4]).toBe('http');
  });

  it('the CLI (wharf channel http create ENV: declarations and the admin client) loads no connector driver', async () => {
    const { modules, stdout } = await run(
      'cli',
      `process.argv = [process.argv[0], 'wharf', 'channel', 'http', 'create', ${JSON.stringify(join(tmpdir(), 'no-such-wharf-env'))}, '--name', 'x', '--url-path', '/x', '--service', 'x'];
process.exit = (code) => { console.log('exit', code ?? 0); setImmediate(() => process.reallyExit(0)); };
await import(${src('cli/main.ts')});
`,
    );
    expect(stdout).toMatch(/exit [1-9]/); // no such environment: refused, after loading the command
    expect(modules.some((u) => u.endsWith('/src/kinds.ts'))).toBe(true);
    expect(driversIn(modules)).toEqual([]);
    expect(connectorCodeIn(modules)).toEqual([]);
  });
});
