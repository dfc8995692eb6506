import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFiles, formatMessage } from './check.js';
import { findTypeScript, type FoundTypeScript } from './typescript.js';

let dir: string;
let found: FoundTypeScript;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-check-'));
  found = findTypeScript([dir])!;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: string[]): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const service = (spec: string, body: string): string[] => [
  `import { int, service, text } from '${spec}';`, // 1
  '', // 2
  "export class S extends service({ name: 'check.s', input: { n: int(), name: text() } }) {", // 3
  '  async handle() {', // 4
  `    ${body}`, // 5
  '    return { s };', // 6
  '  }', // 7
  '}', // 8
];

// A check loads Wharf's declarations and their dependencies': seconds each on a loaded machine.
describe('wharf service check (compiler API)', { timeout: 180_000 }, () => {
  it("the issue's case: an int assigned to a string is refused at file:line:col, outside any project", () => {
    const f = write('bad.ts', service('wharf-esb', 'const s: string = this.input.n;'));
    const r = checkFiles(found.ts, [f], dir);
    expect(r.errors).toHaveLength(1);
    expect(formatMessage(r.errors[0]!)).toBe("bad.ts:5:11: Type 'number' is not assignable to type 'string'. (TS2322)");
  });

  it('a correct module passes; the legacy specifier is typed the same way', () => {
    const ok = write(
      'ok.ts',
      service('wharf-esb', "const s: string = this.input.name + this.input.n + Buffer.byteLength('node types');"),
    );
    expect(checkFiles(found.ts, [ok], dir).errors).toEqual([]);
    const legacy = write('legacy.ts', service('wharf', 'const s: string = this.input.n;'));
    expect(checkFiles(found.ts, [legacy], dir).errors.map((e) => `${e.line}:${e.column}:${e.code}`)).toEqual([
      '5:11:2322',
    ]);
  });

  it('a wrong field name is refused; so are errors in a local module the service imports', () => {
    const f = write('field.ts', service('wharf-esb', 'const s = String(this.input.nmae);'));
    expect(checkFiles(found.ts, [f], dir).errors.map(formatMessage)).toEqual([
      expect.stringMatching(/^field\.ts:5:33: Property 'nmae' does not exist on type .*\(TS2339\)$/s),
    ]);
    write('lib/helper.ts', ['export const half = (n: number): string => n / 2;']);
    const g = write('uses.ts', [
      "import { half } from './lib/helper.js';",
      ...service('wharf-esb', 'const s: string = half(this.input.n);'),
    ]);
    expect(checkFiles(found.ts, [g], dir).errors.map(formatMessage)).toEqual([
      expect.stringMatching(/^lib\/helper\.ts:1:44: Type 'number' is not assignable to type 'string'/),
    ]);
  });

  it("inside a project its tsconfig's options apply (here noImplicitAny off, types: ['node']), and several files are checked at once", () => {
    write('proj/tsconfig.json', [
      JSON.stringify({
        compilerOptions: {
          strict: false,
          module: 'ESNext',
          moduleResolution: 'Bundler',
          target: 'ES2022',
          outDir: 'out',
          rootDir: 'src',
          types: ['node'],
        },
      }),
    ]);
    // types: ['node'] with nothing installed in the project: Wharf's own @types/node stands in.
    const loose = write('proj/elsewhere/loose.ts', ['export function f(x) { return x ?? process.env.HOME; }']);
    const bad = write('proj/src/bad.ts', service('wharf-esb', 'const s: string = this.input.n;'));
    const r = checkFiles(found.ts, [loose, bad], dir);
    expect(r.files).toBe(2);
    expect(r.errors.map(formatMessage)).toEqual([expect.stringMatching(/^proj\/src\/bad\.ts:5:11: Type 'number'/)]);
  });

  it('a JavaScript module is checked for syntax', () => {
    const f = write('broken.js', ["import { service } from 'wharf-esb';", 'export const x = 1 +;']);
    expect(checkFiles(found.ts, [f], dir).errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual([
      'broken.js:2:21',
    ]);
  });
});

describe('finding TypeScript', () => {
  it("the project's own first, else Wharf's own, else none", () => {
    const own = findTypeScript([join(import.meta.dirname, '../../..')], { fallback: false });
    expect(own?.from).toBe('project');
    expect(own?.version).toMatch(/^\d+\.\d+/);
    expect(findTypeScript([dir], { fallback: false })).toBeUndefined();
    expect(findTypeScript([dir])?.from).toBe('wharf');
  });
});
