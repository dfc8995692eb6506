/**
 * The seed's walkthrough through the web admin's forms alone, in a real Chromium: create the Swift
 * connection "Invoice Dispatcher" against the local Swift (scripts/swift-aio.sh), upload
 * examples/invoice-dispatcher.ts on the services page, create the JSON channel /invoice.dispatcher —
 * then the seed's curl stores the invoice in Swift, checked with a Swift client (which also shows that
 * saving the connection's form with its secret left "unchanged" kept the key).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwiftClient } from '../../src/connectors/swift/client.js';
import { ROOT } from '../helpers/env.js';
import { createObject, editObject, field, loginOk, uploadServices } from '../helpers/web-admin-flows.js';
import { useWebAdmin } from '../helpers/web-admin-fixture.js';

const AUTH_URL = process.env['SWIFT_AUTH_URL'] ?? 'http://127.0.0.1:8080/auth/v1.0';
const run = Date.now().toString(36);
const CRM = `CRM-${run}`;
const BILLING = `Billing-${run}`;

const fx = useWebAdmin('seed');
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
});

afterAll(async () => {
  for (const c of [CRM, BILLING]) {
    await swift.deleteObject(c, 'Invoice').catch(() => undefined);
    await swift.deleteContainer(c).catch(() => undefined);
  }
  await swift.close();
});

describe('the seed walkthrough through the web admin', () => {
  it('Swift connection, service upload and JSON channel from the forms; curl stores the invoice in Swift', async () => {
    const { page, shot, pageErrors } = await fx.page();
    await loginOk(page, 'admin', fx.env.adminPassword);

    // 1. the connection to OpenStack Swift
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'OpenStack Swift connection', exact: true })
      .click();
    await page.getByRole('heading', { name: 'OpenStack Swift connection', exact: true }).waitFor();
    await createObject(page, 'cloud.openstackSwift', {
      name: 'Invoice Dispatcher',
      authUrl: AUTH_URL,
      authVersion: 1,
      user: 'test:tester',
      key: 'testing',
      createMissingContainers: true,
    });
    await shot('swift-connection-created');
    // the secret is write-only: a password field showing "unchanged"; saving other fields keeps it
    await expect(field(page, 'key').getAttribute('type')).resolves.toBe('password');
    await expect(field(page, 'key').inputValue()).resolves.toBe('');
    await expect(field(page, 'key').getAttribute('placeholder')).resolves.toBe('unchanged');
    const edited = await editObject(page, 'cloud.openstackSwift', 'Invoice Dispatcher', { retries: 2 });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const conn = await fx.env.admin<{ data: Record<string, unknown> }>(
      'GET',
      '/wharf/admin/config/cloud.openstackSwift/Invoice%20Dispatcher',
    );
    expect(conn.status).toBe(200);
    expect(conn.body.data).toMatchObject({
      authUrl: AUTH_URL,
      user: 'test:tester',
      key: '******',
      createMissingContainers: true,
      retries: 2,
    });

    // 2. the service, uploaded on the services page
    await uploadServices(page, [join(ROOT, 'examples/invoice-dispatcher.ts')], ['invoice.dispatcher']);
    await shot('services');

    // 3. the JSON channel, its service picked from the deployed ones
    await createObject(page, 'channels.http', {
      name: 'invoice-dispatcher',
      urlPath: '/invoice.dispatcher',
      service: 'invoice.dispatcher',
      dataFormat: 'json',
    });
    await shot('channel-created');

    // 4. the seed's curl
    const url = `${fx.env.base}/invoice.dispatcher?target=${CRM}&target=${BILLING}`;
    const { stdout } = await promisify(execFile)('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      url,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"id":"123"}',
    ]);
    expect(stdout).toBe('200');
    for (const c of [CRM, BILLING]) {
      const o = await swift.getObject(c, 'Invoice');
      expect(o.body.toString('utf8')).toBe('{"id":"123"}');
    }
    expect(pageErrors).toEqual([]);
  });
});
