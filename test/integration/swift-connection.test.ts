/**
 * `cloud.openstackSwift` against a real Swift (`bash scripts/swift-aio.sh up`): conformance, the seed
 * example end to end through the service pipeline, the pool under load, a live credential switch, wrong
 * credentials, missing containers, re-authentication, and a Swift stopped and restarted (a private
 * instance on other ports, so tests using the shared Swift are not disturbed). Tests FAIL when Swift is
 * not reachable; they never skip. Settings: SWIFT_AUTH_URL, SWIFT_USER, SWIFT_KEY.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/kind.js';
import { ConnectorManager } from '../../src/connectors/manager.js';
import { declarationFor, registerConnector } from '../../src/connectors/registry.js';
import { runConformance } from '../support/connectors/conformance.js';
import { createTestContext } from '../support/connectors/context.js';
import { WharfError } from '../../src/errors.js';
import { SwiftClient, SwiftError } from '../../src/connectors/swift/client.js';
import { AUTH_URL, KEY, removeContainers, runName, swiftUnavailable, USER } from '../support/swift.js';
import {
  SwiftConnector,
  swiftConnectionConnector,
  swiftConnectionKind,
  type SwiftConnection,
  type SwiftConnectionConfig,
} from '../../src/outgoing/swift/index.js';
import { compileModule } from '../../src/service/deploy/compile.js';
import { loadModule } from '../../src/service/deploy/load.js';
import { Pipeline } from '../../src/service/pipeline.js';
import { makeEntry, ServiceRegistry } from '../../src/service/registry.js';
import type { CloudConnections, OutgoingConnections } from '../../src/service/registries.js';
import type { ServiceLogger } from '../../src/service/service.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A second user of the same account (scripts/swift-aio.sh creates it). */
const USER2 = process.env['SWIFT_USER2'] ?? 'test:tester2';
const KEY2 = process.env['SWIFT_KEY2'] ?? 'testing2';

const RUN = runName('wharf-conn');
const containers = new Set<string>();
const exec = promisify(execFile);

function cfg(overrides: Record<string, unknown> = {}): SwiftConnectionConfig {
  return swiftConnectionKind.schema.parse({
    name: 'Invoice Dispatcher',
    authUrl: AUTH_URL,
    user: USER,
    key: KEY,
    retries: 2,
    startingBackoffMs: 100,
    maxBackoffMs: 1000,
    timeoutMs: 10_000,
    ...overrides,
  });
}

/** A fresh container name of this run (removed with its objects in afterAll). */
function containerName(suffix: string): string {
  const name = `${RUN}-${suffix}`;
  containers.add(name);
  return name;
}

const started: SwiftConnector[] = [];
async function connect(
  overrides: Record<string, unknown> = {},
): Promise<{ connector: SwiftConnector; conn: SwiftConnection }> {
  const connector = new SwiftConnector(cfg(overrides), createTestContext());
  started.push(connector);
  await connector.start();
  return { connector, conn: connector.handle() };
}

async function failure<E extends Error = WharfError>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    return e as E;
  }
  throw new Error('expected a failure, but the call succeeded');
}

const until = (what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> =>
  waitFor(what, cond, ms);

/** Users seen in tempauth requests (no mocking: undici's diagnostics channel). */
const authUsers: string[] = [];
const onRequest = (msg: unknown): void => {
  const { request } = msg as { request: { path: string; headers: string[] | string } };
  if (!request.path.startsWith('/auth/')) return;
  const h = Array.isArray(request.headers) ? request.headers : [];
  const i = h.findIndex((x) => x.toLowerCase() === 'x-auth-user');
  if (i >= 0) authUsers.push(h[i + 1]!);
};

let admin: SwiftClient;
let unavailable: Error | undefined;

beforeAll(async () => {
  diagnostics.subscribe('undici:request:create', onRequest);
  admin = new SwiftClient({
    connectionName: 'test admin',
    authUrl: AUTH_URL,
    user: USER,
    key: KEY,
    retries: 1,
    startingBackoffMs: 100,
  });
  unavailable = await swiftUnavailable(admin);
});

beforeEach(() => {
  if (unavailable) throw unavailable;
});

afterAll(async () => {
  diagnostics.unsubscribe('undici:request:create', onRequest);
  await Promise.all(started.map((c) => c.stop()));
  if (!unavailable) await removeContainers(admin, containers);
  await admin.close();
});

// ---------------------------------------------------------------------------------------------------------

const conformanceContainer = containerName('conformance');
runConformance<SwiftConnectionConfig>({
  title: 'cloud.openstackSwift against a real Swift',
  kind: swiftConnectionConnector,
  config: () => cfg({ name: `Conformance ${randomUUID().slice(0, 8)}`, createMissingContainers: true }),
  // another user of the same account, and another pool size: a new pool, live
  reconfigure: (c) => ({ ...c, user: USER2, key: KEY2, poolSize: 2 }),
  async exercise(instance, config) {
    const conn = instance.handle!() as SwiftConnection;
    const name = `o-${randomUUID()}`;
    await conn.withClient(async (client) => {
      await client.putObject(conformanceContainer, name, `hello from ${config.user}`, {
        metadata: { by: config.user },
      });
      const got = await client.getObject(conformanceContainer, name);
      expect(got.body.toString()).toBe(`hello from ${config.user}`);
      expect(got.metadata['by']).toBe(config.user);
      await client.deleteObject(conformanceContainer, name);
    });
    expect(conn.stats().inUse).toBe(0);
  },
  invalid: [
    { input: { name: 'x', authUrl: 'ftp://h/auth', user: 'a:b', key: 'k' }, message: /authUrl: must be an http/ },
    {
      input: { name: 'x', authUrl: 'http://h/auth/v1.0', user: 'a:b', key: 'k', authVersion: 4 },
      message: /authVersion: must be 1, 2 or 3/,
    },
    {
      input: { name: 'x', authUrl: 'http://h/auth/v1.0', user: 'a:b', key: 'k', poolSize: 0 },
      message: /poolSize: must be at least 1/,
    },
    { input: { name: 'x', authUrl: 'http://h/auth/v1.0', user: 'a:b' }, message: /key/ },
    {
      input: { name: 'x', authUrl: 'http://h/auth/v1.0', user: 'a:b', key: 'k', customOptions: 'oops' },
      message: /customOptions: .*expected key=value/,
    },
    {
      input: { name: 'x', authUrl: 'http://h/auth/v1.0', user: 'a:b', key: 'k', borrowTimeoutMs: -1 },
      message: /borrowTimeoutMs/,
    },
  ],
});

// ---------------------------------------------------------------------------------------------------------

const silent: ServiceLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** The seed example deployed as a hot-deployed module is: compiled, loaded, run by the real pipeline. */
async function seedPipeline(
  connections: Record<string, SwiftConnectionConfig>,
): Promise<{ pipeline: Pipeline; manager: ConnectorManager }> {
  if (!declarationFor(swiftConnectionKind.id)) registerConnector(swiftConnectionConnector);
  const manager = new ConnectorManager({ workerId: 1, logger: silent, context: () => createTestContext() });
  for (const [name, c] of Object.entries(connections))
    await manager.apply(swiftConnectionKind.id, name, c as ConfigObject);
  const source = await readFile(join(ROOT, 'examples', 'invoice-dispatcher.ts'), 'utf8');
  const mod = await compileModule('invoice-dispatcher.ts', source, join(ROOT, 'examples'));
  const api = await import('../../src/index.js');
  const registry = new ServiceRegistry();
  registry.swapModule(
    mod.name,
    mod.hash,
    loadModule(mod, { api, resolveFrom: ROOT }).map((c) => makeEntry(c, mod.name, mod.hash)),
  );
  const acc = manager.accessors();
  const pipeline = new Pipeline(registry, {
    invoke: () => Promise.reject(new Error('not used')),
    invokeAsync: () => Promise.reject(new Error('not used')),
    lock: () => Promise.reject(new Error('not used')),
    outgoing: acc.outgoing as unknown as OutgoingConnections,
    cloud: acc.cloud as unknown as CloudConnections,
    config: {},
    logger: () => silent,
  });
  return { pipeline, manager };
}

function dispatch(pipeline: Pipeline, targets: string[], body: string, svc = 'invoice.dispatcher') {
  const raw = Buffer.from(body);
  return pipeline.run({
    service: svc,
    cid: randomUUID(),
    channel: { name: 'invoice.dispatcher', kind: 'http', dataFormat: 'json' },
    method: 'POST',
    raw,
    payload: JSON.parse(body) as unknown,
    body: JSON.parse(body) as unknown,
    headers: {},
    params: { path: {}, query: { target: targets } },
    signal: new AbortController().signal,
  });
}

describe('the seed example: invoice.dispatcher through the pipeline', () => {
  it('stores `Invoice` with the raw request in one container per target', async () => {
    const crm = containerName('CRM');
    const billing = containerName('Billing');
    await admin.putContainer(crm);
    await admin.putContainer(billing);
    const { pipeline, manager } = await seedPipeline({ 'Invoice Dispatcher': cfg() });
    try {
      const res = await dispatch(pipeline, [crm, billing], '{"id":"123"}');
      expect(res.statusCode).toBe(200);
      for (const c of [crm, billing])
        expect((await admin.getObject(c, 'Invoice')).body.toString()).toBe('{"id":"123"}');
      const conn = manager.accessors().cloud['swift']!('Invoice Dispatcher') as SwiftConnection;
      expect(conn.stats().inUse).toBe(0); // `await using` gave it back
    } finally {
      await manager.stopAll();
    }
  });

  it('creates missing containers when the connection says so; else a clear 404', async () => {
    const crm = containerName('CRM-new');
    const { pipeline, manager } = await seedPipeline({ 'Invoice Dispatcher': cfg() });
    try {
      const err = await failure<SwiftError>(dispatch(pipeline, [crm], '{"id":"1"}'));
      expect(err).toBeInstanceOf(SwiftError);
      expect(err.status).toBe(404);
      expect(err.message).toBe(
        `Swift connection \`Invoice Dispatcher\`: put_object ${crm}/Invoice failed: container \`${crm}\` does not exist (HTTP 404); ` +
          'create it, or set createMissingContainers on the connection',
      );
      await manager.apply(
        swiftConnectionKind.id,
        'Invoice Dispatcher',
        cfg({ createMissingContainers: true }) as ConfigObject,
      );
      await dispatch(pipeline, [crm], '{"id":"2"}');
      expect((await admin.getObject(crm, 'Invoice')).body.toString()).toBe('{"id":"2"}');
    } finally {
      await manager.stopAll();
    }
  });

  it('an unknown connection name is WHARF_ERR_NO_SUCH_CONNECTION', async () => {
    const { pipeline, manager } = await seedPipeline({ 'Another One': cfg({ name: 'Another One' }) });
    try {
      const err = await failure(dispatch(pipeline, [containerName('nowhere')], '{}'));
      expect(err).toBeInstanceOf(WharfError);
      expect(err.code).toBe('WHARF_ERR_NO_SUCH_CONNECTION');
      expect(err.message).toMatch(/^No OpenStack Swift connection named `Invoice Dispatcher`$/);
    } finally {
      await manager.stopAll();
    }
  });

  it('a wrong key: a 502 naming the connection and the user, without a hang', async () => {
    const { pipeline, manager } = await seedPipeline({ 'Invoice Dispatcher': cfg({ key: 'wrong' }) });
    try {
      const t0 = Date.now();
      const err = await failure<SwiftError>(dispatch(pipeline, [containerName('CRM-wrong')], '{}'));
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(err.code).toBe('WHARF_ERR_UPSTREAM');
      expect(err.status).toBe(502);
      expect(err.message).toMatch(
        /^Swift connection `Invoice Dispatcher`: authentication failed for user test:tester at .*: HTTP 401 Unauthorized/,
      );
      const conn = manager.accessors().cloud['swift']!('Invoice Dispatcher') as SwiftConnection;
      expect(conn.stats().inUse).toBe(0);
      const health = manager.status().find((s) => s.name === 'Invoice Dispatcher')!.health;
      expect(health.status).not.toBe('up');
      expect(health.detail).toMatch(/authentication failed/);
    } finally {
      await manager.stopAll();
    }
  });

  it('a service that throws after borrowing still returns the client', async () => {
    const { pipeline, manager } = await seedPipeline({
      'Invoice Dispatcher': cfg({ poolSize: 1, borrowTimeoutMs: 500 }),
    });
    try {
      // a missing container makes the first put throw inside the `await using` block
      const missing = containerName('missing');
      for (let i = 0; i < 3; i++)
        expect((await failure<SwiftError>(dispatch(pipeline, [missing], '{}'))).status).toBe(404);
      const conn = manager.accessors().cloud['swift']!('Invoice Dispatcher') as SwiftConnection;
      expect(conn.stats()).toMatchObject({ inUse: 0, idle: 1 });
    } finally {
      await manager.stopAll();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('pool against a real Swift', () => {
  it('exhaustion: waits borrowTimeoutMs, then `No free connection to ...`; a returned client serves a waiter', async () => {
    const { conn } = await connect({ poolSize: 2, borrowTimeoutMs: 400 });
    const container = containerName('pool');
    await admin.putContainer(container);
    const a = await conn.client();
    const b = await conn.client();
    await a.putObject(container, 'a', 'a');
    const t0 = Date.now();
    const err = await failure(conn.client());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(err.code).toBe('WHARF_ERR_NO_FREE_CONNECTION');
    expect(err.message).toBe('No free connection to `Invoice Dispatcher` within 400 ms');
    const waiting = conn.client();
    setTimeout(() => b.release(), 100);
    const c = await waiting;
    await c.putObject(container, 'c', 'c');
    c.release();
    a.release();
    expect(conn.stats()).toMatchObject({ inUse: 0, idle: 2, waiting: 0 });
  });

  it('withClient and await using return the client when the work throws', async () => {
    const { conn } = await connect({ poolSize: 1, borrowTimeoutMs: 200 });
    const missing = containerName('never-created');
    await expect(conn.withClient((c) => c.putObject(missing, 'x', 'x'))).rejects.toMatchObject({ status: 404 });
    expect(conn.stats().inUse).toBe(0);
    const usingBlock = async (): Promise<void> => {
      await using client = await conn.client();
      await client.putObject(missing, 'x', 'x');
    };
    await expect(usingBlock()).rejects.toMatchObject({ status: 404 });
    expect(conn.stats().inUse).toBe(0);
    await conn.withClient((c) => c.headAccount()); // the one client is free again
  });

  it('live credential switch while 8 workers put objects: zero failed operations', async () => {
    const container = containerName('switch');
    await admin.putContainer(container);
    const { connector, conn } = await connect({ poolSize: 5, borrowTimeoutMs: 10_000 });
    authUsers.length = 0;
    let ok = 0;
    const failures: unknown[] = [];
    let running = true;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; running; i++) {
        try {
          await using client = await conn.client();
          await client.putObject(container, `w${w}/o${i}`, `worker ${w} object ${i}`);
          ok++;
        } catch (e) {
          failures.push(e);
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    const users = [
      [USER2, KEY2],
      [USER, KEY],
    ] as const;
    for (let s = 0; s < 8; s++) {
      await new Promise((r) => setTimeout(r, 300));
      const [user, key] = users[s % 2]!;
      await connector.reconfigure(cfg({ poolSize: 5, borrowTimeoutMs: 10_000, user, key }));
    }
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(16); // Swift here manages a few dozen PUTs per second
    // both users logged in: the new pools really used the new credentials
    expect(new Set(authUsers)).toEqual(new Set([USER, USER2]));
    await until('the old pools to close', () => conn.stats().inUseOnRetiredPools === 0);
    expect(conn.stats()).toMatchObject({ inUse: 0, waiting: 0 });
    let stored = 0;
    for await (const o of admin.listObjects(container)) if ('name' in o) stored++;
    expect(stored).toBe(ok);
  });

  it('a wrong key: the connection reports it in health; fixing the key live recovers', async () => {
    const { connector, conn } = await connect({ key: 'wrong' });
    await until('health down', () => connector.health().status === 'down');
    expect(connector.health().detail).toMatch(
      /^Swift connection `Invoice Dispatcher`: authentication failed for user test:tester .*HTTP 401/,
    );
    const err = await failure<SwiftError>(conn.withClient((c) => c.headAccount()));
    expect(err).toBeInstanceOf(SwiftError);
    expect(err.operation).toBe('auth');
    await connector.reconfigure(cfg());
    await until('health up', () => connector.health().status === 'up');
    await conn.withClient((c) => c.headAccount());
  });

  it('createMissingContainers also works for a stream body', async () => {
    const { conn } = await connect({ createMissingContainers: true });
    const container = containerName('stream');
    await conn.withClient((c) =>
      c.putObject(container, 'streamed', Readable.from([Buffer.from('part1-'), Buffer.from('part2')])),
    );
    expect((await admin.getObject(container, 'streamed')).body.toString()).toBe('part1-part2');
  });

  it('a token Swift no longer knows: the next call logs in again transparently', async () => {
    const container = containerName('reauth');
    await admin.putContainer(container);
    const { conn } = await connect({ poolSize: 1 });
    await conn.withClient((c) => c.putObject(container, 'before', 'x'));
    authUsers.length = 0;
    await conn.withClient(async (c) => {
      c.invalidateTokenForTests();
      await c.putObject(container, 'after', 'y');
    });
    expect(authUsers).toEqual([USER]);
    expect((await admin.getObject(container, 'after')).body.toString()).toBe('y');
  });
});

// ---------------------------------------------------------------------------------------------------------
// A private Swift on other ports, stopped and restarted: the shared one on 8080 is not touched.

const PRIVATE = {
  WHARF_SWIFT_DIR: process.env['WHARF_SWIFT_RESTART_DIR'] ?? '/tmp/wharf-swift-restart-test',
  WHARF_SWIFT_PORT: '8091',
  WHARF_SWIFT_BACKEND_PORT: '6220',
  WHARF_SWIFT_MEMCACHE_PORT: '11231',
};
const PRIVATE_AUTH = `http://127.0.0.1:${PRIVATE.WHARF_SWIFT_PORT}/auth/v1.0`;

async function privateSwift(action: 'up' | 'down'): Promise<void> {
  await exec('bash', [join(ROOT, 'scripts', 'swift-aio.sh'), action], {
    env: { ...process.env, ...PRIVATE },
    timeout: 120_000,
  });
}

describe('Swift stopped and restarted (private instance)', () => {
  afterAll(async () => {
    await privateSwift('down');
  });

  it(
    'stopped: retries, then a clear error within the bound; restarted: re-auths transparently',
    { timeout: 180_000 },
    async () => {
      await privateSwift('up');
      const { conn } = await connect({
        authUrl: PRIVATE_AUTH,
        poolSize: 1,
        retries: 2,
        startingBackoffMs: 200,
        maxBackoffMs: 400,
        timeoutMs: 3000,
        createMissingContainers: true,
      });
      await conn.withClient((c) => c.putObject('restart', 'before', 'before'));

      await privateSwift('down');
      const t0 = Date.now();
      const err = await failure<SwiftError>(conn.withClient((c) => c.putObject('restart', 'while-down', 'x')));
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(err).toBeInstanceOf(SwiftError);
      expect(err.message).toMatch(
        /^Swift connection `Invoice Dispatcher`: put_object restart\/while-down failed: .*ECONNREFUSED.*\(after 3 attempts\)/,
      );
      expect(err.retryable).toBe(true);

      await privateSwift('up'); // memcached restarted too: every token is gone
      authUsers.length = 0;
      await conn.withClient((c) => c.putObject('restart', 'after', 'after'));
      expect(authUsers).toEqual([USER]);
      const got = await conn.withClient((c) => c.getObject('restart', 'after'));
      expect(got.body.toString()).toBe('after');
    },
  );
});
