import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../index.js';
import { WharfError } from '../../errors.js';
import { ServiceRegistry } from '../registry.js';
import { sourceHash } from './compile.js';
import { checkConflicts, prepareModule } from './deployer.js';
import { mapServiceStack } from './load.js';

const PACKAGE_ROOT = resolve(import.meta.dirname, '../../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-deployer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prep = (name: string, source: string) =>
  prepareModule(name, source, { api, resolveFrom: PACKAGE_ROOT, resolveDir: dir });

const TWO = [
  "import { service, int, text } from 'wharf';",
  "export class Get extends service({ name: 'crm.get', input: { id: int() }, output: { name: text() } }) {",
  '  handleGet() { return { name: `c${this.input.id}` }; }',
  '}',
  "export class Put extends service({ name: 'crm.put' }) { handle() {} }",
].join('\n');

describe('prepareModule', () => {
  it('compiles, loads and precompiles every service of the module', async () => {
    const m = await prep('crm.ts', TWO);
    expect(m.name).toBe('crm.ts');
    expect(m.hash).toBe(sourceHash(TWO));
    expect(m.entries.map((e) => e.name).sort()).toEqual(['crm.get', 'crm.put']);
    const get = m.entries.find((e) => e.name === 'crm.get')!;
    expect(get).toMatchObject({ moduleName: 'crm.ts', hash: m.hash, hasHandle: false });
    expect([...get.verbs]).toEqual(['GET']);
    expect(get.parseInput({ path: { id: '7' } })).toEqual({ id: 7 });
    expect(get.normaliseOutput!({ name: 'x', extra: 1 })).toEqual({ name: 'x' });
  });

  it('passes on compile, load and entry errors', async () => {
    await expect(prep('syntax.ts', 'export const = 1;')).rejects.toThrow(/^syntax\.ts:1:\d+: /);
    await expect(prep('none.ts', 'export const a = 1;')).rejects.toThrow(/exports no service class/);
    await expect(
      prep('nohandler.ts', "import { service } from 'wharf';\nexport class N extends service({ name: 'n' }) {}\n"),
    ).rejects.toThrow('service `n` has no handle() nor handle<Verb>() method');
  });
});

describe('checkConflicts', () => {
  it('refuses a module whose service names belong to another module (409), allows a redeploy of the same module', async () => {
    const registry = new ServiceRegistry();
    const first = await prep('crm.ts', TWO);
    checkConflicts(registry, first);
    registry.swapModule(first.name, first.hash, first.entries);
    const again = await prep('crm.ts', `${TWO}\n// changed`);
    expect(() => checkConflicts(registry, again)).not.toThrow();

    const other = await prep(
      'other.ts',
      "import { service } from 'wharf';\nexport class G extends service({ name: 'crm.get' }) { handle() {} }\n",
    );
    try {
      checkConflicts(registry, other);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WharfError);
      expect(e).toMatchObject({
        code: 'WHARF_ERR_DEPLOY_FAILED',
        status: 409,
        message: 'other.ts: service `crm.get` is already deployed from crm.ts',
        details: { service: 'crm.get', module: 'crm.ts' },
      });
    }
  });
});

describe('prepareModule: load-time errors in bundled relative imports (regressions, fixed in 39f01a3)', () => {
  beforeAll(() => {
    writeFileSync(join(dir, 'broken-helper.ts'), ['export const a = 1;', '', 'export const b = (;', ''].join('\n'));
    writeFileSync(
      join(dir, 'rates.ts'),
      [
        'export function load(): number {',
        '  const table = 1;',
        '  throw new Error(`rates table ${table} is missing`);',
        '}',
        'export const rate = load();',
        '',
      ].join('\n'),
    );
  });

  it('a throw inside a bundled relative import names that file, not the deployed module', async () => {
    const src = [
      "import { service } from 'wharf';",
      "import { rate } from './rates.js';",
      "export class S extends service({ name: 'rated', description: String(rate) }) { handle() {} }",
      '',
    ].join('\n');
    // was "main.ts:3:9: rates table 1 is missing": line 3 of rates.ts reported as main.ts
    await expect(prep('main.ts', src)).rejects.toThrow(/^rates\.ts:3:\d+: rates table 1 is missing$/);
  });

  it('a syntax error inside a bundled relative import names that file, not the deployed module', async () => {
    const src = [
      "import { service } from 'wharf';",
      "import { b } from './broken-helper.js';",
      "export class S extends service({ name: 'x', description: String(b) }) { handle() {} }",
      '',
    ].join('\n');
    // was "main.ts:3:19: Unexpected \";\"": line 3 of broken-helper.ts reported as main.ts
    await expect(prep('main.ts', src)).rejects.toThrow(/^broken-helper\.ts:3:\d+: /);
  });

  it('logged stacks (mapServiceStack) name the bundled file a frame comes from', async () => {
    writeFileSync(
      join(dir, 'calc.ts'),
      [
        'export function calc(n: number): number {',
        '  if (n < 0) {',
        '    throw new Error(`negative ${n}`);',
        '  }',
        '  return n;',
        '}',
        '',
      ].join('\n'),
    );
    const src = [
      "import { service } from 'wharf';",
      "import { calc } from './calc.js';",
      "export class S extends service({ name: 'calc' }) { handle() { return calc(-1); } }",
      '',
    ].join('\n');
    const m = await prep('svc.ts', src);
    let stack = '';
    try {
      new (m.entries[0]!.cls as unknown as new () => { handle(): unknown })().handle();
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    // was "at calc (svc.ts:3:11)": calc.ts line 3 shown as svc.ts line 3
    expect(mapServiceStack(stack)).toMatch(/\(calc\.ts:3:\d+\)/);
  });
});
