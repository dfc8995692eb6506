/**
 * AMQP 0-9-1 against the real RabbitMQ on 127.0.0.1:5672 (guest/guest): conformance of
 * channels.amqp and outgoing.amqp, then end-to-end behaviour (properties, replies, dead-letters,
 * redelivery counting, live reconfiguration while messages flow, graceful stop, broker-side errors).
 * Fails (never skips) when the broker is not there.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpChannelConnector, amqpChannelKind, type AmqpChannelConfig } from '../../src/channels/amqp/index.js';
import { acquireBrokerLock, RawBroker, testDefinition, uniqueName } from '../support/amqp.js';
import { runConformance } from '../support/connectors/conformance.js';
import { createTestContext, type TestContext, type TestService } from '../support/connectors/context.js';
import type { Connector } from '../../src/connectors/types.js';
import { WharfError } from '../../src/errors.js';
import {
  amqpOutgoingConnector,
  amqpOutgoingKind,
  type AmqpOutgoing,
  type AmqpOutgoingConfig,
} from '../../src/outgoing/amqp/index.js';

let raw: RawBroker;
let release: (() => void) | undefined;
const queues = new Set<string>();

// amqp-faults.test.ts restarts the broker: never at the same time as these tests.
beforeAll(async () => {
  release = await acquireBrokerLock();
  raw = await RawBroker.openWhenReady();
});
afterAll(async () => {
  try {
    if (raw) {
      await raw.delete(...queues);
      await raw.close();
    }
  } finally {
    release?.();
  }
});

async function queue(prefix: string, opts?: Parameters<RawBroker['queue']>[1]): Promise<string> {
  const q = await raw.queue(uniqueName(`wharf.test.${prefix}`), opts);
  queues.add(q);
  return q;
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitUp(c: Connector, timeoutMs = 15_000): Promise<void> {
  await waitFor(() => c.health().status === 'up', timeoutMs, `connector up (${JSON.stringify(c.health())})`);
}

const objects = {
  'definitions.amqp/rabbit': testDefinition('rabbit'),
  'definitions.amqp/rabbit2': testDefinition('rabbit2', { heartbeat: 10, connectionName: 'wharf-test-2' }),
};

function channelConfig(o: Record<string, unknown>): AmqpChannelConfig {
  return amqpChannelKind.schema.parse({ name: 'test-channel', definition: 'rabbit', service: 'svc', ...o });
}
function outgoingConfig(o: Record<string, unknown>): AmqpOutgoingConfig {
  return amqpOutgoingKind.schema.parse({ name: 'test-out', definition: 'rabbit', ...o });
}

function idOf(payload: unknown): string {
  return String((payload as { id?: unknown } | undefined)?.id);
}

// ------------------------------------------------------------------------------------------------
// Conformance

runConformance<AmqpChannelConfig>({
  title: 'channels.amqp against RabbitMQ',
  kind: amqpChannelConnector,
  objects: () => objects,
  services: { svc: (call) => ({ seen: call.payload }) },
  config: async () => channelConfig({ queue: await queue('conf'), prefetch: 5 }),
  // Another queue, prefetch and definition (a new connection) applied live.
  reconfigure: async (c) => ({ ...c, queue: await queue('conf2'), prefetch: 2, definition: 'rabbit2' }),
  async exercise(_inst, config, ctx) {
    const n = ctx.calls.length;
    const id = randomUUID();
    await raw.publish(config.queue, { id });
    await ctx.waitForCalls(n + 1);
    expect(ctx.calls[n]!.payload).toEqual({ id });
    expect(ctx.calls[n]!.inv.headers?.['amqp-queue']).toBe(config.queue);
    await waitFor(async () => (await raw.ready(config.queue)) === 0, 5_000, 'queue empty');
  },
  invalid: [
    { input: { name: 'c', definition: 'rabbit', service: 's' }, message: /queue/ },
    { input: { name: 'c', definition: 'rabbit', queue: 'q', service: 's', prefetch: 0 }, message: /prefetch/ },
    { input: { name: 'c', definition: 'rabbit', queue: 'q', service: 's', dataFormat: 'csv' }, message: /dataFormat/ },
    { input: { name: 'c', queue: 'q', service: 's' }, message: /definition/ },
    {
      input: { name: 'c', definition: 'rabbit', queue: 'q', service: 's', maxRedeliveries: -2 },
      message: /maxRedeliveries/,
    },
  ],
  cleanup: async (c) => raw.delete(c.queue),
});

runConformance<AmqpOutgoingConfig>({
  title: 'outgoing.amqp against RabbitMQ',
  kind: amqpOutgoingConnector,
  objects: () => objects,
  config: async () => outgoingConfig({ routingKey: await queue('out') }),
  reconfigure: async (c) => ({ ...c, routingKey: await queue('out2'), definition: 'rabbit2', deliveryMode: 1 }),
  async exercise(inst, config) {
    const out = inst.handle?.() as AmqpOutgoing;
    const id = randomUUID();
    await out.send({ id }, { headers: { 'x-test': 'yes' } });
    const got = await raw.drain(config.routingKey, 200);
    expect(got.map((m) => JSON.parse(m.content.toString()))).toEqual([{ id }]);
    expect(got[0]!.properties).toMatchObject({
      contentType: 'application/json',
      deliveryMode: config.deliveryMode,
      headers: { 'x-test': 'yes' },
    });
  },
  invalid: [
    {
      input: { name: 'o', definition: 'rabbit', deliveryMode: 3 },
      message: /deliveryMode: must be 1 \(transient\) or 2 \(persistent\)/,
    },
    { input: { name: 'o', definition: 'rabbit', priority: 256 }, message: /priority/ },
    { input: { name: 'o' }, message: /definition/ },
    { input: { name: 'o', definition: 'rabbit', sendTimeoutMs: 0 }, message: /sendTimeoutMs/ },
  ],
  cleanup: async (c) => raw.delete(c.routingKey),
});

// ------------------------------------------------------------------------------------------------
// Behaviour

async function startChannel(config: AmqpChannelConfig, services: Record<string, TestService>, ctx?: TestContext) {
  const c = ctx ?? createTestContext({ services, objects });
  const inst = amqpChannelConnector.create(config, c);
  await inst.start();
  await waitUp(inst);
  return { ctx: c, inst };
}

async function startOutgoing(config: AmqpOutgoingConfig, ctx?: TestContext) {
  const c = ctx ?? createTestContext({ objects });
  const inst = amqpOutgoingConnector.create(config, c);
  await inst.start();
  await waitUp(inst);
  return { inst, out: inst.handle?.() as AmqpOutgoing };
}

describe('channels.amqp + outgoing.amqp end to end', () => {
  it('delivers body, headers and properties to the service and replies to replyTo with the correlation id', async () => {
    const q = await queue('e2e');
    const replies = await queue('replies');
    const { ctx, inst } = await startChannel(channelConfig({ queue: q }), {
      svc: (call) => ({ echo: call.payload, tenant: call.inv.headers?.['tenant'] }),
    });
    const { inst: outInst, out } = await startOutgoing(outgoingConfig({ routingKey: q, appId: 'tests' }), ctx);
    try {
      await out.send(
        { id: 'e2e-1' },
        { headers: { Tenant: 'acme' }, correlationId: 'corr-1', messageId: 'msg-1', replyTo: replies, priority: 3 },
      );
      await ctx.waitForCalls(1);
      const h = ctx.calls[0]!.inv.headers!;
      expect(h).toMatchObject({
        tenant: 'acme',
        'amqp-correlation-id': 'corr-1',
        'amqp-message-id': 'msg-1',
        'amqp-reply-to': replies,
        'amqp-app-id': 'tests',
        'amqp-priority': '3',
        'amqp-delivery-mode': '2',
        'amqp-routing-key': q,
        'amqp-attempt': '1',
      });
      await raw.waitReady(replies, 1);
      const [reply] = await raw.drain(replies, 200);
      expect(JSON.parse(reply!.content.toString())).toEqual({ echo: { id: 'e2e-1' }, tenant: 'acme' });
      expect(reply!.properties.correlationId).toBe('corr-1');
      expect(reply!.properties.contentType).toBe('application/json');
    } finally {
      await inst.stop();
      await outInst.stop();
    }
  });

  it('parses xml and plain data formats', async () => {
    const qx = await queue('xml');
    const qp = await queue('plain');
    const ctx = createTestContext({ services: { svc: (call) => call.payload }, objects });
    const x = await startChannel(channelConfig({ name: 'x', queue: qx, dataFormat: 'xml' }), {}, ctx);
    const p = await startChannel(channelConfig({ name: 'p', queue: qp, dataFormat: 'plain' }), {}, ctx);
    try {
      await raw.publish(qx, '<order><id>7</id></order>');
      await raw.publish(qp, 'just text');
      await ctx.waitForCalls(2);
      const payloads = ctx.calls.map((c) => c.payload);
      expect(payloads).toContainEqual('just text');
      expect(JSON.stringify(payloads)).toMatch(/"order"/);
    } finally {
      await x.inst.stop();
      await p.inst.stop();
    }
  });

  it('dead-letters malformed JSON at once with the reason, and keeps consuming good messages', async () => {
    const q = await queue('malformed');
    const dead = await queue('malformed.dead');
    const good: string[] = [];
    const { ctx, inst } = await startChannel(channelConfig({ queue: q, deadLetterRoutingKey: dead }), {
      svc: (call) => void good.push(idOf(call.payload)),
    });
    try {
      await raw.publish(q, '{"id": "bad-1", oops', { messageId: 'bad-1' });
      for (let i = 0; i < 5; i++) await raw.publish(q, { id: `good-${i}` });
      await waitFor(() => good.length === 5, 10_000, '5 good messages');
      await raw.waitReady(dead, 1);
      const [d] = await raw.drain(dead, 200);
      expect(d!.content.toString()).toBe('{"id": "bad-1", oops');
      expect(d!.properties.messageId).toBe('bad-1');
      expect(String(d!.properties.headers?.['x-wharf-death-reason'])).toMatch(
        /bad input \(400 WHARF_ERR_MALFORMED_BODY\)/,
      );
      expect(d!.properties.headers?.['x-wharf-source-queue']).toBe(q);
      expect(
        ctx.logs.some(
          (l) => l.level === 'warn' && /dead-lettered/.test(l.msg) && /Malformed JSON/.test(JSON.stringify(l.args)),
        ),
      ).toBe(true);
      expect(inst.health().status).toBe('up');
      expect(await raw.ready(q)).toBe(0);
    } finally {
      await inst.stop();
    }
  });

  it("without a dead-letter exchange rejects, so the queue's own DLX takes it (reason logged)", async () => {
    const dead = await queue('own-dlx.dead');
    const q = await queue('own-dlx', { durable: false, deadLetterExchange: '', deadLetterRoutingKey: dead });
    const { ctx, inst } = await startChannel(channelConfig({ queue: q }), { svc: () => undefined });
    try {
      await raw.publish(q, '<not json>');
      await raw.waitReady(dead, 1);
      const [d] = await raw.drain(dead, 200);
      expect(d!.content.toString()).toBe('<not json>');
      expect(JSON.stringify(d!.properties.headers?.['x-death'])).toMatch(/rejected/);
      expect(
        ctx.logs.some((l) => /dead-lettered \(rejected/.test(l.msg) && /Malformed JSON/.test(JSON.stringify(l.args))),
      ).toBe(true);
    } finally {
      await inst.stop();
    }
  });

  it('redelivers a failing message exactly maxRedeliveries times, then dead-letters it with the count', async () => {
    const q = await queue('failing');
    const dead = await queue('failing.dead');
    const attempts: Record<string, string[]> = {};
    const { ctx, inst } = await startChannel(
      channelConfig({ queue: q, maxRedeliveries: 3, retryDelayMs: 20, deadLetterRoutingKey: dead }),
      {
        svc: (call) => {
          const id = idOf(call.payload);
          (attempts[id] ??= []).push(String(call.inv.headers?.['amqp-attempt']));
          if (id.startsWith('fail')) throw new Error(`cannot handle ${id}`);
          return { ok: true };
        },
      },
    );
    try {
      await raw.publish(q, { id: 'fail-1' });
      await raw.publish(q, { id: 'ok-1' });
      await raw.waitReady(dead, 1, 15_000);
      await new Promise((r) => setTimeout(r, 300)); // nothing more may arrive
      expect(attempts['fail-1']).toEqual(['1', '2', '3', '4']);
      expect(attempts['ok-1']).toEqual(['1']);
      const [d] = await raw.drain(dead, 200);
      expect(d!.properties.headers?.['x-wharf-attempts']).toBe(4);
      expect(String(d!.properties.headers?.['x-wharf-death-reason'])).toMatch(
        /failed 4 time\(s\), the limit is 3.*500 WHARF_ERR_INTERNAL/,
      );
      // The service's own error stays in the log (not in the message, which others may read).
      expect(
        ctx.logs.some((l) => /dead-lettered/.test(l.msg) && /cannot handle fail-1/.test(JSON.stringify(l.args))),
      ).toBe(true);
      expect(await raw.ready(q)).toBe(0);
    } finally {
      await inst.stop();
    }
  });

  it('keeps counting attempts across a consumer restart (the count travels in the message)', async () => {
    const q = await queue('restart-count');
    const dead = await queue('restart-count.dead');
    let calls = 0;
    const services: Record<string, TestService> = {
      svc: () => {
        calls++;
        throw new WharfError('WHARF_ERR_UPSTREAM', ['backend down']);
      },
    };
    const config = channelConfig({ queue: q, maxRedeliveries: 4, retryDelayMs: 20, deadLetterRoutingKey: dead });
    const first = await startChannel(config, services);
    await raw.publish(q, { id: 'r' });
    await first.ctx.waitForCalls(2);
    await first.inst.stop();
    const before = calls;
    expect(before).toBeGreaterThanOrEqual(2);
    const second = await startChannel(config, services);
    try {
      await raw.waitReady(dead, 1, 15_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toBe(5);
      const [d] = await raw.drain(dead, 200);
      expect(d!.properties.headers?.['x-wharf-attempts']).toBe(5);
    } finally {
      await second.inst.stop();
    }
  });

  it('changes queue, prefetch and definition live while messages flow, losing nothing', async () => {
    const q1 = await queue('live1');
    const q2 = await queue('live2');
    const seen = new Map<string, number>();
    let concurrent = 0;
    let maxConcurrent = 0;
    const { ctx, inst } = await startChannel(channelConfig({ queue: q1, prefetch: 10 }), {
      svc: async (call) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 20));
        concurrent--;
        const id = idOf(call.payload);
        seen.set(id, (seen.get(id) ?? 0) + 1);
      },
    });
    try {
      const ids1 = Array.from({ length: 300 }, (_, i) => `a${i}`);
      const publishing = (async () => {
        for (let i = 0; i < ids1.length; i += 20)
          await raw.publishMany(
            q1,
            ids1.slice(i, i + 20).map((id) => ({ id })),
          );
      })();
      await waitFor(() => seen.size >= 60, 15_000, '60 messages from q1');
      const inFlightAtSwitch = concurrent;
      await inst.reconfigure({ ...channelConfig({ queue: q2, prefetch: 2, definition: 'rabbit2' }) });
      await publishing;
      // Everything from q1 was either processed before the switch or is still in q1; nothing both, nothing lost.
      const processed1 = ids1.filter((id) => seen.has(id));
      const left = await raw.drain(q1, 300);
      const leftIds = left.map((m) => idOf(JSON.parse(m.content.toString())));
      expect(processed1.length + leftIds.length).toBe(300);
      expect(new Set([...processed1, ...leftIds]).size).toBe(300);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect(inFlightAtSwitch).toBeGreaterThanOrEqual(0);

      await waitUp(inst);
      maxConcurrent = 0;
      const ids2 = Array.from({ length: 60 }, (_, i) => `b${i}`);
      await raw.publishMany(
        q2,
        ids2.map((id) => ({ id })),
      );
      await waitFor(() => ids2.every((id) => seen.has(id)), 15_000, 'all q2 messages');
      expect(maxConcurrent).toBeLessThanOrEqual(2);
      expect(ctx.logs.some((l) => /reconfiguring/.test(l.msg))).toBe(true);
    } finally {
      await inst.stop();
    }
  });

  it('shares a queue between workers as competing consumers', async () => {
    const q = await queue('competing');
    const byWorker: Array<Set<string>> = [new Set(), new Set()];
    const start = (w: 0 | 1) => {
      const ctx = createTestContext({
        workerId: w + 1,
        objects,
        services: {
          svc: async (call) => {
            await new Promise((r) => setTimeout(r, 5));
            byWorker[w]!.add(idOf(call.payload));
          },
        },
      });
      return startChannel(channelConfig({ queue: q, prefetch: 5 }), {}, ctx);
    };
    const [a, b] = await Promise.all([start(0), start(1)]);
    try {
      await raw.publishMany(
        q,
        Array.from({ length: 200 }, (_, i) => ({ id: `c${i}` })),
      );
      await waitFor(() => byWorker[0]!.size + byWorker[1]!.size === 200, 15_000, '200 messages');
      expect(byWorker[0]!.size).toBeGreaterThan(0);
      expect(byWorker[1]!.size).toBeGreaterThan(0);
      expect(new Set([...byWorker[0]!, ...byWorker[1]!]).size).toBe(200);
    } finally {
      await a.inst.stop();
      await b.inst.stop();
    }
  });

  it('applies service and format changes to the next message without a new consumer', async () => {
    const q = await queue('swap');
    const ctx = createTestContext({ services: { a: () => 'a', b: () => 'b' }, objects });
    const { inst } = await startChannel(channelConfig({ queue: q, service: 'a' }), {}, ctx);
    try {
      await raw.publish(q, { id: 1 });
      await ctx.waitForCalls(1);
      await inst.reconfigure(channelConfig({ queue: q, service: 'b', dataFormat: 'plain' }));
      expect(inst.health().status).toBe('up');
      await raw.publish(q, 'text');
      await ctx.waitForCalls(2);
      expect(ctx.calls.map((c) => c.service)).toEqual(['a', 'b']);
      expect(ctx.calls[1]!.payload).toBe('text');
    } finally {
      await inst.stop();
    }
  });

  it('stops gracefully mid-stream: messages in progress finish, the rest return to the queue', async () => {
    const q = await queue('graceful');
    const done = new Set<string>();
    const started = new Set<string>();
    const { inst } = await startChannel(channelConfig({ queue: q, prefetch: 10 }), {
      svc: async (call) => {
        const id = idOf(call.payload);
        started.add(id);
        await new Promise((r) => setTimeout(r, 50));
        done.add(id);
      },
    });
    const ids = Array.from({ length: 200 }, (_, i) => `g${i}`);
    await raw.publishMany(
      q,
      ids.map((id) => ({ id })),
    );
    await waitFor(() => done.size >= 30, 15_000, '30 processed');
    await inst.stop();
    expect(inst.health().status).toBe('stopped');
    // Every message the service started was finished (drained), and is not in the queue any more.
    expect([...started].every((id) => done.has(id))).toBe(true);
    const left = await raw.drain(q, 300);
    const leftIds = left.map((m) => idOf(JSON.parse(m.content.toString())));
    expect(done.size + leftIds.length).toBe(200);
    expect(new Set([...done, ...leftIds]).size).toBe(200);
  });

  it('bounds the stop: messages still running after drainTimeoutMs go back to the queue', async () => {
    const q = await queue('slow-stop');
    const { ctx, inst } = await startChannel(channelConfig({ queue: q, prefetch: 3, drainTimeoutMs: 300 }), {
      svc: () => new Promise((r) => setTimeout(r, 3_000)),
    });
    await raw.publishMany(q, [{ id: 1 }, { id: 2 }, { id: 3 }]);
    await ctx.waitForCalls(3);
    const t0 = Date.now();
    await inst.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    await raw.waitReady(q, 3);
    const left = await raw.drain(q, 200);
    expect(left.length).toBe(3);
    expect(left.every((m) => m.fields.redelivered)).toBe(true);
  });

  it('reports a missing queue as down with the reason, and starts consuming once it exists', async () => {
    const name = uniqueName('wharf.test.late');
    queues.add(name);
    const ctx = createTestContext({ services: { svc: () => undefined }, objects });
    const inst = amqpChannelConnector.create(channelConfig({ queue: name }), ctx);
    await inst.start();
    try {
      await waitFor(() => inst.health().status === 'down', 10_000, 'down');
      expect(inst.health().detail).toMatch(
        new RegExp(`cannot consume queue ${name.replace(/\./g, '\\.')}: .*NOT_FOUND`),
      );
      await raw.queue(name);
      await waitUp(inst);
      await raw.publish(name, { id: 1 });
      await ctx.waitForCalls(1);
    } finally {
      await inst.stop();
    }
  });

  it('re-consumes after the queue is deleted and declared again', async () => {
    const q = await queue('deleted');
    const { ctx, inst } = await startChannel(channelConfig({ queue: q }), { svc: () => undefined });
    try {
      await raw.delete(q);
      await waitFor(() => inst.health().status !== 'up', 10_000, 'not up after delete');
      await raw.queue(q);
      await waitUp(inst);
      await raw.publish(q, { id: 1 });
      await ctx.waitForCalls(1);
    } finally {
      await inst.stop();
    }
  });

  it('idles while its definition is inactive and consumes once it is active again', async () => {
    const q = await queue('inactive');
    const ctx = createTestContext({
      services: { svc: () => undefined },
      objects: { 'definitions.amqp/rabbit': testDefinition('rabbit', { active: false }) },
    });
    const inst = amqpChannelConnector.create(channelConfig({ queue: q }), ctx);
    await inst.start();
    try {
      expect(inst.health()).toEqual({ status: 'down', detail: 'AMQP definition `rabbit` is not active' });
      await raw.publish(q, { id: 1 });
      ctx.objects.set('definitions.amqp/rabbit', testDefinition('rabbit'));
      await inst.reconfigure(channelConfig({ queue: q })); // what the server does when a referenced object changes
      await waitUp(inst);
      await ctx.waitForCalls(1);
      ctx.objects.set('definitions.amqp/rabbit', testDefinition('rabbit', { active: false }));
      await inst.reconfigure(channelConfig({ queue: q }));
      expect(inst.health().status).toBe('down');
    } finally {
      await inst.stop();
    }
  });

  it('refuses to start without its definition, with a clear error', async () => {
    const ctx = createTestContext({ objects });
    const inst = amqpChannelConnector.create(channelConfig({ queue: 'x', definition: 'nope' }), ctx);
    await expect(inst.start()).rejects.toThrow(/channel test-channel: AMQP definition `nope` does not exist/);
    await inst.stop();
  });
});

describe('outgoing.amqp errors', () => {
  it('fails an unroutable message (mandatory) instead of dropping it', async () => {
    const { inst, out } = await startOutgoing(outgoingConfig({ routingKey: uniqueName('wharf.test.nobody') }));
    try {
      const e = await out.send('x').catch((err: unknown) => err);
      expect(e).toBeInstanceOf(WharfError);
      expect((e as WharfError).code).toBe('WHARF_ERR_UPSTREAM');
      expect((e as WharfError).message).toMatch(/AMQP outgoing test-out: .*not routed \(312 NO_ROUTE\)/);
    } finally {
      await inst.stop();
    }
  });

  it('reports a missing exchange from the broker and keeps working afterwards', async () => {
    const q = await queue('after-404');
    const { inst, out } = await startOutgoing(outgoingConfig({ routingKey: q }));
    try {
      const e = (await out
        .send('x', { exchange: 'wharf.no.such.exchange' })
        .catch((err: unknown) => err)) as WharfError;
      expect(e.code).toBe('WHARF_ERR_UPSTREAM');
      expect(e.message).toMatch(/broker closed the channel: .*404.*NOT_FOUND.*no exchange 'wharf\.no\.such\.exchange'/);
      await out.send({ id: 'after' });
      const got = await raw.drain(q, 200);
      expect(got.map((m) => m.content.toString())).toEqual(['{"id":"after"}']);
    } finally {
      await inst.stop();
    }
  });

  it('refuses bad send options and sends after stop with clear errors', async () => {
    const q = await queue('opts');
    const { inst, out } = await startOutgoing(outgoingConfig({ routingKey: q }));
    await expect(out.send('x', { priority: 999 })).rejects.toMatchObject({
      code: 'WHARF_ERR_BAD_REQUEST',
      status: 400,
    });
    await inst.stop();
    await expect(out.send('x')).rejects.toMatchObject({
      code: 'WHARF_ERR_CONNECTION_INACTIVE',
      message: 'Connection `AMQP outgoing test-out` is not active',
    });
  });

  it('fails a send within sendTimeoutMs when the broker cannot be reached, naming the connection', async () => {
    const ctx = createTestContext({
      objects: { 'definitions.amqp/nowhere': testDefinition('nowhere', { port: 1, reconnectMaxDelayMs: 200 }) },
    });
    const inst = amqpOutgoingConnector.create(
      outgoingConfig({ definition: 'nowhere', routingKey: 'q', sendTimeoutMs: 700 }),
      ctx,
    );
    await inst.start();
    try {
      const t0 = Date.now();
      const e = (await (inst.handle?.() as AmqpOutgoing).send('x').catch((err: unknown) => err)) as WharfError;
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(e.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
      expect(e.message).toMatch(
        /AMQP outgoing test-out: .*not confirmed by amqp:\/\/guest@127\.0\.0\.1:1\/ within 700 ms.*ECONNREFUSED/,
      );
      expect(inst.health()).toMatchObject({ status: 'down' });
      expect(inst.health().detail).toMatch(/ECONNREFUSED/);
    } finally {
      await inst.stop();
    }
  });

  it('publishes without confirms when publisherConfirms is off', async () => {
    const q = await queue('noconfirm');
    const { inst, out } = await startOutgoing(
      outgoingConfig({ routingKey: q, publisherConfirms: false, deliveryMode: 1 }),
    );
    try {
      for (let i = 0; i < 20; i++) await out.send(`n${i}`);
      await raw.waitReady(q, 20);
      const got = await raw.drain(q, 200);
      expect(got.map((m) => m.content.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
    } finally {
      await inst.stop();
    }
  });

  it('fails sends while its definition is inactive, saying so', async () => {
    const ctx = createTestContext({
      objects: { 'definitions.amqp/rabbit': testDefinition('rabbit', { active: false }) },
    });
    const inst = amqpOutgoingConnector.create(outgoingConfig({ routingKey: 'q' }), ctx);
    await inst.start();
    try {
      await expect((inst.handle?.() as AmqpOutgoing).send('x')).rejects.toMatchObject({
        code: 'WHARF_ERR_CONNECTION_INACTIVE',
        message: 'Connection `AMQP outgoing test-out (AMQP definition `rabbit` is not active)` is not active',
      });
      expect(inst.health().status).toBe('down');
    } finally {
      await inst.stop();
    }
  });

  it('reports wrong credentials in health', async () => {
    const ctx = createTestContext({
      objects: { 'definitions.amqp/badpw': testDefinition('badpw', { password: 'wrong' }) },
    });
    const inst = amqpOutgoingConnector.create(outgoingConfig({ definition: 'badpw', routingKey: 'q' }), ctx);
    await inst.start();
    try {
      await waitFor(() => inst.health().status === 'down', 10_000, 'down');
      expect(inst.health().detail).toMatch(/ACCESS_REFUSED|403/);
    } finally {
      await inst.stop();
    }
  });
});
