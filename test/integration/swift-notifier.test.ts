/**
 * `notifications.openstackSwift` (cloud notifications) against a real Swift (`bash scripts/swift-aio.sh up`):
 * conformance, delivery with metadata and payload, name globs and prefixes, delete/move/keep after
 * success, failing services (nothing lost, backoff, error container), bad input, stop during a tick,
 * and a connection that is missing, wrong or fixed live. Tests FAIL when Swift is not reachable.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/kind.js';
import { runConformance } from '../support/connectors/conformance.js';
import {
  createTestContext,
  type TestContext,
  type TestInvocation,
  type TestService,
} from '../support/connectors/context.js';
import type { Connector } from '../../src/connectors/types.js';
import { BadRequest } from '../../src/errors.js';
import {
  swiftNotifierConnector,
  swiftNotifierKind,
  type SwiftNotification,
  type SwiftNotifierConfig,
} from '../../src/channels/swift-notifier/index.js';
import { SwiftClient, SwiftError } from '../../src/connectors/swift/client.js';
import { swiftConnectionKind } from '../../src/connectors/swift/connection-kind.js';
import { AUTH_URL, KEY, removeContainers, runName, swiftUnavailable, USER } from '../support/swift.js';
import { sleep } from '../helpers/wait.js';

const RUN = runName('wharf-notif');
const CONN = 'Notifier Swift';
const created = new Set<string>();

function connection(overrides: Record<string, unknown> = {}): ConfigObject {
  return swiftConnectionKind.schema.parse({
    name: CONN,
    authUrl: AUTH_URL,
    user: USER,
    key: KEY,
    retries: 1,
    startingBackoffMs: 100,
    maxBackoffMs: 500,
    timeoutMs: 10_000,
    ...overrides,
  }) as ConfigObject;
}

function config(overrides: Record<string, unknown>): SwiftNotifierConfig {
  return swiftNotifierKind.schema.parse({
    name: `notifier-${randomUUID().slice(0, 8)}`,
    connection: CONN,
    service: 'svc',
    intervalMs: 200,
    ...overrides,
  });
}

/** A container of this run: created now (unless `create` is false), removed with its objects at the end. */
async function container(suffix: string, create = true): Promise<string> {
  const name = `${RUN}-${suffix}-${randomBytes(2).toString('hex')}`;
  created.add(name);
  created.add(`${name}-errors`);
  if (create) await admin.putContainer(name);
  return name;
}

async function names(c: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const o of admin.listObjects(c)) if ('name' in o) out.push(o.name);
  } catch (e) {
    if (e instanceof SwiftError && e.httpStatus === 404) return [];
    throw e;
  }
  return out.sort();
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The notification a service got (the runtime gives it as input and payload; the test context keeps it here). */
function notification(call: TestInvocation): SwiftNotification {
  return call.inv.parsed!.input as SwiftNotification;
}

const running: Connector[] = [];
async function start(
  cfg: SwiftNotifierConfig,
  services: Record<string, TestService>,
  ctx?: TestContext,
): Promise<{ n: Connector; ctx: TestContext }> {
  const c = ctx ?? createTestContext({ services, objects: { [`${swiftConnectionKind.id}/${CONN}`]: connection() } });
  if (ctx) Object.assign(c.services, services);
  const n = swiftNotifierConnector.create(cfg, c);
  running.push(n);
  await n.start();
  return { n, ctx: c };
}

let admin: SwiftClient;
let unavailable: Error | undefined;

beforeAll(async () => {
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
  await Promise.all(running.map((n) => n.stop()));
  if (!unavailable) await removeContainers(admin, created);
  await admin.close();
});

// ---------------------------------------------------------------------------------------------------------

runConformance<SwiftNotifierConfig>({
  title: 'notifications.openstackSwift against a real Swift',
  kind: swiftNotifierConnector,
  objects: () => ({ [`${swiftConnectionKind.id}/${CONN}`]: connection() }),
  services: { 'conformance.svc': () => undefined },
  config: async () => config({ containers: [await container('conf')], service: 'conformance.svc' }),
  reconfigure: async (c) => ({ ...c, containers: [await container('conf2')], intervalMs: 300 }),
  async exercise(_instance, cfg, ctx) {
    const c = cfg.containers[0]!;
    const name = `obj-${randomUUID()}`;
    await admin.putObject(c, name, 'conformance');
    await until('the service call', () => ctx.calls.some((call) => notification(call).name === name));
    await until('the object to be deleted', async () => !(await names(c)).includes(name));
  },
  invalid: [
    {
      input: { name: 'n', connection: CONN, service: 's', containers: [] },
      message: /containers: must list at least one container/,
    },
    {
      input: { name: 'n', connection: CONN, service: 's', containers: ['a/b'] },
      message: /container name cannot contain `\/`/,
    },
    {
      input: { name: 'n', connection: CONN, service: 's', containers: ['a'], namePattern: '[x' },
      message: /namePattern: invalid glob: unclosed `\[`/,
    },
    {
      input: { name: 'n', connection: CONN, service: 's', containers: ['a'], afterSuccess: 'archive' },
      message: /afterSuccess/,
    },
    {
      input: { name: 'n', connection: CONN, service: 's', containers: ['a'], intervalMs: 5 },
      message: /intervalMs: must be at least 100/,
    },
    { input: { name: 'n', connection: CONN, service: 's', containers: ['a'], maxFailures: 0 }, message: /maxFailures/ },
    { input: { name: 'n', service: 's', containers: ['a'] }, message: /connection/ },
  ],
});

// ---------------------------------------------------------------------------------------------------------

describe('cloud notifications against a real Swift', () => {
  it('hands each object to the service with metadata and payload, then deletes it', async () => {
    const c = await container('deliver');
    await admin.putObject(c, 'invoices/a.json', '{"id":1}', {
      contentType: 'application/json',
      metadata: { source: 'crm', note: 'zażółć' },
    });
    await admin.putObject(c, 'b.txt', 'plain text');
    const { ctx } = await start(config({ containers: [c] }), { svc: () => undefined });
    await ctx.waitForCalls(2);
    await until('both objects to be deleted', async () => (await names(c)).length === 0);
    const got = Object.fromEntries(ctx.calls.map((call) => [notification(call).name, call]));
    const a = notification(got['invoices/a.json']!);
    expect(a).toMatchObject({
      container: c,
      name: 'invoices/a.json',
      size: 8,
      etag: createHash('md5').update('{"id":1}').digest('hex'),
      contentType: 'application/json',
      metadata: { source: 'crm', note: 'zażółć' },
      payload: '{"id":1}',
    });
    expect(new Date(a.lastModified).toISOString()).toBe(a.lastModified);
    expect(Date.now() - Date.parse(a.lastModified)).toBeLessThan(120_000);
    expect(got['invoices/a.json']!.raw.toString()).toBe('{"id":1}');
    expect(got['invoices/a.json']!.inv.channel).toEqual({
      name: expect.any(String),
      kind: 'swift-notifier',
      dataFormat: 'plain',
    });
    expect(notification(got['b.txt']!).payload).toBe('plain text');
    expect(ctx.calls).toHaveLength(2);
  });

  it('filters names with a glob, a negated glob and an exclude glob; watches a path prefix', async () => {
    const c = await container('glob');
    for (const n of ['in/a.xml', 'in/b.json', 'in/skip-c.xml', 'out/d.xml']) await admin.putObject(c, n, n);
    const { ctx: xml } = await start(
      config({ containers: [`${c}:in/`], namePattern: '*.xml', excludePattern: '*/skip-*', afterSuccess: 'keep' }),
      { svc: () => undefined },
    );
    const { ctx: notXml } = await start(
      config({ containers: [c], namePattern: '*.xml', negatePattern: true, afterSuccess: 'keep' }),
      { svc: () => undefined },
    );
    await xml.waitForCalls(1);
    await notXml.waitForCalls(1);
    await sleep(700); // several more ticks
    expect(xml.calls.map((x) => notification(x).name)).toEqual(['in/a.xml']);
    expect(notXml.calls.map((x) => notification(x).name)).toEqual(['in/b.json']);
    expect(await names(c)).toEqual(['in/a.xml', 'in/b.json', 'in/skip-c.xml', 'out/d.xml']);
  });

  it('afterSuccess move: the object goes to moveTo (created if missing) with its data and metadata', async () => {
    const c = await container('move');
    const done = await container('done', false);
    await admin.putObject(c, 'x/1.csv', 'a,b', { metadata: { k: 'v' } });
    const { ctx } = await start(config({ containers: [c], afterSuccess: 'move', moveTo: done }), {
      svc: () => undefined,
    });
    await ctx.waitForCalls(1);
    await until('the move', async () => (await names(done)).includes('x/1.csv'));
    expect(await names(c)).toEqual([]);
    const moved = await admin.getObject(done, 'x/1.csv');
    expect(moved.body.toString()).toBe('a,b');
    expect(moved.metadata['k']).toBe('v');
  });

  it('afterSuccess keep: processed once, remembered across instances; a replaced object is processed again', async () => {
    const c = await container('keep');
    await admin.putObject(c, 'k1', 'v1');
    const cfg = config({ containers: [c], afterSuccess: 'keep' });
    const { n, ctx } = await start(cfg, { svc: () => undefined });
    await ctx.waitForCalls(1);
    await sleep(700);
    expect(ctx.calls).toHaveLength(1);
    expect(await names(c)).toEqual(['k1']);
    await n.stop();

    // a new instance (as after a restart or on another server) with the same persistent state
    const again = await start(cfg, {}, ctx);
    await sleep(700);
    expect(ctx.calls).toHaveLength(1);
    await admin.putObject(c, 'k1', 'v2'); // new content, new etag
    await ctx.waitForCalls(2);
    expect(notification(ctx.calls[1]!).payload).toBe('v2');
    await admin.deleteObject(c, 'k1');
    await until('the marker of a deleted object to be forgotten', async () => (await ctx.state.list()).length === 0);
    await again.n.stop();
  });

  it('a failing service: nothing lost, retried with growing delays, then moved to the error container', async () => {
    const c = await container('fail');
    await admin.putObject(c, 'bad.json', '{"n":1}', { metadata: { origin: 'erp' } });
    const times: number[] = [];
    const { ctx } = await start(config({ containers: [c], intervalMs: 150, maxFailures: 4 }), {
      svc: () => {
        times.push(Date.now());
        throw new Error('database is down');
      },
    });
    const errors = `${c}-errors`;
    await until('the error container to get it', async () => (await names(errors)).includes('bad.json'), 20_000);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // exponential backoff: attempt k+1 comes at least 0.9 × interval × 2^(k-1) after attempt k
    gaps.forEach((gap, i) => expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(0.9 * 150 * 2 ** i));
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);
    expect(await names(c)).toEqual([]);
    const moved = await admin.getObject(errors, 'bad.json');
    expect(moved.body.toString()).toBe('{"n":1}');
    expect(moved.metadata).toMatchObject({
      origin: 'erp',
      'wharf-failures': '4',
      'wharf-source': `${c}/bad.json`,
      'wharf-notifier': expect.any(String),
    });
    expect(moved.metadata['wharf-error']).toMatch(
      /^service svc failed 4 times; last: WHARF_ERR_INTERNAL: Internal error; correlation id /,
    );
    expect(new Date(moved.metadata['wharf-failed-at']!).getTime()).toBeGreaterThan(times[0]!);
    expect(await ctx.state.list()).toEqual([]);
  });

  it('an object replaced while its old version was processed is not deleted: the new version is processed too', async () => {
    const c = await container('replaced');
    await admin.putObject(c, 'r', 'v1');
    const { ctx } = await start(config({ containers: [c] }), {
      svc: async (call) => {
        if (notification(call).payload === 'v1') await admin.putObject(c, 'r', 'v2'); // a producer writes again meanwhile
      },
    });
    await ctx.waitForCalls(2);
    await until('the object to be deleted', async () => (await names(c)).length === 0);
    expect(ctx.calls.map((x) => notification(x).payload)).toEqual(['v1', 'v2']);
  });

  it('a service that is not deployed: nothing counted or moved; processed once it is deployed', async () => {
    const c = await container('nosvc');
    await admin.putObject(c, 'waiting', 'x');
    const { n, ctx } = await start(config({ containers: [c], intervalMs: 100, maxFailures: 1 }), {});
    await until('health down', () => n.health().status === 'down');
    expect(n.health().detail).toBe(
      'service `svc` cannot be invoked: WHARF_ERR_SERVICE_NOT_DEPLOYED: Service `svc` is not deployed',
    );
    await sleep(400);
    expect(await names(c)).toEqual(['waiting']);
    expect(await ctx.state.list()).toEqual([]);
    ctx.services['svc'] = () => undefined; // deployed
    await ctx.waitForCalls(1);
    await until('the object to be deleted', async () => (await names(c)).length === 0);
    expect(await names(`${c}-errors`)).toEqual([]);
  });

  it('a service that fails twice and then succeeds: processed once, deleted, no state left', async () => {
    const c = await container('flaky');
    await admin.putObject(c, 'f', 'data');
    let n = 0;
    const { ctx } = await start(config({ containers: [c], intervalMs: 100, maxFailures: 5 }), {
      svc: () => {
        if (++n <= 2) throw new Error('temporary');
      },
    });
    await ctx.waitForCalls(3);
    await until('the object to be deleted', async () => (await names(c)).length === 0);
    expect(await names(`${c}-errors`)).toEqual([]);
    await until('the failure record to be cleared', async () => (await ctx.state.list()).length === 0);
  });

  it('bad input (a 4xx from the service, invalid JSON, too large): straight to the error container, no retries', async () => {
    const c = await container('badinput');
    const errorContainer = await container('rejected', false);
    await admin.putObject(c, 'refused.json', '{"ok":false}');
    await admin.putObject(c, 'broken.json', '{not json');
    await admin.putObject(c, 'big.json', `"${'x'.repeat(2000)}"`);
    const { ctx } = await start(config({ containers: [c], dataFormat: 'json', maxObjectSize: 1000, errorContainer }), {
      svc: (call) => {
        if ((notification(call).payload as { ok?: boolean }).ok === false) throw new BadRequest('ok must be true');
      },
    });
    await until('all three in the error container', async () => (await names(errorContainer)).length === 3);
    expect(ctx.calls.map((x) => notification(x).name)).toEqual(['refused.json']);
    const why = async (n: string) => (await admin.headObject(errorContainer, n)).metadata['wharf-error'];
    expect(await why('refused.json')).toBe('service svc refused it (HTTP 400): WHARF_ERR_BAD_REQUEST: ok must be true');
    expect(await why('broken.json')).toMatch(/^the data is not valid JSON: /);
    expect(await why('big.json')).toBe('the object has 2002 bytes, more than maxObjectSize (1000)');
    expect(await names(c)).toEqual([]);
  });

  it('fetchData false: metadata only, no payload, empty raw', async () => {
    const c = await container('nodata');
    await admin.putObject(c, 'm', 'secret data', { metadata: { a: 'b' } });
    const { ctx } = await start(config({ containers: [c], fetchData: false }), { svc: () => undefined });
    await ctx.waitForCalls(1);
    const got = notification(ctx.calls[0]!);
    expect(got).toMatchObject({ name: 'm', size: 11, metadata: { a: 'b' } });
    expect('payload' in got).toBe(false);
    expect(ctx.calls[0]!.raw.length).toBe(0);
  });

  it('stop waits for the object in progress, which is then finished (deleted); no tick after stop', async () => {
    const c = await container('stop');
    await admin.putObject(c, 'slow', 'x');
    let finished = false;
    const { n, ctx } = await start(config({ containers: [c], intervalMs: 100 }), {
      svc: async () => {
        await sleep(1500);
        finished = true;
      },
    });
    await ctx.waitForCalls(1);
    const t0 = Date.now();
    await n.stop();
    expect(finished).toBe(true);
    expect(Date.now() - t0).toBeGreaterThan(1000);
    expect(n.health().status).toBe('stopped');
    expect(await names(c)).toEqual([]); // the delete happened before stop returned
    await admin.putObject(c, 'later', 'y');
    await sleep(500);
    expect(ctx.calls).toHaveLength(1);
    expect(await names(c)).toEqual(['later']);
  });

  it('does not take a lease itself (the manager runs it under one)', async () => {
    const c = await container('nolease');
    await admin.putObject(c, 'o', 'x');
    const ctx = createTestContext({
      services: { svc: () => undefined },
      objects: { [`${swiftConnectionKind.id}/${CONN}`]: connection() },
    });
    ctx.lease = () => Promise.reject(new Error('the connector must not ask for a lease'));
    await start(config({ containers: [c] }), {}, ctx);
    await ctx.waitForCalls(1);
  });

  it('connection missing, wrong or fixed live; a watched container missing: health says so', async () => {
    const c = await container('conn');
    await admin.putObject(c, 'o', 'x');
    const ctx = createTestContext({ services: { svc: () => undefined } });
    const cfg = config({ containers: [c] });
    const { n } = await start(cfg, {}, ctx);
    await until('down: no connection', () => n.health().status === 'down');
    expect(n.health().detail).toBe(`no OpenStack Swift connection named \`${CONN}\``);

    ctx.objects.set(`${swiftConnectionKind.id}/${CONN}`, connection({ key: 'wrong' }));
    await n.reconfigure(cfg); // what the manager does when a referenced object changes
    await until('down: auth failure', () => /authentication failed/.test(n.health().detail ?? ''));
    expect(n.health()).toMatchObject({
      status: 'down',
      detail: expect.stringMatching(
        /^Swift connection `Notifier Swift`: authentication failed for user test:tester .*HTTP 401/,
      ),
    });
    expect(ctx.calls).toHaveLength(0);

    ctx.objects.set(`${swiftConnectionKind.id}/${CONN}`, connection());
    await n.reconfigure(cfg);
    await ctx.waitForCalls(1);
    await until('up', () => n.health().status === 'up');

    const missing = await container('absent', false);
    await n.reconfigure({ ...cfg, containers: [missing] });
    await until('down: missing container', () => n.health().status === 'down');
    expect(n.health().detail).toBe(`container \`${missing}\` does not exist`);
  });

  it('reconfigure applies a new interval and new containers from the next tick', async () => {
    const a = await container('ra');
    const b = await container('rb');
    const cfg = config({ containers: [a], intervalMs: 60_000 });
    const { n, ctx } = await start(cfg, { svc: () => undefined });
    await until('the first tick', () => n.health().status === 'up');
    await admin.putObject(b, 'in-b', 'x');
    await n.reconfigure({ ...cfg, containers: [b], intervalMs: 200 });
    await ctx.waitForCalls(1);
    expect(notification(ctx.calls[0]!)).toMatchObject({ container: b, name: 'in-b' });
  });
});
