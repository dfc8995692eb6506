/**
 * Swift answers an object PUT with 202 Accepted (and no ETag) when it already holds a newer write of the
 * same object — concurrent PUTs of one name, as the seed example does under load. That is a success.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SwiftClient } from '../../connectors/swift/client.js';

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/auth/v1.0') {
      res.writeHead(200, { 'X-Auth-Token': 'AUTH_tk1', 'X-Storage-Url': `${base}/v1/AUTH_test` }).end();
      return;
    }
    req.resume();
    req.on('end', () => res.writeHead(202, { 'Content-Type': 'text/html' }).end('<html><h1>Accepted</h1></html>'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

it('a 202 to an object PUT is a success without an ETag check', async () => {
  const client = new SwiftClient({
    connectionName: 'X',
    authUrl: `${base}/auth/v1.0`,
    user: 'test:tester',
    key: 'k',
    retries: 0,
  });
  try {
    const result = await client.putObject('CRM', 'Invoice', '{"id":"123"}');
    expect(result.etag).toBe('');
  } finally {
    await client.close();
  }
});
