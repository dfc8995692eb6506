/**
 * Hot deploy: a changed file replaces its services on every worker; a broken file is refused with
 * file:line and the previous version keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, type TestEnv } from '../helpers/env.js';

const version = (n: number, extra = ''): string => `import { service, text } from 'wharf';
${extra}
export class V extends service({ name: 'hd.version', input: { who: text().default('x') } }) {
  async handle() { return { version: ${n} }; }
}
`;

async function versionsSeen(env: TestEnv, n: number): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const r = await env.fetch('/hd', { headers: { connection: 'close' } });
    seen.add(((await r.json()) as { version: number }).version);
  }
  return seen;
}

describe('hot deploy', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 2 });
    await env.deploy('hd.ts', version(1));
    await env.importYaml('channels:\n  http:\n    - { name: hd, urlPath: /hd, service: hd.version }\n');
  });
  afterAll(async () => {
    await env?.destroy();
  });

  it('replaces a changed module on every worker', async () => {
    expect(await versionsSeen(env, 6)).toEqual(new Set([1]));
    await env.deploy('hd.ts', version(2));
    await eventually(
      async () => (await versionsSeen(env, 6)).size === 1 && (await versionsSeen(env, 2)).has(2),
      5000,
      'v2 on all workers',
    );
    env.pickup('hd.ts', version(3));
    await eventually(
      async () => {
        const s = await versionsSeen(env, 6);
        return s.size === 1 && s.has(3);
      },
      10_000,
      'v3 from pickup on all workers',
    );
  });

  const broken: Array<[string, string, RegExp]> = [
    ['syntax error', version(9).replace('return {', 'return {{ ;'), /hd\.ts:4:\d+: Expected identifier/],
    [
      'bad import',
      version(9, "import { nope } from './does-not-exist.js';\nconsole.log(nope);"),
      /hd\.ts:2:\d+: Could not resolve "\.\/does-not-exist\.js"/,
    ],
    ['throws at load', version(9, "throw new Error('refusing to load');"), /hd\.ts:2:\d+: refusing to load/],
    ['exports no service', 'export const x = 1;\n', /exports no service class/],
    [
      'duplicate name in one file',
      `${version(9)}\nexport class W extends service({ name: 'hd.version' }) { async handle() { return {}; } }\n`,
      /declared twice/,
    ],
  ];
  for (const [what, source, message] of broken) {
    it(`refuses a module that ${what}, and the previous version keeps serving`, async () => {
      const r = await env.cli(['service', 'deploy', 'ENV', await writeTemp(env, 'hd.ts', source), '--no-check']);
      expect(r.code).toBe(8);
      expect(r.stderr).toMatch(message);
      expect(await versionsSeen(env, 4)).toEqual(new Set([3]));
    });
  }

  it('refuses a module that takes a service name from another module (409)', async () => {
    const r = await env.cli(['service', 'deploy', 'ENV', await writeTemp(env, 'other.ts', version(7)), '--no-check']);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/service `hd\.version` is already deployed from hd\.ts/);
  });

  it('logs a broken file dropped in the pickup directory with file:line and keeps serving', async () => {
    env.pickup('hd.ts', version(9).replace('return {', 'return {{ ;'));
    await eventually(() => /hot deploy of hd\.ts refused.*hd\.ts:4:\d+/.test(env.log()), 10_000, 'refusal logged');
    expect(await versionsSeen(env, 4)).toEqual(new Set([3]));
  });

  it('deletes a service live and lists deployed hashes', async () => {
    await env.deploy(
      'gone.ts',
      `import { service } from 'wharf';\nexport class G extends service({ name: 'hd.gone' }) { async handle() { return { ok: true }; } }\n`,
    );
    expect(await env.ok(['service', 'list', 'ENV'])).toMatch(/hd\.gone\s+gone\.ts\s+[0-9a-f]{12}\s+deployed/);
    await env.ok(['service', 'delete', 'ENV', 'hd.gone']);
    expect(await env.ok(['service', 'list', 'ENV'])).not.toMatch(/hd\.gone/);
    const r = await env.admin('POST', '/wharf/admin/services/hd.gone/invoke', {});
    expect(r.status).toBe(404);
  });
});

async function writeTemp(env: TestEnv, name: string, source: string): Promise<string> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'wharf-src-'));
  const f = join(dir, name);
  writeFileSync(f, source);
  void env;
  return f;
}
