/** Amqp1Connection against an in-process rhea server (a fake broker): reconnects, attach failures, clean close. */
import type { AddressInfo, Server } from 'node:net';
import rhea, { type EventContext } from 'rhea';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../../../test/support/connectors/context.js';
import { Amqp1Connection } from './connection.js';
import { amqp1DefinitionKind } from './definition.js';

interface FakeBroker {
  port: number;
  server: Server;
  opened: number;
  connections: rhea.Connection[];
  refuse: Set<string>;
}

async function fakeBroker(): Promise<FakeBroker> {
  const container = rhea.create_container({ id: 'fake-broker' });
  container.sasl_server_mechanisms.enable_plain((user: string, pass: string) => user === 'guest' && pass === 'guest');
  const fb: FakeBroker = {
    port: 0,
    server: undefined as unknown as Server,
    opened: 0,
    connections: [],
    refuse: new Set(),
  };
  container.on('connection_open', (c: EventContext) => {
    fb.opened++;
    fb.connections.push(c.connection);
  });
  // A client receiver is a sender here: refuse it like RabbitMQ does (the session ends with not-found).
  container.on('sender_open', (c: EventContext) => {
    const addr = (c.sender?.source as { address?: string } | undefined)?.address ?? '';
    if (!fb.refuse.has(addr)) return;
    // Like RabbitMQ: no attach reply, the whole session ends with the error.
    (c.sender as unknown as { state: { open_requests: number } }).state.open_requests = 0;
    c.session?.close({ condition: 'amqp:not-found', description: `no queue '${addr}'` });
  });
  container.on('error', () => undefined);
  container.on('disconnected', () => undefined);
  fb.server = container.listen({ port: 0, host: '127.0.0.1' }) as unknown as Server;
  await new Promise<void>((r) => fb.server.once('listening', () => r()));
  fb.port = (fb.server.address() as AddressInfo).port;
  return fb;
}

const toClose: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of toClose.splice(0)) await c();
});

function definition(port: number, password = 'guest') {
  return amqp1DefinitionKind.schema.parse({
    name: 'fake',
    host: '127.0.0.1',
    port,
    username: 'guest',
    password,
    idleTimeoutMs: 0,
  });
}

function connection(port: number, events: string[], password?: string): Amqp1Connection {
  const ctx = createTestContext();
  const conn = new Amqp1Connection({
    label: 'test',
    definition: definition(port, password),
    logger: ctx.logger,
    reconnectDelayMs: 20,
    maxReconnectDelayMs: 100,
    onUp: (g) => events.push(`up ${g}`),
    onDown: () => events.push('down'),
  });
  toClose.push(() => conn.close());
  return conn;
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Amqp1Connection', () => {
  it('connects, and after the broker drops it reconnects with a new generation', async () => {
    const fb = await fakeBroker();
    toClose.push(async () => void fb.server.close());
    const events: string[] = [];
    const conn = connection(fb.port, events);
    conn.open();
    await conn.waitFirst(5_000);
    expect(conn.state).toBe('up');
    expect(conn.generation).toBe(1);
    fb.connections[0]?.close({ condition: 'amqp:connection:forced', description: 'broker shutting down' });
    await until(() => conn.generation === 2);
    expect(events).toEqual(['up 1', 'down', 'up 2']);
    expect(fb.opened).toBe(2);
  });

  it('rejects a refused attach with the AMQP condition, and the connection stays up', async () => {
    const fb = await fakeBroker();
    toClose.push(async () => void fb.server.close());
    fb.refuse.add('/amq/queue/missing');
    const conn = connection(fb.port, []);
    conn.open();
    await conn.waitFirst(5_000);
    const err = await conn
      .attachReceiver({ source: { address: '/amq/queue/missing' }, credit_window: 0, autoaccept: false })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 'WHARF_ERR_UPSTREAM', details: { condition: 'amqp:not-found' } });
    expect(String((err as Error).message)).toMatch(
      /cannot attach a receiver to `\/amq\/queue\/missing`: amqp:not-found: no queue/,
    );
    const ok = await conn.attachReceiver({
      source: { address: '/amq/queue/there' },
      credit_window: 0,
      autoaccept: false,
    });
    expect(ok.generation).toBe(1);
    expect(conn.state).toBe('up');
  });

  it('keeps retrying while nothing listens, reports why, and close() leaves no timers behind', async () => {
    const fb = await fakeBroker();
    const port = fb.port;
    await new Promise<void>((r) => fb.server.close(() => r()));
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const conn = connection(port, []);
    conn.open();
    await conn.waitFirst(5_000);
    expect(conn.state).toBe('down');
    expect(conn.lastError).toMatch(/ECONNREFUSED/);
    await new Promise((r) => setTimeout(r, 150));
    await conn.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(before);
    expect(conn.state).toBe('closed');
    await expect(conn.attachSender({ target: { address: 'q' } })).rejects.toThrow(/not connected/);
  });

  it('reports refused credentials as the reason', async () => {
    const fb = await fakeBroker();
    toClose.push(async () => void fb.server.close());
    const conn = connection(fb.port, [], 'wrong');
    conn.open();
    await conn.waitFirst(5_000);
    expect(conn.state).not.toBe('up');
    expect(conn.lastError).toMatch(/authenticat|unauthorized/i);
  });
});
