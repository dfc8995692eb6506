import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../index.js';
import { WharfError } from '../../errors.js';
import { ServiceRegistry } from '../registry.js';
import { sourceHash } from './compile.js';
import { checkConflicts, prepareModule } from './deployer.js';

const PACKAGE_ROOT = resolve(import.meta.dirname, '../../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-deployer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prep = (name: string, source: string) => prepareModule(name, source, { api, resolveFrom: PACKAGE_ROOT, resolveDir: dir });

const TWO = [
  "import { service, int, text } from 'wharf';",
  "export class Get extends service({ name: 'crm.get', input: { id: int() }, output: { name: text() } }) {",
  "  handleGet() { return { name: `c${this.input.id}` }; }",
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
    await expect(prep('nohandler.ts', "import { service } from 'wharf';\nexport class N extends service({ name: 'n' }) {}\n")).rejects.toThrow(
      'service `n` has no handle() nor handle<Verb>() method',
    );
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

    const other = await prep('other.ts', "import { service } from 'wharf';\nexport class G extends service({ name: 'crm.get' }) { handle() {} }\n");
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
