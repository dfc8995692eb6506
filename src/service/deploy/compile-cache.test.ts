import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCompileCacheDir } from './compile-cache.js';
import { compileModule } from './compile.js';

let dir: string;
let cache: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-compile-cache-'));
  cache = join(dir, 'cache');
  writeFileSync(join(dir, 'helper.ts'), 'export const greet = (n: string): string => `hi ${n}`;\n');
  setCompileCacheDir(cache);
});
afterAll(() => {
  setCompileCacheDir(undefined);
  rmSync(dir, { recursive: true, force: true });
});

const files = (): string[] => readdirSync(cache).filter((f) => f.endsWith('.json'));

describe('compiled module cache', () => {
  it('stores an output once and serves the same output again', async () => {
    const src = 'export const a: number = 1;\n';
    const first = await compileModule('a.ts', src, dir);
    expect(files()).toHaveLength(1);
    const second = await compileModule('a.ts', src, dir);
    expect(second).toEqual(first);
    expect(files()).toHaveLength(1);
  });

  it('a changed source is a new entry with its own output', async () => {
    const before = files().length;
    const out = await compileModule('a.ts', 'export const a: number = 2;\n', dir);
    expect(out.code).toContain('a = 2');
    expect(files()).toHaveLength(before + 1);
  });

  it('an entry whose bundled file changed is compiled again', async () => {
    const src = "import { greet } from './helper';\nexport const g = greet('x');\n";
    const first = await compileModule('b.ts', src, dir);
    expect(first.code).toContain('hi ');
    writeFileSync(join(dir, 'helper.ts'), 'export const greet = (n: string): string => `hello ${n}`;\n');
    utimesSync(join(dir, 'helper.ts'), new Date(), new Date(Date.now() + 5000));
    const second = await compileModule('b.ts', src, dir);
    expect(second.code).toContain('hello ');
    expect(second.code).not.toEqual(first.code);
  });

  it('a corrupt entry is ignored and rewritten', async () => {
    const src = 'export const c = 3;\n';
    await compileModule('c.js', src, dir);
    for (const f of files()) writeFileSync(join(cache, f), '{not json');
    const out = await compileModule('c.js', src, dir);
    expect(out.code).toContain('c = 3');
  });
});
