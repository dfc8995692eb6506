import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as realApi from '../../index.js';
import { compileModule } from './compile.js';
import { loadModule } from './load.js';

const PACKAGE_ROOT = resolve(import.meta.dirname, '../../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-spec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the package's import specifier inside deployed services", () => {
  it("`'wharf-esb'` (the package name) and the legacy `'wharf'` both resolve to the runtime's API", async () => {
    const api = { ...realApi, marker: 'given' };
    const src =
      "import * as a from 'wharf-esb';\nimport * as b from 'wharf';\nimport { service } from 'wharf-esb';\n" +
      "export class S extends service({ name: 'spec.check', description: [a, b].map((m) => (m as unknown as { marker: string }).marker).join(':') }) { handle() {} }\n";
    const [cls] = loadModule(await compileModule('spec.ts', src, dir), { api, resolveFrom: PACKAGE_ROOT });
    expect(cls!.declaration.description).toBe('given:given');
    expect(cls!.prototype).toBeInstanceOf(realApi.Service);
  });
});
