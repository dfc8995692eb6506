/**
 * The seed example exactly as a user runs it: quickstart, start, hot deploy of
 * examples/invoice-dispatcher.ts through the pickup directory, enmasse import of the Swift connection
 * and the channel, curl-like request → an object `Invoice` holding the body in containers CRM and
 * Billing of a real Swift. Then the provider is switched live (other credentials), and a wrong key
 * gives a clear 502-class error naming the connection.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwiftClient } from '../../src/connectors/swift/client.js';
import { createEnv, eventually, ROOT, type TestEnv } from '../helpers/env.js';

process.env['SWIFT_KEY'] ??= 'testing';
const AUTH_URL = process.env['SWIFT_AUTH_URL'] ?? 'http://127.0.0.1:8080/auth/v1.0';
const run = Date.now().toString(36);
const CRM = `CRM-${run}`;
const BILLING = `Billing-${run}`;

describe('the seed: invoice.dispatcher stores each invoice in one Swift container per target', () => {
  let env: TestEnv;
  const swift = new SwiftClient({
    connectionName: 'test',
    authUrl: AUTH_URL,
    user: 'test:tester',
    key: 'testing',
    retries: 1,
    startingBackoffMs: 100,
  });

  beforeAll(async () => {
    await swift.headAccount(); // fails (never skips) when Swift is not running: bash scripts/swift-aio.sh up
    env = await createEnv({ workers: 2 });
    env.pickup('invoice-dispatcher.ts', readFileSync(join(ROOT, 'examples/invoice-dispatcher.ts'), 'utf8'));
    await eventually(
      async () => (await env.ok(['service', 'list', 'ENV'])).includes('invoice.dispatcher'),
      20_000,
      'hot deploy',
    );
    await env.importYaml(
      [
        'cloud:',
        '  openstackSwift:',
        '    - name: Invoice Dispatcher',
        `      authUrl: ${AUTH_URL}`,
        '      authVersion: 1',
        '      user: test:tester',
        '      key: ${SWIFT_KEY}',
        '      poolSize: 5',
        '      createMissingContainers: true',
        'channels:',
        '  http:',
        '    - name: invoice-dispatcher',
        '      urlPath: /invoice.dispatcher',
        '      service: invoice.dispatcher',
        '      dataFormat: json',
        '',
      ].join('\n'),
    );
  }, 120_000);

  afterAll(async () => {
    await env?.destroy();
    for (const c of [CRM, BILLING]) {
      await swift.deleteObject(c, 'Invoice').catch(() => undefined);
      await swift.deleteContainer(c).catch(() => undefined);
    }
    await swift.close();
  });

  it('curl "…/invoice.dispatcher?target=CRM&target=Billing" -H \'Content-Type: application/json\' -d \'{"id":"123"}\' → Invoice in both containers', async () => {
    const r = await env.fetch(`/invoice.dispatcher?target=${CRM}&target=${BILLING}`, {
      method: 'POST',
      body: '{"id":"123"}',
      headers: { 'content-type': 'application/json' }, // as the README's curl sends it
    });
    expect(r.status, await r.clone().text()).toBe(200);
    for (const c of [CRM, BILLING]) {
      const o = await swift.getObject(c, 'Invoice');
      expect(o.body.toString('utf8')).toBe('{"id":"123"}');
    }
  });

  it('switches the provider live (new credentials) with no restart and no failed request', async () => {
    const load = (async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push(
          (
            await env.fetch(`/invoice.dispatcher?target=${CRM}`, {
              method: 'POST',
              body: `{"n":${i}}`,
              headers: { 'content-type': 'application/json' },
            })
          ).status,
        );
      return statuses;
    })();
    await env.ok([
      'cloud',
      'swift',
      'edit',
      'ENV',
      'Invoice Dispatcher',
      '--user',
      'test:tester2',
      '--key',
      'testing2',
    ]);
    expect((await load).every((s) => s === 200)).toBe(true);
    const r = await env.fetch(`/invoice.dispatcher?target=${BILLING}`, {
      method: 'POST',
      body: '{"id":"456"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(200);
    expect((await swift.getObject(BILLING, 'Invoice')).body.toString()).toBe('{"id":"456"}');
  });

  it('a wrong key → a clear 502-class error naming the connection, no hang', async () => {
    await env.ok(['cloud', 'swift', 'edit', 'ENV', 'Invoice Dispatcher', '--key', 'wrong-key', '--retries', '0']);
    const t0 = Date.now();
    const r = await env.fetch(`/invoice.dispatcher?target=${CRM}`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(502);
    const body = (await r.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/Swift connection `Invoice Dispatcher`.*authentication failed/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await env.ok(['cloud', 'swift', 'edit', 'ENV', 'Invoice Dispatcher', '--key', 'testing2']);
  });

  it('an invalid target list is a 400 naming the element, before Swift is touched', async () => {
    const r = await env.fetch('/invoice.dispatcher', {
      method: 'POST',
      body: '{"id":"1"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toBe(
      'Missing required element `target`',
    );
  });
});
