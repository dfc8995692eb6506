/**
 * Fault handling of channels.amqp1 / outgoing.amqp1 against the real RabbitMQ: bad input dead-lettered,
 * failing services redelivered up to the limit, broker restarts (`rabbitmqctl stop_app` / `start_app`,
 * always restored in `finally`), sends while the broker is down, graceful stop mid-stream.
 * Fails when the broker is missing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { WharfError } from '../../src/errors.js';
import { amqp1ChannelKind, type Amqp1ChannelConfig } from '../../src/channels/amqp1/index.js';
import { amqp1OutgoingKind, type Amqp1Outgoing, type Amqp1OutgoingConfig } from '../../src/outgoing/amqp1/index.js';
import { createTestContext, type TestContext, type TestService } from '../support/connectors/context.js';
import type { Connector } from '../../src/connectors/types.js';
import {
  countReady,
  declareQueue,
  deleteQueues,
  drain,
  localDefinition,
  publish,
  queueExists,
  receiveRaw,
  startApp,
  stopApp,
  waitForBroker,
} from '../support/amqp1-rabbit.js';
import { waitFor as pollUntil, sleep } from '../helpers/wait.js';

const RUN = randomUUID().slice(0, 8);
let seq = 0;
const made: string[] = [];
function qname(tag: string): string {
  const n = `wharf-amqp1-fault-${tag}-${RUN}-${++seq}`;
  made.push(n);
  return n;
}

const DEF = 'local';
const objects = { [`definitions.amqp1/${DEF}`]: localDefinition(DEF) };

// The broker is shared with other suites that restart it on purpose: start each test on a live broker.
beforeEach(async () => {
  await waitForBroker();
});

afterAll(async () => {
  await waitForBroker();
  const left = [];
  for (const q of made) if (await queueExists(q)) left.push(q);
  if (left.length) await deleteQueues(...left);
});

const waitFor = (what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> =>
  pollUntil(what, cond, ms);

async function channel(ctx: TestContext, fields: Record<string, unknown>): Promise<Connector<Amqp1ChannelConfig>> {
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

async function outgoing(
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
  await waitFor('outgoing up', () => inst.health().status === 'up');
  return { inst, out: inst.handle?.() as Amqp1Outgoing };
}

function ctxWith(svc: TestService): TestContext {
  return createTestContext({ objects, services: { svc } });
}

/** Restarts the broker app around `during` (which runs while it is down); always starts it again. */
async function withBrokerDown(during: () => Promise<void>): Promise<void> {
  try {
    await stopApp();
    await during();
  } finally {
    await startApp();
  }
}

describe('bad input and failing services', () => {
  it('malformed JSON is rejected (dead-lettered through the DLX) with the reason logged; the consumer keeps consuming', async () => {
    const q = qname('bad');
    const dlq = qname('bad-dlq');
    await declareQueue(dlq);
    await declareQueue(q, { deadLetterQueue: dlq });
    const ctx = ctxWith(() => undefined);
    const ch = await channel(ctx, { address: `/amq/queue/${q}`, credit: 10 });
    await publish(q, ['{"n":1}', '{"n": oops', '{"n":2}', '<not json/>', '{"n":3}']);
    await ctx.waitForCalls(3);
    await waitFor('queue settled', async () => (await countReady(q)) === 0);
    await waitFor('two dead letters', async () => (await countReady(dlq)) === 2);
    const dead = await drain(dlq);
    expect(dead.map((d) => d.body).sort()).toEqual(['<not json/>', '{"n": oops']);
    for (const d of dead) expect(JSON.stringify(d.headers['x-death'])).toMatch(/"reason":"rejected"/);
    expect(ctx.calls.map((c) => (c.payload as { n: number }).n)).toEqual([1, 2, 3]);
    const warns = ctx.logs.filter((l) => l.level === 'warn' && /rejecting message/.test(l.msg));
    expect(warns).toHaveLength(2);
    expect(warns[0]?.msg).toMatch(/bad input \(WHARF_ERR_MALFORMED_BODY, 400\): Malformed JSON body/i);
    // Still consuming after the rejects.
    await publish(q, ['{"n":4}']);
    await ctx.waitForCalls(4);
    expect(ch.health().status).toBe('up');
    await ch.stop();
  });

  it('a 4xx from the service is rejected at once, never retried', async () => {
    const q = qname('4xx');
    await declareQueue(q);
    const ctx = ctxWith(() => {
      throw new WharfError('WHARF_ERR_INVALID_ELEMENT', ['amount', 'a positive number']);
    });
    const ch = await channel(ctx, { address: `/amq/queue/${q}` });
    await publish(q, ['{"amount":-1}']);
    await ctx.waitForCalls(1);
    await sleep(500);
    expect(ctx.calls).toHaveLength(1);
    expect(await countReady(q)).toBe(0);
    expect(
      ctx.logs.some((l) => l.level === 'warn' && /dropped\): bad input \(WHARF_ERR_INVALID_ELEMENT, 400\)/.test(l.msg)),
    ).toBe(true);
    await ch.stop();
  });

  it('a failing service gets the message redelivered up to maxRedeliveries, then it is dead-lettered; others flow meanwhile', async () => {
    const q = qname('retry');
    const dlq = qname('retry-dlq');
    await declareQueue(dlq);
    await declareQueue(q, { deadLetterQueue: dlq });
    const attempts = new Map<string, number>();
    const ctx = ctxWith((call) => {
      const p = call.payload as { fail?: number; ok?: number };
      const key = p.fail !== undefined ? `fail-${p.fail}` : `ok-${p.ok}`;
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      if (p.fail !== undefined) throw new Error('database down');
    });
    const ch = await channel(ctx, { address: `/amq/queue/${q}`, maxRedeliveries: 3, credit: 20 });
    // fail-1 carries a message-id; fail-2 has none (counted by body hash). Good ones are mixed in, so
    // accepts and releases/rejects are settled side by side (different outcomes, separate ticks).
    await publish(q, ['{"fail":1}', ...Array.from({ length: 20 }, (_, i) => `{"ok":${i}}`)]);
    await publish(q, ['{"fail":2}', ...Array.from({ length: 20 }, (_, i) => `{"ok":${i + 20}}`)], {
      messageIds: false,
    });
    await waitFor('both failing messages dead-lettered', async () => (await countReady(dlq)) === 2);
    await waitFor('queue empty', async () => (await countReady(q)) === 0);
    expect(attempts.get('fail-1')).toBe(4);
    expect(attempts.get('fail-2')).toBe(4);
    for (let i = 0; i < 40; i++) expect(attempts.get(`ok-${i}`), `ok-${i}`).toBe(1);
    const dead = await drain(dlq);
    expect(dead.map((d) => d.body).sort()).toEqual(['{"fail":1}', '{"fail":2}']);
    const gaveUp = ctx.logs.filter((l) => /gave up after 4 failed attempts \(maxRedeliveries 3\)/.test(l.msg));
    expect(gaveUp).toHaveLength(2);
    expect(ctx.logs.filter((l) => /releasing message .* attempt \d of 4 failed/.test(l.msg))).toHaveLength(6);
    await ch.stop();
  });

  it('waits redeliveryDelayMs before each redelivery; without a DLX the rejected message is dropped', async () => {
    const q = qname('delay');
    await declareQueue(q);
    const times: number[] = [];
    const ctx = ctxWith(() => {
      times.push(Date.now());
      throw new WharfError('WHARF_ERR_UPSTREAM', ['backend 502']);
    });
    const ch = await channel(ctx, { address: `/amq/queue/${q}`, maxRedeliveries: 2, redeliveryDelayMs: 300 });
    await publish(q, ['{"x":1}']);
    await ctx.waitForCalls(3);
    await waitFor('dropped', async () => (await countReady(q)) === 0);
    await sleep(500);
    expect(times).toHaveLength(3);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(280);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(280);
    await ch.stop();
  });
});

describe('connection faults', () => {
  it('wrong credentials: health says down with the reason, stop is clean', async () => {
    const ctx = createTestContext({
      objects: { [`definitions.amqp1/${DEF}`]: localDefinition(DEF, { password: 'wrong' }) },
      services: { svc: () => undefined },
    });
    const ch = await channel(ctx, { address: '/amq/queue/whatever' });
    expect(ch.health().status).toBe('down');
    expect(ch.health().detail).toMatch(/authenticat|unauthorized|closed/i);
    const t0 = Date.now();
    await ch.stop();
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(ch.health().status).toBe('stopped');
  });

  it('nothing listening: outgoing send fails with a clear 504 within sendTimeoutMs', async () => {
    const ctx = createTestContext({ objects: { [`definitions.amqp1/${DEF}`]: localDefinition(DEF, { port: 1 }) } });
    const config = amqp1OutgoingKind.kind.schema.parse({
      name: 'nowhere',
      definition: DEF,
      address: '/amq/queue/x',
      sendTimeoutMs: 800,
    });
    const inst = amqp1OutgoingKind.create(config, ctx);
    await inst.start();
    expect(inst.health()).toMatchObject({ status: 'down' });
    expect(inst.health().detail).toMatch(/ECONNREFUSED/);
    const e = await (inst.handle?.() as Amqp1Outgoing).send('x').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(WharfError);
    expect((e as WharfError).code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect((e as WharfError).message).toMatch(
      /could not be sent within 800 ms: broker unreachable \(.*ECONNREFUSED.*\); it was not delivered/,
    );
    await inst.stop();
  });
});

describe('broker restarts (rabbitmqctl stop_app / start_app)', () => {
  it('a channel with durable messages queued and in flight processes all of them after the broker comes back', async () => {
    const q = qname('restart-ch');
    await declareQueue(q);
    const ids: string[] = [];
    let gateOpen: () => void = () => undefined;
    const gate = new Promise<void>((r) => (gateOpen = r));
    const done = new Set<string>();
    const ctx = ctxWith(async (call) => {
      await gate;
      done.add(String(call.inv.headers?.['message-id']));
    });
    await publish(
      q,
      Array.from({ length: 30 }, (_, i) => JSON.stringify({ i })),
    );
    const ch = await channel(ctx, { address: `/amq/queue/${q}`, credit: 5 });
    await ctx.waitForCalls(5);
    ids.push(...new Set(ctx.calls.map((c) => String(c.inv.headers?.['message-id']))));
    await withBrokerDown(async () => {
      await waitFor('channel notices', () => ch.health().status === 'down');
      gateOpen(); // the 5 in flight finish while the broker is away: their settlement must be dropped
      await sleep(300);
    });
    await waitFor('back up', () => ch.health().status === 'up', 30_000);
    await waitFor('all 30 processed', () => done.size >= 30, 30_000);
    for (const id of ids) expect(done.has(id)).toBe(true);
    await waitFor('queue empty', async () => (await countReady(q)) === 0);
    await ch.stop();
    expect(await countReady(q)).toBe(0); // nothing was left unacknowledged either
    expect(ctx.logs.some((l) => l.level === 'debug' && /from before a reconnect/.test(l.msg))).toBe(true);
    expect(ctx.logs.some((l) => l.level === 'warn' && /connection to .* lost/.test(l.msg))).toBe(true);
  });

  it('outgoing sends while the broker is down: confirmed after it is back (long timeout) or failed clearly (short timeout); none silently lost', async () => {
    const q = qname('restart-out');
    await declareQueue(q);
    const ctx = createTestContext({ objects });
    const patient = await outgoing(ctx, { address: `/amq/queue/${q}`, sendTimeoutMs: 60_000 });
    const hasty = await outgoing(ctx, { address: `/amq/queue/${q}`, sendTimeoutMs: 1_000 });
    const results: Array<Promise<'ok' | WharfError>> = [];
    const track = (p: Promise<void>): Promise<'ok' | WharfError> =>
      p.then(
        () => 'ok' as const,
        (e: WharfError) => e,
      );
    let hastyResults: Array<'ok' | WharfError> = [];
    await withBrokerDown(async () => {
      await waitFor('outgoing notices', () => patient.inst.health().status === 'down');
      for (let i = 0; i < 20; i++) results.push(track(patient.out.send({ patient: i })));
      hastyResults = await Promise.all(Array.from({ length: 5 }, (_, i) => track(hasty.out.send({ hasty: i }))));
    });
    const patientResults = await Promise.all(results);
    expect(patientResults.every((r) => r === 'ok')).toBe(true);
    for (const r of hastyResults) {
      expect(r).toBeInstanceOf(WharfError);
      expect((r as WharfError).code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
      expect((r as WharfError).message).toMatch(/broker unreachable.*it was not delivered/);
    }
    const got = await receiveRaw(`/amq/queue/${q}`);
    const bodies = got.map((g) => JSON.parse(g.body.toString()) as { patient?: number; hasty?: number });
    expect(
      bodies
        .filter((b) => b.patient !== undefined)
        .map((b) => b.patient)
        .sort((a, b) => (a ?? 0) - (b ?? 0)),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(bodies.filter((b) => b.hasty !== undefined)).toHaveLength(0);
    await patient.inst.stop();
    await hasty.inst.stop();
  });

  it('sends unconfirmed when the broker stops are resent after it is back: every confirmed message is in the queue', async () => {
    const q = qname('restart-burst');
    await declareQueue(q);
    const ctx = createTestContext({ objects });
    const { inst, out } = await outgoing(ctx, { address: `/amq/queue/${q}`, sendTimeoutMs: 60_000 });
    const confirmed = new Set<string>();
    const failed: WharfError[] = [];
    let enough = false;
    let n = 0;
    // Keeps 300 sends in flight until well after the broker is back, so some are on the wire when it stops.
    const pump = (async () => {
      const inFlight = new Set<Promise<void>>();
      while (!enough) {
        const id = `m-${n++}`;
        const p = out.send({ id }, { messageId: id }).then(
          () => void confirmed.add(id),
          (e: WharfError) => void failed.push(e),
        );
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        if (inFlight.size >= 300) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    })();
    await waitFor('400 confirmed', () => confirmed.size >= 400);
    await withBrokerDown(async () => {
      await waitFor('outgoing notices', () => inst.health().status === 'down');
      await sleep(500);
    });
    const atRestart = confirmed.size;
    await waitFor('500 more confirmed', () => confirmed.size >= atRestart + 500, 30_000);
    enough = true;
    await pump;
    expect(failed.map((e) => e.message)).toEqual([]);
    expect(confirmed.size).toBe(n);
    const got = await receiveRaw(`/amq/queue/${q}`, 1_000);
    const inQueue = new Set(got.map((g) => String(g.message['message_id'])));
    const missing = [...confirmed].filter((id) => !inQueue.has(id));
    expect(missing, 'confirmed but not in the queue').toEqual([]);
    expect(ctx.logs.some((l) => /unconfirmed message\(s\) will be sent again/.test(l.msg))).toBe(true);
    await inst.stop();
  });
});

describe('graceful stop', () => {
  it('stopping mid-stream loses nothing: processed + still queued = sent, no message both', async () => {
    const q = qname('stop');
    await declareQueue(q);
    const processed = new Set<number>();
    const ctx = ctxWith(async (call) => {
      await sleep(3);
      processed.add((call.payload as { i: number }).i);
    });
    await publish(
      q,
      Array.from({ length: 400 }, (_, i) => JSON.stringify({ i })),
    );
    const ch = await channel(ctx, { address: `/amq/queue/${q}`, credit: 50 });
    await waitFor('some processed', () => processed.size >= 80);
    const t0 = Date.now();
    await ch.stop();
    expect(Date.now() - t0).toBeLessThan(6_000);
    const callsAtStop = ctx.calls.length;
    const left = await receiveRaw(`/amq/queue/${q}`, 1_000);
    const leftIdx = left.map((g) => (JSON.parse(g.body.toString()) as { i: number }).i);
    for (const i of leftIdx) expect(processed.has(i), `${i} processed and still queued`).toBe(false);
    expect(processed.size + leftIdx.length).toBe(400);
    expect(new Set(leftIdx).size).toBe(leftIdx.length);
    expect(ctx.calls.length).toBe(callsAtStop);
  });
});
