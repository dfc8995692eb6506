/**
 * channels.amqp1 and outgoing.amqp1 against the local RabbitMQ 3.10 AMQP 1.0 plugin (127.0.0.1:5672,
 * guest/guest; `bash scripts/rabbitmq-amqp1.sh` starts it and enables the plugin). Fails when the broker
 * is missing. Every test uses its own queues and deletes them (and any amq.gen-* a topic receiver left).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/kind.js';
import { WharfError } from '../../src/errors.js';
import { amqp1ChannelKind, type Amqp1ChannelConfig } from '../../src/channels/amqp1/index.js';
import { amqp1OutgoingKind, type Amqp1Outgoing, type Amqp1OutgoingConfig } from '../../src/outgoing/amqp1/index.js';
import { createTestContext, type TestContext } from '../support/connectors/context.js';
import { runConformance } from '../support/connectors/conformance.js';
import type { Connector } from '../../src/connectors/types.js';
import {
  countReady,
  declareQueue,
  deleteQueues,
  deleteTempQueues,
  localDefinition,
  publish,
  queueExists,
  receiveRaw,
  sendRaw,
  waitForBroker,
} from '../support/amqp1-rabbit.js';
import { waitFor as pollUntil } from '../helpers/wait.js';

const RUN = randomUUID().slice(0, 8);
let seq = 0;
const made: string[] = [];
const topicKeys: string[] = [];

function qname(tag: string): string {
  const n = `wharf-amqp1-${tag}-${RUN}-${++seq}`;
  made.push(n);
  return n;
}

const DEF = 'local';
const objects = (): Record<string, ConfigObject> => ({ [`definitions.amqp1/${DEF}`]: localDefinition(DEF) });

const waitFor = (what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> =>
  pollUntil(what, cond, ms);

async function waitUp(c: Connector, ms = 15_000): Promise<void> {
  await waitFor(`up (now ${JSON.stringify(c.health())})`, () => c.health().status === 'up', ms);
}

function payloads(ctx: TestContext): unknown[] {
  return ctx.calls.map((c) => c.payload);
}

// The broker is shared with other suites that restart it on purpose: start each test on a live broker.
beforeEach(async () => {
  await waitForBroker();
});

afterAll(async () => {
  await waitForBroker();
  await deleteTempQueues(topicKeys);
  const left = [];
  for (const q of made) if (await queueExists(q)) left.push(q);
  if (left.length) await deleteQueues(...left);
});

// ---------------------------------------------------------------------------------------------------------
// Conformance

runConformance<Amqp1ChannelConfig>({
  title: 'channels.amqp1 against RabbitMQ',
  kind: amqp1ChannelKind,
  objects,
  services: { 'amqp1.sink': () => undefined },
  async config() {
    const q = qname('conf-ch');
    await declareQueue(q);
    return amqp1ChannelKind.kind.schema.parse({
      name: `ch-${q}`,
      definition: DEF,
      address: `/amq/queue/${q}`,
      service: 'amqp1.sink',
      credit: 20,
      redeliveryDelayMs: 0,
    });
  },
  async reconfigure(c) {
    const q = qname('conf-ch2');
    await declareQueue(q);
    return { ...c, address: `/amq/queue/${q}`, credit: 5, dataFormat: 'plain' as const };
  },
  async exercise(_inst, config, ctx) {
    const q = config.address.slice('/amq/queue/'.length);
    const tag = randomUUID();
    const before = ctx.calls.length;
    await publish(
      q,
      Array.from({ length: 30 }, (_, i) => JSON.stringify({ tag, i })),
    );
    await ctx.waitForCalls(before + 30, 15_000);
    const mine = ctx.calls
      .slice(before)
      .map(
        (c) =>
          (config.dataFormat === 'plain' ? JSON.parse(String(c.payload)) : c.payload) as { tag: string; i: number },
      );
    expect(mine.every((p) => p.tag === tag)).toBe(true);
    expect(new Set(mine.map((p) => p.i)).size).toBe(30);
    expect(ctx.calls[before]?.inv.channel).toMatchObject({ kind: 'amqp1', name: config.name });
    await waitFor('queue empty', async () => (await countReady(q)) === 0);
  },
  invalid: [
    { input: { name: 'x', definition: 'd', service: 's' }, message: /address/ },
    { input: { name: 'x', definition: 'd', service: 's', address: '/amq/queue/' }, message: /address: .*queue name/ },
    { input: { name: 'x', definition: 'd', service: 's', address: '/exchange/' }, message: /address: .*exchange name/ },
    { input: { name: 'x', definition: 'd', service: 's', address: 'q', credit: 0 }, message: /credit/ },
    { input: { name: 'x', definition: 'd', service: 's', address: 'q', dataFormat: 'yaml' }, message: /dataFormat/ },
    {
      input: { name: 'x', definition: 'd', service: 's', address: 'q', maxRedeliveries: -1 },
      message: /maxRedeliveries/,
    },
    { input: { name: 'x', definition: '', service: 's', address: 'q' }, message: /definition: must name/ },
    {
      input: { name: 'x', definition: 'd', service: 's', address: 'q', selector: "JMSType = 'a'" },
      message: /Unrecognized key: "selector"/,
    },
  ],
  async cleanup(c) {
    await deleteQueues(c.address.slice('/amq/queue/'.length));
  },
});

runConformance<Amqp1OutgoingConfig>({
  title: 'outgoing.amqp1 against RabbitMQ',
  kind: amqp1OutgoingKind,
  objects,
  async config() {
    const q = qname('conf-out');
    await declareQueue(q);
    return amqp1OutgoingKind.kind.schema.parse({ name: `out-${q}`, definition: DEF, address: `/amq/queue/${q}` });
  },
  async reconfigure(c) {
    const q = qname('conf-out2');
    await declareQueue(q);
    return {
      ...c,
      address: `/amq/queue/${q}`,
      subject: 'invoice',
      applicationProperties: { region: 'eu' },
      sendTimeoutMs: 5_000,
    };
  },
  async exercise(inst, config) {
    const q = config.address.slice('/amq/queue/'.length);
    const out = inst.handle?.() as Amqp1Outgoing;
    const tag = randomUUID();
    await Promise.all(Array.from({ length: 25 }, (_, i) => out.send({ tag, i })));
    const got = await receiveRaw(config.address);
    expect(got).toHaveLength(25);
    for (const g of got) {
      expect(JSON.parse(g.body.toString()).tag).toBe(tag);
      expect(g.message['durable']).toBe(true);
      expect(g.message['content_type']).toBe('application/json');
      if (config.subject) expect(g.message['subject']).toBe(config.subject);
      if (config.applicationProperties)
        expect(g.message['application_properties']).toEqual(config.applicationProperties);
    }
    expect(await countReady(q)).toBe(0);
  },
  invalid: [
    { input: { name: 'x', definition: 'd' }, message: /address/ },
    { input: { name: 'x', definition: 'd', address: '/topic/' }, message: /address: .*routing key/ },
    { input: { name: 'x', definition: 'd', address: 'q', priority: 256 }, message: /priority/ },
    { input: { name: 'x', definition: 'd', address: 'q', ttlMs: 0 }, message: /ttlMs/ },
    {
      input: { name: 'x', definition: 'd', address: 'q', applicationProperties: { a: { b: 1 } } },
      message: /applicationProperties/,
    },
    { input: { name: 'x', definition: 'd', address: 'q', sendTimeoutMs: 5 }, message: /sendTimeoutMs/ },
  ],
  async cleanup(c) {
    await deleteQueues(c.address.slice('/amq/queue/'.length));
  },
});

// ---------------------------------------------------------------------------------------------------------
// Behaviour

async function startOutgoing(
  ctx: TestContext,
  fields: Record<string, unknown>,
): Promise<{ inst: Connector<Amqp1OutgoingConfig>; out: Amqp1Outgoing }> {
  const config = amqp1OutgoingKind.kind.schema.parse({
    name: `out-${randomUUID().slice(0, 6)}`,
    definition: DEF,
    ...fields,
  });
  const inst = amqp1OutgoingKind.create(config, ctx);
  await inst.start();
  return { inst, out: inst.handle?.() as Amqp1Outgoing };
}

async function startChannel(ctx: TestContext, fields: Record<string, unknown>): Promise<Connector<Amqp1ChannelConfig>> {
  const config = amqp1ChannelKind.kind.schema.parse({
    name: `ch-${randomUUID().slice(0, 6)}`,
    definition: DEF,
    service: 'svc',
    redeliveryDelayMs: 0,
    ...fields,
  });
  const inst = amqp1ChannelKind.create(config, ctx);
  await inst.start();
  return inst;
}

describe('outgoing.amqp1 → channels.amqp1 (JMS header mapping)', () => {
  it('round-trips message-id, correlation-id, reply-to, subject, priority, durable, ttl, properties and content type', async () => {
    const q = qname('props');
    await declareQueue(q, { maxPriority: 9 });
    const ctx = createTestContext({ objects: objects(), services: { svc: () => undefined } });
    const { inst: o, out } = await startOutgoing(ctx, {
      address: `/amq/queue/${q}`,
      priority: 2,
      applicationProperties: { source: 'wharf', n: 1 },
    });
    await waitUp(o);
    await out.send('<order id="1"/>', {
      messageId: 'ID:order-1',
      correlationId: 'corr-7',
      replyTo: '/amq/queue/replies',
      subject: 'OrderCreated',
      priority: 7,
      ttlMs: 60_000,
      durable: false,
      contentType: 'application/xml',
      applicationProperties: { n: 2, urgent: true, note: null },
    });
    await out.send(Buffer.from([0, 1, 2, 255]), { messageId: 'bin' });
    const ch = await startChannel(ctx, { address: `/amq/queue/${q}`, dataFormat: 'plain' });
    await ctx.waitForCalls(2);
    const [xml, bin] = ctx.calls;
    expect(xml?.raw.toString()).toBe('<order id="1"/>');
    expect(xml?.inv.headers).toMatchObject({
      'message-id': 'ID:order-1',
      'correlation-id': 'corr-7',
      'reply-to': '/amq/queue/replies',
      subject: 'OrderCreated',
      priority: '7',
      durable: 'false',
      ttl: '60000',
      'content-type': 'application/xml',
      source: 'wharf',
      n: '2',
      urgent: 'true',
    });
    expect(Date.parse(String(xml?.inv.headers?.['creation-time']))).toBeGreaterThan(Date.now() - 60_000);
    expect(bin?.raw).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(bin?.inv.headers).toMatchObject({
      'message-id': 'bin',
      priority: '2',
      durable: 'true',
      'content-type': 'application/octet-stream',
    });
    await ch.stop();
    await o.stop();
    await deleteQueues(q);
  });

  it('JSON-encodes objects and arrays (a raw JS array would crash the session) and keeps working after', async () => {
    const q = qname('json');
    await declareQueue(q);
    const ctx = createTestContext({ objects: objects() });
    const { inst, out } = await startOutgoing(ctx, { address: `/amq/queue/${q}` });
    await out.send([1, 2, { three: 3 }]);
    await out.send({ a: [1, 2] });
    await out.send('text');
    const got = await receiveRaw(`/amq/queue/${q}`);
    expect(got.map((g) => g.body.toString())).toEqual(['[1,2,{"three":3}]', '{"a":[1,2]}', 'text']);
    expect(got.map((g) => g.message['content_type'])).toEqual([
      'application/json',
      'application/json',
      'text/plain; charset=utf-8',
    ]);
    expect(inst.health().status).toBe('up');
    await inst.stop();
    await deleteQueues(q);
  });

  it('refuses bad bodies and options with a 500 usage error that names the problem, and stays up', async () => {
    const q = qname('bad');
    await declareQueue(q);
    const ctx = createTestContext({ objects: objects() });
    const { inst, out } = await startOutgoing(ctx, { address: `/amq/queue/${q}` });
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    const cases: Array<[() => Promise<void>, RegExp]> = [
      [() => out.send(circular), /cannot be JSON-encoded/],
      [() => out.send(undefined as unknown as string), /body must be/],
      [() => out.send('x', { priority: 300 }), /priority must be an integer 0-255/],
      [() => out.send('x', { ttlMs: -1 }), /ttlMs must be a positive integer/],
      [
        () => out.send('x', { applicationProperties: { deep: { x: 1 } as unknown as string } }),
        /application property `deep`/,
      ],
    ];
    for (const [fn, msg] of cases) {
      const e = await fn().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(WharfError);
      expect((e as WharfError).code).toBe('WHARF_ERR_OUTGOING_USAGE');
      expect((e as WharfError).status).toBe(500);
      expect((e as WharfError).message).toMatch(msg);
    }
    await out.send('still fine');
    expect(await countReady(q)).toBe(1);
    await inst.stop();
    await deleteQueues(q);
  });

  it('probes /amq/queue/Q: a missing queue gives a clear error instead of silently dropped messages, and heals once it exists', async () => {
    const q = qname('missing');
    const ctx = createTestContext({ objects: objects() });
    const { inst, out } = await startOutgoing(ctx, { address: `/amq/queue/${q}`, sendTimeoutMs: 2_000 });
    expect(inst.health()).toMatchObject({ status: 'degraded' });
    expect(inst.health().detail).toMatch(/does not exist/);
    const e = await out.send('lost?').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(WharfError);
    expect((e as WharfError).code).toBe('WHARF_ERR_UPSTREAM');
    expect((e as WharfError).message).toMatch(new RegExp(`queue \`${q}\` does not exist.*silently drop`));
    expect(ctx.logs.some((l) => l.level === 'error' && /does not exist/.test(l.msg))).toBe(true);
    await declareQueue(q);
    await waitUp(inst, 10_000);
    await out.send('now it arrives');
    expect(await countReady(q)).toBe(1);
    await inst.stop();
    await deleteQueues(q);
  });

  it('/queue/Q declares a durable queue; /amq/queue/Q never declares', async () => {
    const q = qname('declared');
    const ctx = createTestContext({ objects: objects() });
    const { inst, out } = await startOutgoing(ctx, { address: `/queue/${q}` });
    await waitUp(inst);
    await out.send('hello');
    expect(await countReady(q)).toBe(1);
    // Durable: survives a redeclare check with durable true (a mismatch would close the channel).
    await declareQueue(q, { durable: true });
    await inst.stop();
    await deleteQueues(q);
  });

  it('topic: /topic/K receivers get what is sent to /topic/K (server-named queues cleaned up)', async () => {
    const key = `wharf.amqp1.${RUN}.${++seq}`;
    topicKeys.push(key);
    const ctx = createTestContext({ objects: objects(), services: { svc: () => undefined } });
    const ch1 = await startChannel(ctx, { address: `/topic/${key}` });
    const ch2 = await startChannel(ctx, { address: `/topic/${key}` });
    await waitUp(ch1);
    await waitUp(ch2);
    const { inst, out } = await startOutgoing(ctx, { address: `/topic/${key}` });
    await waitUp(inst);
    for (let i = 0; i < 5; i++) await out.send({ i });
    await ctx.waitForCalls(10);
    expect(
      payloads(ctx)
        .map((p) => (p as { i: number }).i)
        .sort(),
    ).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    await Promise.all([ch1.stop(), ch2.stop(), inst.stop()]);
    const deleted = await deleteTempQueues([key]);
    expect(deleted.length).toBe(2);
  });

  it('hands every body shape to the service as bytes: amqp-value string, map and list, data and sequence sections', async () => {
    const q = qname('shapes');
    await declareQueue(q);
    const rhea = (await import('rhea')).default;
    await sendRaw(`/amq/queue/${q}`, [
      { message_id: 's', body: '{"kind":"string"}' },
      { message_id: 'm', body: { kind: 'map', n: 1 } },
      { message_id: 'd', body: rhea.message.data_section(Buffer.from('{"kind":"data"}')) },
      { message_id: 'q', body: rhea.message.sequence_section([1, 2, 3]) },
    ]);
    const ctx = createTestContext({ objects: objects(), services: { svc: () => undefined } });
    const ch = await startChannel(ctx, { address: `/amq/queue/${q}`, credit: 1 });
    await ctx.waitForCalls(4);
    const byId = Object.fromEntries(ctx.calls.map((c) => [c.inv.headers?.['message-id'], c.payload]));
    expect(byId).toEqual({ s: { kind: 'string' }, m: { kind: 'map', n: 1 }, d: { kind: 'data' }, q: [1, 2, 3] });
    await ch.stop();
    await deleteQueues(q);
  });

  it('reports a missing source queue as degraded (not-found) and starts consuming once it exists', async () => {
    const q = qname('late');
    const ctx = createTestContext({ objects: objects(), services: { svc: () => undefined } });
    const ch = await startChannel(ctx, { address: `/amq/queue/${q}` });
    expect(ch.health().status).toBe('degraded');
    expect(ch.health().detail).toMatch(/not-found/);
    await declareQueue(q);
    await publish(q, ['{"late":true}']);
    await ctx.waitForCalls(1, 10_000);
    expect(ch.health().status).toBe('up');
    await ch.stop();
    await deleteQueues(q);
  });

  it('a queue deleted under a consuming channel: degraded with the reason, consuming again once it is back', async () => {
    const q = qname('deleted');
    await declareQueue(q);
    const ctx = createTestContext({ objects: objects(), services: { svc: () => undefined } });
    const ch = await startChannel(ctx, { address: `/amq/queue/${q}` });
    await waitUp(ch);
    await deleteQueues(q);
    // First `attaching to …` (the broker dropped the connection), then the re-attach names the reason.
    await waitFor(
      'degraded with the reason',
      () => ch.health().status === 'degraded' && /not-found/.test(ch.health().detail ?? ''),
    );
    // RabbitMQ 3.10 drops the whole connection (ECONNRESET) when a consumed queue is deleted.
    expect(ctx.logs.some((l) => l.level === 'warn' && /lost|detached/.test(l.msg))).toBe(true);
    await declareQueue(q);
    await waitUp(ch, 10_000);
    await publish(q, ['{"again":true}']);
    await ctx.waitForCalls(1);
    await ch.stop();
    await deleteQueues(q);
  });

  it('fails start with a clear error when the definition does not exist', async () => {
    const ctx = createTestContext({ objects: {} });
    const config = amqp1ChannelKind.kind.schema.parse({
      name: 'nodef',
      definition: 'nope',
      address: '/amq/queue/x',
      service: 'svc',
    });
    const inst = amqp1ChannelKind.create(config, ctx);
    await expect(inst.start()).rejects.toThrow(/AMQP 1.0 definition `nope` does not exist/);
    await inst.stop();
  });
});

describe('live reconfiguration while messages flow', () => {
  it('channel: switching address and credit mid-stream processes every message, loses none', async () => {
    const qa = qname('flow-a');
    const qb = qname('flow-b');
    await declareQueue(qa);
    await declareQueue(qb);
    const seen = new Set<string>();
    const ctx = createTestContext({
      objects: objects(),
      services: {
        svc: async (c) => {
          await new Promise((r) => setTimeout(r, 2));
          seen.add(String((c.payload as { id: string }).id));
        },
      },
    });
    const fields = { name: `ch-flow-${RUN}`, address: `/amq/queue/${qa}`, credit: 10 };
    const ch = await startChannel(ctx, fields);
    await waitUp(ch);
    const ids: string[] = [];
    const feed = async (q: string, n: number, tag: string): Promise<void> => {
      for (let i = 0; i < n; i += 25) {
        const batch = Array.from({ length: Math.min(25, n - i) }, (_, j) => `${tag}-${i + j}`);
        ids.push(...batch);
        await publish(
          q,
          batch.map((id) => JSON.stringify({ id })),
        );
      }
    };
    // Messages keep arriving on A while the channel moves to B with a bigger credit.
    const feeding = feed(qa, 300, 'a');
    await waitFor('some processed', () => seen.size > 30);
    const cfg = amqp1ChannelKind.kind.schema.parse({
      ...fields,
      definition: DEF,
      service: 'svc',
      redeliveryDelayMs: 0,
      address: `/amq/queue/${qb}`,
      credit: 50,
    });
    await ch.reconfigure(cfg);
    await feeding;
    await feed(qb, 200, 'b');
    await waitFor('all of B processed', () => ids.filter((i) => i.startsWith('b-')).every((i) => seen.has(i)), 20_000);
    // What A held after the switch is still in A (returned, not lost): processed + left = sent.
    const leftA = await receiveRaw(`/amq/queue/${qa}`);
    const leftIds = new Set(leftA.map((r) => JSON.parse(r.body.toString()).id as string));
    for (const id of ids.filter((i) => i.startsWith('a-')))
      expect(seen.has(id) || leftIds.has(id), `${id} lost`).toBe(true);
    expect(ch.health().status).toBe('up');
    await ch.stop();
    await deleteQueues(qa, qb);
  });

  it('outgoing: switching address mid-stream confirms every send exactly where it went', async () => {
    const qa = qname('oflow-a');
    const qb = qname('oflow-b');
    await declareQueue(qa);
    await declareQueue(qb);
    const ctx = createTestContext({ objects: objects() });
    const fields = { name: `out-flow-${RUN}`, address: `/amq/queue/${qa}` };
    const { inst, out } = await startOutgoing(ctx, fields);
    await waitUp(inst);
    let sent = 0;
    let stop = false;
    const sending = (async () => {
      while (!stop) {
        await Promise.all(Array.from({ length: 20 }, () => out.send({ n: sent++ })));
      }
    })();
    await waitFor('some sent', () => sent > 200);
    const cfg = amqp1OutgoingKind.kind.schema.parse({
      ...fields,
      definition: DEF,
      address: `/amq/queue/${qb}`,
      priority: 3,
    });
    await inst.reconfigure(cfg);
    await waitFor('more sent', () => sent > 600);
    stop = true;
    await sending;
    const a = await countReady(qa);
    const b = await countReady(qb);
    expect(a + b).toBe(sent);
    expect(b).toBeGreaterThan(0);
    expect(out.address).toBe(`/amq/queue/${qb}`);
    await inst.stop();
    await deleteQueues(qa, qb);
  });
});
