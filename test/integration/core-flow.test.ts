/**
 * The README flow end to end on real server processes: quickstart → start → hot deploy → channel by
 * enmasse and by CLI → requests → live edits → restart → stop.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, ROOT, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');

describe('core flow on the embedded default', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 2 });
  });
  afterAll(async () => {
    await env?.destroy();
  });

  it('answers /wharf/ping without credentials and refuses the admin API without them', async () => {
    const ping = await env.fetch('/wharf/ping');
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({ status: 'ok', server: 'server1' });
    const anon = await env.fetch('/wharf/admin/version');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/Basic/);
    const wrong = await env.fetch('/wharf/admin/version', {
      headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('hot-deploys from the pickup directory and serves through a channel imported by enmasse', async () => {
    env.pickup('echo.ts', ECHO);
    await eventually(
      async () => (await env.ok(['service', 'list', 'ENV'])).includes('test.echo'),
      15_000,
      'pickup deploy',
    );
    const list = await env.ok(['service', 'list', 'ENV']);
    expect(list).toMatch(/test\.echo\s+echo\.ts\s+[0-9a-f]{12}\s+deployed/);
    await env.importYaml(
      `channels:\n  http:\n    - name: echo\n      urlPath: /echo\n      service: test.echo\n      dataFormat: json\n`,
    );
    const r = await env.fetch('/echo?target=CRM&target=Billing', {
      method: 'POST',
      body: '{"id":"123"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { input: { target: string[]; id: number }; raw: string; channel: string };
    expect(body.input.target).toEqual(['CRM', 'Billing']);
    expect(body.input.id).toBe(123);
    expect(body.raw).toBe('{"id":"123"}');
    expect(body.channel).toBe('echo');
    expect(r.headers.get('x-wharf-cid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('parses every SimpleIO type, nested objects and lists of objects from JSON', async () => {
    const r = await env.fetch('/echo', {
      method: 'POST',
      body: JSON.stringify({
        price: '12.30',
        active: 'true',
        when: '2026-01-02T03:04:05+02:00',
        ref: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
        customer: { name: 'Ann', address: { city: 'Oslo' } },
        items: [{ sku: 'x', qty: '2' }],
      }),
      headers: { 'content-type': 'application/json' },
    });
    const body = (await r.json()) as { input: Record<string, unknown> };
    expect(body.input).toMatchObject({
      price: '12.30',
      active: true,
      when: '2026-01-02T01:04:05.000Z',
      ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      customer: { name: 'Ann', address: { city: 'Oslo' } },
      items: [{ sku: 'x', qty: 2 }],
      target: [],
    });
  });

  it('creates, edits, deactivates and deletes a channel live through the CLI', async () => {
    await env.ok([
      'channel',
      'create',
      'ENV',
      '--name',
      'cust',
      '--url-path',
      '/customer/{id}',
      '--service',
      'test.echo',
      '--method',
      'GET',
    ]);
    const r1 = await env.fetch('/customer/42');
    expect(((await r1.json()) as { input: { id: number } }).input.id).toBe(42);
    // query string wins over the path by default; flip it per channel, live
    expect(((await (await env.fetch('/customer/42?id=7')).json()) as { input: { id: number } }).input.id).toBe(7);
    await env.ok(['channel', 'edit', 'ENV', 'cust', '--params-priority', 'path']);
    await eventually(
      async () => ((await (await env.fetch('/customer/42?id=7')).json()) as { input: { id: number } }).input.id === 42,
      5000,
      'path priority',
    );
    const post = await env.fetch('/customer/42', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, OPTIONS');
    await env.ok(['channel', 'edit', 'ENV', 'cust', '--active', 'false']);
    await eventually(async () => (await env.fetch('/customer/42')).status === 404, 5000, 'inactive → 404');
    await env.ok(['channel', 'edit', 'ENV', 'cust', '--active', 'true']);
    await eventually(async () => (await env.fetch('/customer/42')).status === 200, 5000, 'reactivated');
    await env.ok(['channel', 'delete', 'ENV', 'cust']);
    await eventually(async () => (await env.fetch('/customer/42')).status === 404, 5000, 'deleted → 404');
  });

  it('refuses invalid config with 400 naming the field, writing nothing', async () => {
    const before = await env.admin<{ version: number }>('GET', '/wharf/admin/version');
    const bad = await env.cli([
      'channel',
      'create',
      'ENV',
      '--name',
      'bad',
      '--url-path',
      'no-slash',
      '--service',
      'x',
      '--data-format',
      'yaml',
    ]);
    expect(bad.code).toBe(8);
    expect(bad.stderr).toMatch(/--url-path: must start with \//);
    expect(bad.stderr).toMatch(/--data-format: /);
    const clash = await env.cli([
      'channel',
      'create',
      'ENV',
      '--name',
      'clash',
      '--url-path',
      '/echo',
      '--service',
      'test.echo',
    ]);
    expect(clash.code).toBe(8);
    expect(clash.stderr).toMatch(/already served by channel `echo`/);
    const missingRef = await env.admin<{ error: { message: string } }>('POST', '/wharf/admin/config/channels.http', {
      name: 'sec',
      urlPath: '/sec',
      service: 'test.echo',
      security: 'nope',
    });
    expect(missingRef.status).toBe(400);
    expect(missingRef.body.error.message).toMatch(/security: no .* named `nope`/);
    const after = await env.admin<{ version: number }>('GET', '/wharf/admin/version');
    expect(after.body.version).toBe(before.body.version);
  });

  it('runs REST verb handlers, hooks, typed service-to-service invoke and user config', async () => {
    await env.importYaml(
      [
        'config:',
        '  user:',
        '    - name: greeting',
        '      values: { text: hi }',
        'channels:',
        '  http:',
        '    - { name: rest, urlPath: /rest, service: test.rest }',
        '    - { name: hooks, urlPath: /hooks, service: test.hooks }',
        '    - { name: caller, urlPath: /caller, service: test.caller }',
        '',
      ].join('\n'),
    );
    expect(await (await env.fetch('/rest?id=5')).json()).toEqual({ verb: 'GET', id: 5 });
    const post = await env.fetch('/rest', { method: 'POST' });
    expect(post.status).toBe(201);
    const put = await env.fetch('/rest', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(await (await env.fetch('/hooks')).json()).toEqual({ steps: ['before', 'handle', 'after'] });
    const caller = await env.fetch('/caller?id=3&email=a@b.c');
    expect(await caller.json()).toEqual({ via: 'caller', out: { id: 3, email: 'a@b.c' }, cfg: { text: 'hi' } });
  });

  it('invokes a service from the CLI and lists it', async () => {
    const out = await env.ok(['service', 'invoke', 'ENV', 'test.required', '--input', '{"id":1,"email":"x@y.z"}']);
    expect(JSON.parse(out)).toEqual({ id: 1, email: 'x@y.z' });
    const bad = await env.cli(['service', 'invoke', 'ENV', 'test.required', '--input', '{}']);
    expect(bad.code).toBe(8);
    expect(bad.stderr).toMatch(/Missing required element `id`/);
  });

  it('reports info and passes check-config', async () => {
    const info = await env.ok(['info', 'ENV', '--json']);
    const [s] = JSON.parse(info) as Array<{
      state: string;
      workers: number;
      configVersion: number;
      modules: Record<string, string>;
    }>;
    expect(s!.state).toBe('running');
    expect(s!.workers).toBe(2);
    expect(s!.configVersion).toBeGreaterThan(0);
    expect(Object.keys(s!.modules)).toContain('echo.ts');
    expect(await env.ok(['check-config', 'ENV'])).toMatch(/config OK/);
  });

  it('keeps services and channels across a restart (they come back from the ODB)', async () => {
    await env.ok(['stop', 'ENV']);
    await expect(env.fetch('/echo')).rejects.toThrow();
    await env.ok(['start', 'ENV']);
    const r = await env.fetch('/echo?name=back');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { input: { name: string } }).input.name).toBe('back');
  });
});
