/**
 * BUG-DEMONSTRATING TEST (see the test report): asserts the correct behaviour and fails until
 * src/service/deploy/compile.ts + load.ts are fixed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../index.js';
import { prepareModule } from './deployer.js';
import { mapServiceStack } from './load.js';

const PACKAGE_ROOT = resolve(import.meta.dirname, '../../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-deploy-bugs-'));
  writeFileSync(join(dir, 'broken-helper.ts'), ['export const a = 1;', '', 'export const b = (;', ''].join('\n'));
  writeFileSync(join(dir, 'rates.ts'), ['export function load(): number {', '  const table = 1;', '  throw new Error(`rates table ${table} is missing`);', '}', 'export const rate = load();', ''].join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BUG deploy: load-time error location', () => {
  it('BUG-10: a throw inside a bundled relative import names that file, not the deployed module', async () => {
    const src = ["import { service } from 'wharf';", "import { rate } from './rates.js';", "export class S extends service({ name: 'rated', description: String(rate) }) { handle() {} }", ''].join('\n');
    // today: "main.ts:3:9: rates table 1 is missing" — line 3 of rates.ts reported as main.ts
    await expect(prepareModule('main.ts', src, { api, resolveFrom: PACKAGE_ROOT, resolveDir: dir })).rejects.toThrow(/^rates\.ts:3:\d+: rates table 1 is missing$/);
  });

  it('BUG-10: a syntax error inside a bundled relative import names that file, not the deployed module', async () => {
    const src = ["import { service } from 'wharf';", "import { b } from './broken-helper.js';", "export class S extends service({ name: 'x', description: String(b) }) { handle() {} }", ''].join('\n');
    // today: "main.ts:3:19: Unexpected \";\"" — line 3 of broken-helper.ts reported as main.ts
    await expect(prepareModule('main.ts', src, { api, resolveFrom: PACKAGE_ROOT, resolveDir: dir })).rejects.toThrow(/^broken-helper\.ts:3:\d+: /);
  });

  it('BUG-10: logged stacks (mapServiceStack) name the bundled file a frame comes from', async () => {
    writeFileSync(join(dir, 'calc.ts'), ['export function calc(n: number): number {', '  if (n < 0) {', '    throw new Error(`negative ${n}`);', '  }', '  return n;', '}', ''].join('\n'));
    const src = ["import { service } from 'wharf';", "import { calc } from './calc.js';", "export class S extends service({ name: 'calc' }) { handle() { return calc(-1); } }", ''].join('\n');
    const m = await prepareModule('svc.ts', src, { api, resolveFrom: PACKAGE_ROOT, resolveDir: dir });
    let stack = '';
    try {
      new (m.entries[0]!.cls as unknown as new () => { handle(): unknown })().handle();
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    // today: "at calc (svc.ts:3:11)" — calc.ts line 3 shown as svc.ts line 3
    expect(mapServiceStack(stack)).toMatch(/\(calc\.ts:3:\d+\)/);
  });
});
