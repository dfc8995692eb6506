import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../exit.js';
import { runCheck } from './run.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-run-check-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'notes.txt'), 'x');
  writeFileSync(join(dir, 'plain.js'), 'export const x = 1 +;\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(files: string[], mode: 'check' | 'deploy' = 'check'): Promise<[number, string]> {
  try {
    await runCheck(files, { mode, cwd: dir, out: () => undefined });
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return [(e as CliError).exitCode, (e as CliError).message];
  }
  throw new Error('expected a refusal');
}

describe('runCheck: bad input is refused before TypeScript is loaded', () => {
  it('a missing file, a directory, a file that is not a module', async () => {
    expect(await refusal(['nope.ts'])).toEqual([EXIT.NOT_FOUND, 'nope.ts: no such file']);
    expect(await refusal(['sub'])).toEqual([EXIT.USAGE, 'sub: not a file']);
    expect(await refusal(['notes.txt'])).toEqual([
      EXIT.USAGE,
      'notes.txt: only .ts and .js service modules can be checked',
    ]);
    expect(await refusal(['nope.ts'], 'deploy')).toEqual([EXIT.NOT_FOUND, 'nope.ts: no such file']);
  });

  it('a deploy of JavaScript modules only has nothing to type-check (esbuild reports their syntax errors)', async () => {
    await expect(runCheck(['plain.js'], { mode: 'deploy', cwd: dir, out: () => undefined })).resolves.toBe('skipped');
  });
});
