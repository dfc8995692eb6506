/**
 * enmasse export/import (round trip, secrets as placeholders, errors with lines, dry run, replace)
 * and channel security definitions (Basic Auth, API key) applied live.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, ROOT, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');

const CONFIG = `security:
  basicAuth:
    - name: crm-basic
      username: crm
      password: \${CRM_PASSWORD}
  apiKey:
    - name: billing-key
      headerName: X-Billing-Key
      key: \${BILLING_KEY}
channels:
  http:
    - name: basic
      urlPath: /basic
      service: test.echo
      security: crm-basic
    - name: keyed
      urlPath: /keyed
      service: test.echo
      security: billing-key
    - name: open
      urlPath: /open
      service: test.echo
`;

describe('enmasse and security definitions', () => {
  let env: TestEnv;
  let tmp: string;
  const secrets = { CRM_PASSWORD: 's3cret-pass', BILLING_KEY: 'key-0123456789' };
  beforeAll(async () => {
    env = await createEnv({ workers: 1 });
    tmp = mkdtempSync(join(tmpdir(), 'wharf-em-'));
    await env.deploy('echo.ts', ECHO);
  });
  afterAll(async () => {
    await env?.destroy();
  });

  const file = (name: string, text: string): string => {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return f;
  };

  it('dry-run prints the plan and changes nothing', async () => {
    const r = await env.cli(['enmasse', 'import', 'ENV', file('c.yaml', CONFIG), '--dry-run'], { env: secrets });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\+ security\.basicAuth crm-basic/);
    expect(r.stdout).toMatch(/dry run: would apply: 5 created/);
    expect((await env.fetch('/open')).status).toBe(404);
  });

  it('imports, then enforces Basic Auth and API keys (401 without or with wrong credentials)', async () => {
    const r = await env.cli(['enmasse', 'import', 'ENV', file('c.yaml', CONFIG)], { env: secrets });
    expect(r.code, r.stderr).toBe(0);
    expect((await env.fetch('/open')).status).toBe(200);
    const none = await env.fetch('/basic');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const basic = (u: string, p: string): Record<string, string> => ({
      authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
    });
    expect((await env.fetch('/basic', { headers: basic('crm', 'wrong') })).status).toBe(401);
    expect((await env.fetch('/basic', { headers: basic('crm', secrets.CRM_PASSWORD) })).status).toBe(200);
    expect((await env.fetch('/keyed')).status).toBe(401);
    expect((await env.fetch('/keyed', { headers: { 'x-billing-key': 'nope' } })).status).toBe(401);
    expect((await env.fetch('/keyed', { headers: { 'x-billing-key': secrets.BILLING_KEY } })).status).toBe(200);
  });

  it('applies an edited security definition live to its channels', async () => {
    await env.ok(['security', 'api-key', 'edit', 'ENV', 'billing-key', '--key', 'rotated-key-42']);
    await eventually(
      async () => (await env.fetch('/keyed', { headers: { 'x-billing-key': 'rotated-key-42' } })).status === 200,
      5000,
      'rotated key',
    );
    expect((await env.fetch('/keyed', { headers: { 'x-billing-key': secrets.BILLING_KEY } })).status).toBe(401);
  });

  it('exports secrets only as placeholders, never in clear; the admin API masks them', async () => {
    const out = await env.ok(['enmasse', 'export', 'ENV']);
    expect(out).not.toContain(secrets.CRM_PASSWORD);
    expect(out).not.toContain('rotated-key-42');
    expect(out).toMatch(/password: \$\{WHARF_BASIC_AUTH_CRM_BASIC_PASSWORD\}/);
    expect(out).toMatch(/key: \$\{WHARF_API_KEY_BILLING_KEY_KEY\}/);
    const got = await env.ok(['security', 'basic-auth', 'get', 'ENV', 'crm-basic']);
    expect(JSON.parse(got)).toMatchObject({ username: 'crm', password: '******' });
    const odb = readFileSync(join(env.dir, 'odb/wharf.db'));
    expect(odb.includes(Buffer.from(secrets.CRM_PASSWORD))).toBe(false);
  });

  it('export → import → export is identical, and secrets survive the round trip', async () => {
    const first = join(tmp, 'first.yaml');
    await env.ok(['enmasse', 'export', 'ENV', '--output', first]);
    const imp = await env.ok(['enmasse', 'import', 'ENV', first]);
    expect(imp).toMatch(/0 created, 0 updated, 5 unchanged/);
    const second = join(tmp, 'second.yaml');
    await env.ok(['enmasse', 'export', 'ENV', '--output', second]);
    expect(readFileSync(second, 'utf8')).toBe(readFileSync(first, 'utf8'));
    expect((await env.fetch('/keyed', { headers: { 'x-billing-key': 'rotated-key-42' } })).status).toBe(200);
  });

  it('refuses an existing object that differs unless --replace', async () => {
    const changed = CONFIG.replace('urlPath: /open', 'urlPath: /open2');
    const r = await env.cli(['enmasse', 'import', 'ENV', file('changed.yaml', changed)], { env: secrets });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/changed\.yaml:\d+: .*`open` already exists and differs in urlPath \(use --replace/);
    const ok = await env.cli(['enmasse', 'import', 'ENV', file('changed.yaml', changed), '--replace'], {
      env: secrets,
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/~ channels\.http open \(urlPath\)/);
    await eventually(async () => (await env.fetch('/open2')).status === 200, 5000, 'replaced path');
  });

  it('names the line and object of every error and applies nothing', async () => {
    const bad = `channels:
  http:
    - name: good-one
      urlPath: /good-one
      service: test.echo
    - name: bad-one
      urlPath: no-slash
      service: test.echo
      colour: blue
  smtp:
    - name: x
`;
    const r = await env.cli(['enmasse', 'import', 'ENV', file('bad.yaml', bad)]);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/bad\.yaml:10: unknown object kind `channels\.smtp`/);
    const noKind = bad.replace(/ {2}smtp:\n.*\n$/, '');
    const r2 = await env.cli(['enmasse', 'import', 'ENV', file('bad2.yaml', noKind)]);
    expect(r2.code).toBe(8);
    // Reading the file refuses unknown fields first (with their lines), then the server checks values.
    expect(r2.stderr).toMatch(/bad2\.yaml:9: HTTP channel `bad-one`: unknown field `colour`/);
    const noColour = noKind.replace('      colour: blue\n', '');
    const r3 = await env.cli(['enmasse', 'import', 'ENV', file('bad3.yaml', noColour)]);
    expect(r3.code).toBe(8);
    expect(r3.stderr).toMatch(/bad3\.yaml:6: .*bad-one.*urlPath: must start with \//);
    expect((await env.fetch('/good-one')).status).toBe(404);
    const yamlErr = await env.cli([
      'enmasse',
      'import',
      'ENV',
      file('broken.yaml', 'channels:\n  http:\n    - name: [unclosed\n'),
    ]);
    expect(yamlErr.code).toBe(8);
    expect(yamlErr.stderr).toMatch(/broken\.yaml:\d+: /);
    const missingVar = await env.cli([
      'enmasse',
      'import',
      'ENV',
      file('var.yaml', 'channels:\n  http:\n    - { name: v, urlPath: "/${NO_SUCH_VAR}", service: test.echo }\n'),
    ]);
    expect(missingVar.code).toBe(8);
    expect(missingVar.stderr).toMatch(/var\.yaml:3: .*environment variable NO_SUCH_VAR is not set/);
  });

  it('refuses to delete a security definition a channel uses (409)', async () => {
    const r = await env.cli(['security', 'basic-auth', 'delete', 'ENV', 'crm-basic']);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/is used by HTTP channel `basic`/);
  });
});
