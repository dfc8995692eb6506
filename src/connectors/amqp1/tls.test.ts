/** TLS and SASL EXTERNAL against an in-process rhea TLS server with throw-away certificates (openssl). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import rhea, { type EventContext } from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../../test/support/connectors/context.js';
import { Amqp1Connection } from './connection.js';
import { amqp1DefinitionKind } from './definition.js';

let dir = '';
const pem: Record<string, string> = {};
let server: Server;
let port = 0;
const mechanisms: string[] = [];

function ssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-amqp1-tls-'));
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Wharf test CA',
  );
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${who}.key`,
      '-out',
      `${who}.csr`,
      '-subj',
      `/CN=${who === 'server' ? 'localhost' : 'wharf-client'}`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${who}.crt`,
      '-days',
      '2',
      ...(who === 'server' ? ['-extfile', 'server.ext'] : []),
    );
  }
  for (const f of ['ca.crt', 'server.key', 'server.crt', 'client.key', 'client.crt'])
    pem[f] = readFileSync(join(dir, f), 'utf8');

  const container = rhea.create_container({ id: 'fake-tls-broker' });
  container.sasl_server_mechanisms.enable_plain((u: string, p: string) => u === 'guest' && p === 'guest');
  container.on('connection_open', (c: EventContext) => {
    // rhea's server keeps the chosen mechanism object: PlainServer, ExternalServer, ...
    const sasl = (c.connection as unknown as { sasl_transport?: { mechanism?: object } }).sasl_transport;
    mechanisms.push((sasl?.mechanism?.constructor.name ?? 'none').replace(/Server$/, '').toUpperCase());
  });
  container.on('error', () => undefined);
  container.on('disconnected', () => undefined);
  server = container.listen({
    port: 0,
    host: '127.0.0.1',
    transport: 'tls',
    key: pem['server.key'],
    cert: pem['server.crt'],
    ca: pem['ca.crt'],
    requestCert: true,
    rejectUnauthorized: false,
    enable_sasl_external: true,
  } as unknown as rhea.ServerConnectionOptions) as unknown as Server;
  await new Promise<void>((r) => server.once('listening', () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function tryConnect(fields: Record<string, unknown>): Promise<Amqp1Connection> {
  const def = amqp1DefinitionKind.schema.parse({
    name: 'tls',
    host: 'localhost',
    port,
    tls: true,
    idleTimeoutMs: 0,
    ...fields,
  });
  const conn = new Amqp1Connection({
    label: 'tls-test',
    definition: def,
    logger: createTestContext().logger,
    reconnectDelayMs: 50,
  });
  conn.open();
  await conn.waitFirst(5_000);
  return conn;
}

describe('TLS', () => {
  it('connects with the broker CA given in `ca` (host name verified) and SASL PLAIN', async () => {
    const conn = await tryConnect({ username: 'guest', password: 'guest', ca: pem['ca.crt'] });
    expect(conn.state).toBe('up');
    await conn.close();
    expect(mechanisms.at(-1)).toBe('PLAIN');
  });

  it('refuses a server certificate it cannot verify, saying why', async () => {
    const conn = await tryConnect({ username: 'guest', password: 'guest' });
    expect(conn.state).toBe('down');
    expect(conn.lastError).toMatch(/self[- ]signed|unable to (get|verify)/i);
    await conn.close();
  });

  it('authenticates with the client certificate under SASL EXTERNAL', async () => {
    const conn = await tryConnect({
      saslMechanism: 'EXTERNAL',
      ca: pem['ca.crt'],
      cert: pem['client.crt'],
      key: pem['client.key'],
    });
    expect(conn.state).toBe('up');
    await conn.close();
    expect(mechanisms.at(-1)).toBe('EXTERNAL');
  });
});
