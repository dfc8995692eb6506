import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as realApi from '../../index.js';
import { WharfError } from '../../errors.js';
import { Pipeline } from '../pipeline.js';
import { makeEntry, ServiceRegistry } from '../registry.js';
import { fakeRuntime } from '../../../test/support/service-runtime.js';
import { compileModule } from './compile.js';
import { loadModule, mapServiceStack, setModuleLoadDefaults } from './load.js';

const PACKAGE_ROOT = resolve(import.meta.dirname, '../../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-load-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opts = (api: object = realApi) => ({ api, resolveFrom: PACKAGE_ROOT });

async function load(name: string, source: string, api: object = realApi) {
  return loadModule(await compileModule(name, source, dir), opts(api));
}

async function loadFailure(name: string, source: string): Promise<WharfError> {
  try {
    await load(name, source);
  } catch (e) {
    expect(e).toBeInstanceOf(WharfError);
    return e as WharfError;
  }
  throw new Error('expected a load error');
}

describe('loadModule', () => {
  it('finds every exported service class, default export included, each once', async () => {
    const classes = await load(
      'two.ts',
      [
        "import { service, int } from 'wharf';",
        "export class A extends service({ name: 'a', input: { id: int() } }) { handle() { return this.input.id; } }",
        "class B extends service({ name: 'b' }) { handleGet() {} }",
        'export default B;',
        'export { A as AlsoA };',
        'export const notAService = 1;',
        'export class Plain {}',
      ].join('\n'),
    );
    expect(classes.map((c) => c.declaration.name).sort()).toEqual(['a', 'b']);
  });

  it("`import ... from 'wharf'` resolves to the api object it is given", async () => {
    const api = { ...realApi, marker: 'the-given-api' };
    const classes = await load(
      'api.ts',
      "import * as wharf from 'wharf';\nimport { service } from 'wharf';\nconst { marker } = wharf as unknown as { marker: string };\nexport class S extends service({ name: 'api.check', description: marker }) { handle() {} }\n",
      api,
    );
    expect(classes[0]!.declaration.description).toBe('the-given-api');
    expect(classes[0]!.prototype).toBeInstanceOf(realApi.Service);
  });

  it('packages resolve from resolveFrom', async () => {
    const classes = await load(
      'pkg.ts',
      "import { service } from 'wharf';\nimport { z } from 'zod';\nexport class S extends service({ name: 'pkg', description: typeof z.string }) { handle() {} }\n",
    );
    expect(classes[0]!.declaration.description).toBe('function');
  });

  it('a throw at load time points at file:line:column of the ORIGINAL source', async () => {
    const src = [
      "import { service, text } from 'wharf';", // 1
      '', // 2
      'interface Opts {', // 3
      '  a: string;', // 4
      '}', // 5
      'const o: Opts = { a: "x" };', // 6
      'export class S extends service({ name: "s", input: { t: text() } }) { handle() {} }', // 7
      'if (o.a === "x") {', // 8
      '  throw new Error("boom at load");', // 9
      '}', // 10
    ].join('\n');
    const e = await loadFailure('throws.ts', src);
    expect(e.code).toBe('WHARF_ERR_DEPLOY_FAILED');
    expect(e.message).toBe('throws.ts:9:9: boom at load');
    expect(e.details).toEqual({
      file: 'throws.ts',
      line: 9,
      column: 9,
      message: 'boom at load',
      lineText: '  throw new Error("boom at load");',
      at: 'throws.ts:9:9',
    });
    expect((e.cause as Error).message).toBe('boom at load');
  });

  it('a throw inside a function called at load time points at the throwing line', async () => {
    const src = [
      "import { service } from 'wharf';",
      'type T = { n: number };',
      'function check(t: T): void {',
      '  if (t.n > 1) throw new RangeError(`n is ${t.n}`);',
      '}',
      'check({ n: 2 });',
      "export class S extends service({ name: 's' }) { handle() {} }",
    ].join('\n');
    const e = await loadFailure('fn.ts', src);
    expect(e.message).toMatch(/^fn\.ts:4:\d+: n is 2$/);
  });

  it('a bare import that does not exist fails at load with file:line', async () => {
    const e = await loadFailure(
      'bad-import.ts',
      "import { service } from 'wharf';\nimport { x } from 'no-such-package-wharf-test';\nexport class S extends service({ name: 's', description: String(x) }) { handle() {} }\n",
    );
    expect(e.message).toMatch(/^bad-import\.ts:2:\d+: Cannot find module 'no-such-package-wharf-test'/);
  });

  it('a module without a service class is refused', async () => {
    const e = await loadFailure('none.ts', 'export const x = 1;\nexport class NotAService {}\n');
    expect(e.message).toBe('none.ts: exports no service class (export class X extends service({ name, ... }))');
  });

  it('a service class that is not exported does not count', async () => {
    const e = await loadFailure(
      'hidden.ts',
      "import { service } from 'wharf';\nclass S extends service({ name: 's' }) { handle() {} }\nexport const n = S.name;\n",
    );
    expect(e.message).toMatch(/exports no service class/);
  });

  it('two classes with the same service name are refused', async () => {
    const e = await loadFailure(
      'dup.ts',
      "import { service } from 'wharf';\nexport class A extends service({ name: 'same' }) { handle() {} }\nexport class B extends service({ name: 'same' }) { handle() {} }\n",
    );
    expect(e.message).toBe('dup.ts: service name `same` is declared twice');
  });

  it('`await using` works on Node 20 in a deployed service', async () => {
    const src = [
      "import { service, list, text } from 'wharf';",
      'const log: string[] = [];',
      'function res(name: string): AsyncDisposable {',
      '  log.push(`open ${name}`);',
      '  return { async [Symbol.asyncDispose]() { log.push(`close ${name}`); } };',
      '}',
      "export class U extends service({ name: 'using', output: { log: list(text()) } }) {",
      '  async handle() {',
      '    {',
      "      await using a = res('a');",
      "      await using b = res('b');",
      "      log.push('body');",
      '    }',
      '    return { log };',
      '  }',
      '}',
    ].join('\n');
    const classes = await load('using.ts', src);
    const registry = new ServiceRegistry();
    registry.swapModule(
      'using.ts',
      'h',
      classes.map((c) => makeEntry(c, 'using.ts', 'h')),
    );
    const out = await new Pipeline(registry, fakeRuntime()).invoke('using', {}, { cid: 'c' });
    expect(out).toEqual({ log: ['open a', 'open b', 'body', 'close b', 'close a'] });
  });

  it('mapServiceStack rewrites frames of a loaded module to its original lines and leaves others alone', async () => {
    const src = [
      "import { service } from 'wharf';", // 1
      'type Order = { id: number };', // 2
      'function check(o: Order): void {', // 3
      '  if (o.id < 0) {', // 4
      '    throw new Error(`bad order ${o.id}`);', // 5
      '  }', // 6
      '}', // 7
      "export class S extends service({ name: 'stack.map' }) {", // 8
      '  handle() {', // 9
      '    check({ id: -1 });', // 10
      '  }', // 11
      '}', // 12
    ].join('\n');
    const [cls] = await load('stack.ts', src);
    const err = (() => {
      try {
        new (cls as unknown as new () => { handle(): void })().handle();
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(err.stack).toMatch(/wharf-service:stack\.ts:\d+:\d+/);
    const mapped = mapServiceStack(err.stack!);
    expect(mapped).toMatch(/\(stack\.ts:5:\d+\)/);
    expect(mapped).toMatch(/\(stack\.ts:10:\d+\)/);
    expect(mapped).not.toContain('wharf-service:');
    const foreign = 'Error: x\n    at f (/srv/app.js:3:4)';
    expect(mapServiceStack(foreign)).toBe(foreign);
  });

  it('a top level that never finishes is refused after the time limit, and loading goes on working', async () => {
    const looping = await compileModule(
      'loop.ts',
      "import { service } from 'wharf';\nwhile (true) {}\nexport class S extends service({ name: 'loop' }) { handle() {} }\n",
      dir,
    );
    const started = Date.now();
    let err: unknown;
    try {
      loadModule(looping, { ...opts(), timeoutMs: 200 });
    } catch (e) {
      err = e;
    }
    expect(Date.now() - started).toBeLessThan(4000);
    expect(err).toBeInstanceOf(WharfError);
    expect((err as WharfError).code).toBe('WHARF_ERR_DEPLOY_FAILED');
    expect((err as WharfError).message).toBe(
      'loop.ts: did not finish loading within 200 ms (a loop at the top level?)',
    );
    expect((err as WharfError).details).toMatchObject({ file: 'loop.ts', timeoutMs: 200 });
    // The load arguments are not left behind, and the next module loads.
    expect(Symbol.for('wharf.loadArgs') in globalThis).toBe(false);
    const [cls] = await load(
      'after.ts',
      "import { service } from 'wharf';\nexport class S extends service({ name: 'after' }) { handle() { return 1; } }\n",
    );
    expect(cls!.declaration.name).toBe('after');
  });

  it('the default time limit and the watch hook come from setModuleLoadDefaults; only the top level is timed', async () => {
    const seen: number[] = [];
    setModuleLoadDefaults({ timeoutMs: 300, watch: (ms) => seen.push(ms) });
    try {
      const slowHandle = await compileModule(
        'slow-handle.ts',
        "import { service } from 'wharf';\nexport class S extends service({ name: 'slow.handle' }) { handle() { const end = Date.now() + 600; while (Date.now() < end) {} return 'done'; } }\n",
        dir,
      );
      const [cls] = loadModule(slowHandle, opts());
      expect(seen).toEqual([300, 0]);
      // A handler that runs longer than the load limit is not cut by it (that is the watchdog's job).
      expect(new (cls as unknown as new () => { handle(): string })().handle()).toBe('done');
      const looping = await compileModule(
        'loop2.ts',
        "import { service } from 'wharf';\nfor (;;) {}\nexport class S extends service({ name: 'loop2' }) { handle() {} }\n",
        dir,
      );
      expect(() => loadModule(looping, opts())).toThrow(/loop2\.ts: did not finish loading within 300 ms/);
      expect(seen).toEqual([300, 0, 300, 0]);
    } finally {
      setModuleLoadDefaults({ timeoutMs: 5000, watch: () => undefined });
    }
  });
});
