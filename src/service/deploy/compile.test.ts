import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { compileModule, isServiceFile, sourceHash } from './compile.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-compile-'));
  writeFileSync(join(dir, 'helper.ts'), 'export const greet = (n: string): string => `hi ${n}`;\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(name: string, source: string): Promise<WharfError> {
  try {
    await compileModule(name, source, dir);
  } catch (e) {
    expect(e).toBeInstanceOf(WharfError);
    return e as WharfError;
  }
  throw new Error('expected a compile error');
}

describe('sourceHash and isServiceFile', () => {
  it('hash is the sha256 hex of the source', () => {
    expect(sourceHash('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(sourceHash('abc')).not.toBe(sourceHash('abd'));
  });

  it('TypeScript and JavaScript modules only, never declaration files', () => {
    for (const f of ['a.ts', 'a.mts', 'a.cts', 'a.js', 'a.mjs', 'a.cjs', 'dir/x.service.ts'])
      expect(isServiceFile(f), f).toBe(true);
    for (const f of ['a.d.ts', 'a.json', 'a.tsx', 'README.md', 'ts']) expect(isServiceFile(f), f).toBe(false);
  });
});

describe('compileModule', () => {
  it('transpiles TypeScript to CommonJS with a source map and the source hash', async () => {
    const src =
      "import { service } from 'wharf';\ninterface X { a: number }\nexport const v: X = { a: 1 };\nexport class S extends service({ name: 's' }) { handle() {} }\n";
    const m = await compileModule('svc.ts', src, dir);
    expect(m.name).toBe('svc.ts');
    expect(m.hash).toBe(sourceHash(src));
    expect(m.code).toContain('require("wharf")');
    expect(m.code).not.toMatch(/^import /m);
    expect(m.code).not.toContain('interface X');
    const map = JSON.parse(m.map) as { version: number; sources: string[] };
    expect(map.version).toBe(3);
    expect(map.sources.some((s) => s.endsWith('svc.ts'))).toBe(true);
  });

  it('bundles relative imports and leaves packages external', async () => {
    const m = await compileModule(
      'svc.ts',
      "import { greet } from './helper.js';\nimport { z } from 'zod';\nexport const out = greet(String(z));\n",
      dir,
    );
    expect(m.code).toContain('hi ${n}');
    expect(m.code).toContain('require("zod")');
  });

  it('lowers `await using` for Node 20', async () => {
    const src = 'export async function f(r: AsyncDisposable) {\n  await using x = r;\n  return 1;\n}\n';
    const m = await compileModule('u.ts', src, dir);
    expect(m.code).not.toMatch(/await using/);
  });

  it('a syntax error comes back as file:line:column: message, with details', async () => {
    const e = await failure(
      'broken.ts',
      "import { service } from 'wharf';\n\nexport class X extends service({ name: 'x' }) {\n  handle() { return 1 +; }\n}\n",
    );
    expect(e.code).toBe('WHARF_ERR_DEPLOY_FAILED');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^broken\.ts:4:\d+: Unexpected ";"/);
    expect(e.details).toMatchObject({
      file: 'broken.ts',
      line: 4,
      column: expect.any(Number),
      lineText: '  handle() { return 1 +; }',
    });
    expect(e.message.startsWith(`broken.ts:4:${String(e.details!['column'])}: `)).toBe(true);
  });

  it('the column is 1-based', async () => {
    const e = await failure('col.ts', 'const a = ;\n');
    expect(e.message).toMatch(/^col\.ts:1:11: /);
  });

  it('an unresolvable relative import names file, line and the import', async () => {
    const e = await failure(
      'imp.ts',
      "export const a = 1;\nimport { nope } from './does-not-exist.js';\nexport const b = nope;\n",
    );
    expect(e.message).toMatch(/^imp\.ts:2:\d+: Could not resolve "\.\/does-not-exist\.js"/);
  });

  it('refuses other file types', async () => {
    const e = await failure('data.json', '{}');
    expect(e.message).toBe('data.json: only .ts and .js service modules can be deployed');
  });

  it('plain JavaScript modules compile too', async () => {
    const m = await compileModule(
      'plain.mjs',
      "import { service } from 'wharf';\nexport class J extends service({ name: 'j' }) { handle() { return 1; } }\n",
      dir,
    );
    expect(m.code).toContain('require("wharf")');
  });
});

describe('compileModule: what Node 20 CommonJS cannot do', () => {
  it('top-level await is refused at compile time with file:line', async () => {
    const e = await failure('tla.ts', 'const x = 1;\nawait Promise.resolve(x);\n');
    expect(e.message).toMatch(/^tla\.ts:2:\d+: Top-level await/);
  });
});
