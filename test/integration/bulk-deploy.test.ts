/**
 * Bulk deploy: `wharf service deploy ENV DIR` sends a directory's modules in one request, stored in
 * one config version and all invokable; unchanged modules are skipped; a request with one broken
 * module, or with a service name twice, stores nothing; too many modules → 413.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, type TestEnv } from '../helpers/env.js';

const N = 200;

const gen = (i: number, extra = 0): string => `import { int, service } from 'wharf';
export class Gen${i} extends service({ name: 'bulk.s${i}', input: { x: int() }, output: { y: int() } }) {
  async handle() {
    return { y: this.input.x + ${i + extra} };
  }
}
`;

interface ServiceList {
  items: Array<{ service: string; module: string; status: string }>;
}
interface DeployAnswer {
  version: number | null;
  deployed: number;
  unchanged: number;
  modules: Array<{ module: string; unchanged: boolean; version: number; services: string[] }>;
}
interface ErrorAnswer {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe('bulk deploy', () => {
  let env: TestEnv;
  let dir: string;
  beforeAll(async () => {
    env = await createEnv();
    dir = join(env.dir, '..', 'bulk-modules');
    mkdirSync(dir);
    for (let i = 0; i < N; i++) writeFileSync(join(dir, `gen-${String(i).padStart(3, '0')}.ts`), gen(i));
    writeFileSync(join(dir, 'types.d.ts'), 'export {};\n'); // not a module: skipped
    writeFileSync(join(dir, 'README.md'), 'not a module\n');
  });
  afterAll(async () => {
    await env?.destroy();
  });

  it(`deploys a directory of ${N} modules in one CLI call, one config version, every service invokable`, async () => {
    const out = await env.ok(['service', 'deploy', 'ENV', dir, '--no-check']);
    const summary = /deployed (\d+), unchanged (\d+) \(config version (\d+)\)/.exec(out);
    expect(summary, out).not.toBeNull();
    expect(Number(summary![1])).toBe(N);
    expect(Number(summary![2])).toBe(0);
    const version = Number(summary![3]);

    const list = await env.admin<ServiceList>('GET', '/wharf/admin/services');
    const mine = list.body.items.filter((s) => s.service.startsWith('bulk.s'));
    expect(mine).toHaveLength(N);
    expect(mine.every((s) => s.status === 'deployed')).toBe(true);

    for (let i = 0; i < N; i++) {
      const r = await env.admin<{ status: number; output: { y: number } }>(
        'POST',
        `/wharf/admin/services/bulk.s${i}/invoke`,
        { input: { x: 1 } },
      );
      expect(r.body, `bulk.s${i}`).toMatchObject({ status: 200, output: { y: i + 1 } });
    }

    // One history entry per module, all under the one version, with who made it.
    for (const name of ['gen-000.ts', `gen-${N - 1}.ts`]) {
      const h = await env.admin<{ items: Array<Record<string, unknown>> }>(
        'GET',
        `/wharf/admin/history?kind=service.module&name=${name}`,
      );
      expect(h.body.items[0]).toMatchObject({ name, action: 'deploy', who: 'wharf.cli', version });
    }
  });

  it('skips unchanged modules and reports them; deploys only the changed one', async () => {
    const same = await env.ok(['service', 'deploy', 'ENV', dir, '--no-check']);
    expect(same).toMatch(new RegExp(`deployed 0, unchanged ${N}\\b`));
    writeFileSync(join(dir, 'gen-007.ts'), gen(7, 1000));
    const one = await env.ok(['service', 'deploy', 'ENV', dir, '--no-check']);
    expect(one).toMatch(/^gen-007\.ts: deployed bulk\.s7 /m);
    expect(one).toMatch(new RegExp(`deployed 1, unchanged ${N - 1} \\(config version \\d+\\)`));
    const r = await env.admin<{ output: { y: number } }>('POST', '/wharf/admin/services/bulk.s7/invoke', {
      input: { x: 1 },
    });
    expect(r.body.output.y).toBe(1008);
  });

  it('refuses a bulk request with one broken module (file:line:col) and stores none of it', async () => {
    const modules = [
      { name: 'fresh-a.ts', source: gen(9001) },
      { name: 'fresh-b.ts', source: gen(9002) },
      { name: 'broken.ts', source: gen(9003).replace('return {', 'return {{ ;') },
      { name: 'gen-010.ts', source: gen(10, 5) }, // a change of a stored module: not applied either
    ];
    const r = await env.admin<ErrorAnswer>('POST', '/wharf/admin/services', { modules });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('WHARF_ERR_DEPLOY_FAILED');
    expect(r.body.error.message).toMatch(/^broken\.ts:4:\d+: /);
    expect(r.body.error.details).toMatchObject({ file: 'broken.ts', line: 4 });
    const list = await env.admin<ServiceList>('GET', '/wharf/admin/services');
    const names = list.body.items.map((s) => s.module);
    expect(names).not.toContain('fresh-a.ts');
    expect(names).not.toContain('fresh-b.ts');
    const still = await env.admin<{ output: { y: number } }>('POST', '/wharf/admin/services/bulk.s10/invoke', {
      input: { x: 1 },
    });
    expect(still.body.output.y).toBe(11);

    // Through the CLI: exit 8, the file and line on stderr, nothing deployed.
    const bad = join(env.dir, '..', 'bulk-bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'ok.ts'), gen(9004));
    writeFileSync(join(bad, 'broken.ts'), gen(9005).replace('return {', 'return {{ ;'));
    const cli = await env.cli(['service', 'deploy', 'ENV', bad, '--no-check']);
    expect(cli.code).toBe(8);
    expect(cli.stderr).toMatch(/broken\.ts:4:\d+: /);
    expect(
      (await env.admin<ServiceList>('GET', '/wharf/admin/services')).body.items.map((s) => s.module),
    ).not.toContain('ok.ts');
  });

  it('refuses service-name clashes among the modules (400) and with stored modules (409)', async () => {
    const among = await env.admin<ErrorAnswer>('POST', '/wharf/admin/services', {
      modules: [
        { name: 'twin-a.ts', source: gen(9100) },
        { name: 'twin-b.ts', source: gen(9100) },
      ],
    });
    expect(among.status).toBe(400);
    expect(among.body.error.message).toBe(
      'twin-b.ts: service `bulk.s9100` is also declared in twin-a.ts, deployed with it',
    );
    const stored = await env.admin<ErrorAnswer>('POST', '/wharf/admin/services', {
      modules: [
        { name: 'fresh-c.ts', source: gen(9101) },
        { name: 'thief.ts', source: gen(3) },
      ],
    });
    expect(stored.status).toBe(409);
    expect(stored.body.error.message).toBe('thief.ts: service `bulk.s3` is already deployed from gen-003.ts');
    const names = (await env.admin<ServiceList>('GET', '/wharf/admin/services')).body.items.map((s) => s.module);
    expect(names).not.toContain('fresh-c.ts');
    expect(names).not.toContain('twin-a.ts');
  });

  it('answers 413 beyond the module limit; the single-module form still works', async () => {
    const many = Array.from({ length: 5001 }, (_, i) => ({ name: `m${i}.ts`, source: 'x' }));
    const r = await env.admin<ErrorAnswer>('POST', '/wharf/admin/services', { modules: many });
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/at most 5000 modules/);
    const single = await env.admin<DeployAnswer & { module: string; unchanged: boolean }>(
      'POST',
      '/wharf/admin/services',
      { name: 'single.ts', source: gen(9200) },
    );
    expect(single.status).toBe(200);
    expect(single.body).toMatchObject({ module: 'single.ts', unchanged: false, services: ['bulk.s9200'] });
  });
});
