/**
 * Config that names a service which is not deployed (issue 14 item 8): a channel or job naming it is
 * accepted (deploy order is free) but the admin API, the CLI (create, edit, enmasse import) answer
 * with a warning naming it, and `GET info` / `wharf info` show it until the service is deployed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, type TestEnv } from '../helpers/env.js';

const ORDERS = `import { service, text } from 'wharf-esb';

export class Get extends service({ name: 'orders.get', output: { status: text() } }) {
  async handle() {
    return { status: 'ok' };
  }
}
`;

interface Warning {
  kind: string;
  name: string;
  field: string;
  service: string;
  message: string;
  line?: number;
}

describe('config naming a service that is not deployed', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv();
  }, 120_000);
  afterAll(async () => {
    await env?.destroy();
  });

  it('is accepted with a warning (admin API, CLI, enmasse) and listed by info until the service is deployed', async () => {
    // Admin API: create answers 200 with the warning.
    const created = await env.admin<{ created: string; version: number; warnings?: Warning[] }>(
      'POST',
      '/wharf/admin/config/channels.http',
      { name: 'orders-api', urlPath: '/orders', service: 'orders.get' },
    );
    expect(created.status).toBe(201);
    expect(created.body.created).toBe('orders-api');
    expect(created.body.warnings).toEqual([
      {
        kind: 'channels.http',
        name: 'orders-api',
        field: 'service',
        service: 'orders.get',
        message: 'HTTP channel `orders-api`: service `orders.get` is not deployed (accepted; reported until it is)',
      },
    ]);

    // CLI create and edit: the object is written, the warning goes to stderr, the exit code is 0.
    const cliCreate = await env.cli([
      'channel',
      'http',
      'create',
      'ENV',
      '--name',
      'orders-cli',
      '--url-path',
      '/orders-cli',
      '--service',
      'orders.get',
    ]);
    expect(cliCreate.code, cliCreate.stderr).toBe(0);
    expect(cliCreate.stdout).toContain('HTTP channel `orders-cli` created');
    expect(cliCreate.stderr).toContain(
      'wharf: warning: HTTP channel `orders-cli`: service `orders.get` is not deployed',
    );
    const cliEdit = await env.cli(['channel', 'http', 'edit', 'ENV', 'orders-cli', '--url-path', '/orders-cli2']);
    expect(cliEdit.code, cliEdit.stderr).toBe(0);
    expect(cliEdit.stderr).toContain('wharf: warning: HTTP channel `orders-cli`: service `orders.get` is not deployed');

    // enmasse import: a job naming the missing service, with the file's line.
    const yaml = [
      'scheduler:',
      '  jobs:',
      '    - name: orders-nightly',
      '      type: interval',
      '      every: 1h',
      '      service: orders.get',
      '',
    ].join('\n');
    const imported = await env.admin<{ dryRun: boolean; plan: unknown[]; warnings?: Warning[] }>(
      'POST',
      '/wharf/admin/enmasse/import',
      { yaml, dryRun: true },
    );
    expect(imported.status).toBe(200);
    expect(imported.body.warnings?.map((w) => w.message)).toEqual([
      'Scheduler job `orders-nightly`: service `orders.get` is not deployed (accepted; reported until it is)',
    ]);
    const file = join(env.dir, '..', 'jobs.yaml');
    writeFileSync(file, yaml);
    const cliImport = await env.cli(['enmasse', 'import', 'ENV', file]);
    expect(cliImport.code, cliImport.stderr).toBe(0);
    expect(cliImport.stdout).toContain('applied: 1 created');
    expect(cliImport.stderr).toContain(
      `${file}:3: warning: Scheduler job \`orders-nightly\`: service \`orders.get\` is not deployed`,
    );

    // info (admin API and CLI) lists all three until the service exists.
    const info = await env.admin<{ warnings: Warning[] }>('GET', '/wharf/admin/info');
    expect(info.body.warnings.map((w) => `${w.kind}/${w.name}/${w.service}`).sort()).toEqual([
      'channels.http/orders-api/orders.get',
      'channels.http/orders-cli/orders.get',
      'scheduler.jobs/orders-nightly/orders.get',
    ]);
    const cliInfo = await env.ok(['info', 'ENV']);
    expect(cliInfo).toContain('server1 WARNING: HTTP channel `orders-api`: service `orders.get` is not deployed');
    expect(cliInfo).toContain('server1 WARNING: Scheduler job `orders-nightly`: service `orders.get` is not deployed');
    expect((await env.fetch('/orders')).status).not.toBe(200);

    // Deploy the service: the warnings are gone everywhere, and the channel serves.
    await env.deploy('orders.ts', ORDERS);
    expect((await env.admin<{ warnings: Warning[] }>('GET', '/wharf/admin/info')).body.warnings).toEqual([]);
    expect(await env.ok(['info', 'ENV'])).not.toContain('WARNING');
    const edited = await env.cli(['channel', 'http', 'edit', 'ENV', 'orders-cli', '--url-path', '/orders-cli3']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stderr).not.toContain('warning');
    const editedApi = await env.admin<Record<string, unknown>>(
      'PATCH',
      '/wharf/admin/config/channels.http/orders-api',
      { urlPath: '/orders' },
    );
    expect(editedApi.status).toBe(200);
    expect(editedApi.body['warnings']).toBeUndefined();
    await eventually(async () => (await env.fetch('/orders')).status === 200, 10_000, 'GET /orders answers 200');
  });
});
