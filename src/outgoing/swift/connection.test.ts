/**
 * Pool semantics of a Swift connection, in process: borrowing, waiting, the borrow timeout, returning on
 * every path, and live settings changes. No request reaches a Swift here (integration tests do that).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestContext } from '../../../test/support/connectors/context.js';
import { WharfError } from '../../errors.js';
import { SwiftClient } from '../../connectors/swift/client.js';
import type { SwiftConnection } from './connection.js';
import { SwiftConnector } from './connector.js';
import { swiftConnectionKind, type SwiftConnectionConfig } from './kind.js';

function config(overrides: Record<string, unknown> = {}): SwiftConnectionConfig {
  return swiftConnectionKind.schema.parse({
    name: 'Invoice Dispatcher',
    authUrl: 'http://127.0.0.1:9/auth/v1.0',
    user: 'test:tester',
    key: 'testing',
    poolSize: 2,
    borrowTimeoutMs: 200,
    ...overrides,
  });
}

const connectors: SwiftConnector[] = [];
function connect(overrides: Record<string, unknown> = {}): { connector: SwiftConnector; conn: SwiftConnection } {
  const connector = new SwiftConnector(config(overrides), createTestContext());
  connectors.push(connector);
  return { connector, conn: connector.handle() };
}

async function rejection(p: Promise<unknown>): Promise<WharfError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WharfError);
    return e as WharfError;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(connectors.splice(0).map((c) => c.stop()));
});

describe('SwiftConnection pool', () => {
  it('lends poolSize clients, then fails after borrowTimeoutMs naming the connection', async () => {
    const { conn } = connect();
    const a = await conn.client();
    const b = await conn.client();
    expect(conn.stats()).toMatchObject({ size: 2, inUse: 2, idle: 0 });
    const t0 = Date.now();
    const err = await rejection(conn.client());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(err.code).toBe('WHARF_ERR_NO_FREE_CONNECTION');
    expect(err.status).toBe(503);
    expect(err.message).toBe('No free connection to `Invoice Dispatcher` within 200 ms');
    a.release();
    b.release();
    expect(conn.stats()).toMatchObject({ inUse: 0, idle: 2, waiting: 0 });
  });

  it('borrowTimeoutMs 0 fails at once when the pool is empty', async () => {
    const { conn } = connect({ poolSize: 1, borrowTimeoutMs: 0 });
    const a = await conn.client();
    const err = await rejection(conn.client());
    expect(err.message).toBe('No free connection to `Invoice Dispatcher` within 0 ms');
    a.release();
  });

  it('hands a returned client to the longest waiting borrower (FIFO)', async () => {
    const { conn } = connect({ poolSize: 1, borrowTimeoutMs: 2000 });
    const first = await conn.client();
    const order: string[] = [];
    const w1 = conn.client().then((c) => (order.push('w1'), c));
    const w2 = conn.client().then((c) => (order.push('w2'), c));
    expect(conn.stats().waiting).toBe(2);
    first.release();
    const c1 = await w1;
    c1.release();
    const c2 = await w2;
    expect(order).toEqual(['w1', 'w2']);
    c2.release();
    expect(conn.stats()).toMatchObject({ inUse: 0, waiting: 0 });
  });

  it('withClient returns the client when the callback throws, and passes its result otherwise', async () => {
    const { conn } = connect();
    await expect(
      conn.withClient(async () => {
        throw new Error('service failed');
      }),
    ).rejects.toThrow('service failed');
    expect(conn.stats().inUse).toBe(0);
    expect(await conn.withClient((c) => c.connectionName)).toBe('Invoice Dispatcher');
    expect(conn.stats().inUse).toBe(0);
  });

  it('await using returns the client at the end of the block, also on a throw', async () => {
    const { conn } = connect();
    const body = async (fail: boolean): Promise<void> => {
      await using client = await conn.client();
      expect(client.borrowed).toBe(true);
      expect(conn.stats().inUse).toBe(1);
      if (fail) throw new Error('boom');
    };
    await body(false);
    expect(conn.stats().inUse).toBe(0);
    await expect(body(true)).rejects.toThrow('boom');
    expect(conn.stats().inUse).toBe(0);
  });

  it('a returned client refuses to be used; release is idempotent', async () => {
    const { conn } = connect();
    const c = await conn.client();
    c.release();
    c.release();
    expect(conn.stats()).toMatchObject({ inUse: 0, idle: 2 });
    expect(() => c.headAccount()).toThrow(/used after it was returned to the pool/);
  });

  it('new settings: new borrows get new clients, borrowed ones finish on the old pool, which then closes', async () => {
    const closes = vi.spyOn(SwiftClient.prototype, 'close');
    const { connector, conn } = connect({ poolSize: 2 });
    const old = await conn.client();
    await connector.reconfigure(config({ poolSize: 3, key: 'testing2', user: 'test:tester2' }));
    expect(conn.stats()).toMatchObject({ size: 3, inUse: 0, inUseOnRetiredPools: 1 });
    const fresh = await conn.client();
    expect(old.borrowed && fresh.borrowed).toBe(true);
    expect(closes).not.toHaveBeenCalled(); // the old pool waits for its borrowed client
    old.release();
    await vi.waitFor(() => expect(closes).toHaveBeenCalledTimes(2));
    expect(conn.stats()).toMatchObject({ size: 3, inUse: 1, inUseOnRetiredPools: 0 });
    fresh.release();
  });

  it('waiters move to the new pool on a settings change', async () => {
    const { connector, conn } = connect({ poolSize: 1, borrowTimeoutMs: 5000 });
    const held = await conn.client();
    const waiting = conn.client();
    await connector.reconfigure(config({ poolSize: 1, borrowTimeoutMs: 5000, key: 'other' }));
    const got = await waiting;
    expect(conn.stats()).toMatchObject({ inUse: 1, inUseOnRetiredPools: 1, waiting: 0 });
    held.release();
    got.release();
  });

  it('settings that do not touch the clients keep the pool', async () => {
    const closes = vi.spyOn(SwiftClient.prototype, 'close');
    const { connector, conn } = connect();
    const c = await conn.client();
    await connector.reconfigure(config({ borrowTimeoutMs: 900, createMissingContainers: true }));
    expect(conn.stats()).toMatchObject({ inUse: 1, inUseOnRetiredPools: 0 });
    c.release();
    expect(closes).not.toHaveBeenCalled();
  });

  it('stop rejects waiters and new borrows, and closes every client', async () => {
    const closes = vi.spyOn(SwiftClient.prototype, 'close');
    const { connector, conn } = connect({ poolSize: 1, borrowTimeoutMs: 5000 });
    const held = await conn.client();
    const waiting = conn.client();
    const stopping = connector.stop();
    const err = await rejection(waiting);
    expect(err.code).toBe('WHARF_ERR_CONNECTION_INACTIVE');
    held.release();
    await stopping;
    expect(closes).toHaveBeenCalledTimes(1);
    expect(connector.health().status).toBe('stopped');
    expect((await rejection(conn.client())).message).toBe('Connection `Invoice Dispatcher` is not active');
  });
});

describe('cloud.openstackSwift kind', () => {
  it('applies the defaults', () => {
    expect(config({ poolSize: undefined, borrowTimeoutMs: undefined })).toMatchObject({
      authVersion: 1,
      poolSize: 5,
      retries: 5,
      startingBackoffMs: 1000,
      maxBackoffMs: 64000,
      timeoutMs: 30000,
      borrowTimeoutMs: 5000,
      validateCert: true,
      createMissingContainers: false,
    });
  });

  it('refuses bad fields with messages naming them', () => {
    const problems = (input: Record<string, unknown>): string => {
      const r = swiftConnectionKind.schema.safeParse({
        name: 'x',
        authUrl: 'http://h/auth/v1.0',
        user: 'a:b',
        key: 'k',
        ...input,
      });
      return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(problems({ authUrl: 'ftp://h' })).toMatch(/authUrl: must be an http/);
    expect(problems({ authVersion: 4 })).toMatch(/authVersion: must be 1, 2 or 3/);
    expect(problems({ poolSize: 0 })).toMatch(/poolSize: must be at least 1/);
    expect(problems({ key: '' })).toMatch(/key: must not be empty/);
    expect(problems({ customOptions: 'x-a=1\nbroken' })).toMatch(/customOptions: .*Line 2: expected key=value/);
    expect(problems({ ca: 'not a pem' })).toMatch(/ca: must be PEM/);
    expect(problems({ poolsize: 3 })).toMatch(/poolsize: unknown field|Unrecognized key/);
  });

  it('check: Keystone needs a project; backoff cap >= start', () => {
    const c = config({ authVersion: 3, startingBackoffMs: 5000, maxBackoffMs: 1000 });
    expect(swiftConnectionKind.check?.(c, { list: () => [] })).toEqual([
      'project: required for Keystone (authVersion 2 or 3)',
      'maxBackoffMs: must be >= startingBackoffMs',
    ]);
  });

  it('customOptions as key=value lines become headers', async () => {
    const { clientOptionsOf } = await import('./kind.js');
    expect(clientOptionsOf(config({ customOptions: 'X-Trans-Id-Extra = wharf\n# comment\n' })).customHeaders).toEqual({
      'X-Trans-Id-Extra': 'wharf',
    });
    expect(clientOptionsOf(config({ customOptions: { 'X-A': '1' } })).customHeaders).toEqual({ 'X-A': '1' });
  });
});
