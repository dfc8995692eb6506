/**
 * channels.zeromq and outgoing.zeromq over real ZeroMQ sockets (zeromq.js / libzmq) on loopback TCP:
 * conformance for both kinds, PUSH → channel (PULL bind) → service, SUB prefix filtering and live
 * prefix changes, multipart messages, bad input and failing services, the once-per-cluster lease for
 * bound sockets, connecting PULLs in several workers, a bound port released by stop, send timeouts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Publisher, Pull, Push, Subscriber } from 'zeromq';
import { zeromqChannelConnector, type ZeromqChannelConfig } from '../../src/channels/zeromq/index.js';
import { createTestContext, type TestContext, type TestService } from '../support/connectors/context.js';
import { runConformance } from '../support/connectors/conformance.js';
import type { Connector, ConnectorContext, Lease } from '../../src/connectors/types.js';
import { WharfError } from '../../src/errors.js';
import {
  zeromqOutgoingConnector,
  type ZeromqOutgoing,
  type ZeromqOutgoingConfig,
} from '../../src/outgoing/zeromq/index.js';
import { MAX_IN_A_ROW } from '../../src/outgoing/zeromq/sender.js';
import { freePort } from '../helpers/env.js';
import { sleep } from '../helpers/wait.js';

const RUN = randomUUID().slice(0, 8);
let seq = 0;
async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

const address = async (): Promise<string> => `tcp://127.0.0.1:${await freePort()}`;

const sockets = new Set<{ close(): void; closed: boolean }>();
function track<T extends { close(): void; closed: boolean }>(s: T): T {
  sockets.add(s);
  return s;
}
afterAll(() => {
  for (const s of sockets) if (!s.closed) s.close();
});

const bodies = (ctx: TestContext): string[] => ctx.calls.map((c) => c.raw.toString());

/** Sends with `send` every 50 ms until the context saw `body` (PUB/SUB drops until subscribed). */
async function sendUntilSeen(ctx: TestContext, body: string, send: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!bodies(ctx).includes(body)) {
    if (Date.now() > deadline) throw new Error(`message ${body} never arrived`);
    await send();
    await sleep(50);
  }
}

function channelConfig(extra: Partial<ZeromqChannelConfig> & { address: string }): ZeromqChannelConfig {
  return zeromqChannelConnector.kind.schema.parse({ name: `zch-${RUN}-${++seq}`, service: 'svc', ...extra });
}

const running = new Set<Connector>();
afterAll(async () => {
  for (const r of running) await r.stop();
});

async function startChannel(
  config: ZeromqChannelConfig,
  services: Record<string, TestService> = { svc: () => undefined },
  ctx?: ConnectorContext,
): Promise<{ inst: Connector<ZeromqChannelConfig>; ctx: TestContext }> {
  const tctx = createTestContext({ services });
  const inst = zeromqChannelConnector.create(config, ctx ?? tctx);
  running.add(inst);
  await inst.start();
  return { inst, ctx: tctx };
}

async function startOutgoing(
  extra: Partial<ZeromqOutgoingConfig> & { address: string },
): Promise<{ inst: Connector<ZeromqOutgoingConfig>; zmq: ZeromqOutgoing; config: ZeromqOutgoingConfig }> {
  const config = zeromqOutgoingConnector.kind.schema.parse({ name: `zout-${RUN}-${++seq}`, ...extra });
  const inst = zeromqOutgoingConnector.create(config, createTestContext());
  running.add(inst);
  await inst.start();
  return { inst, zmq: inst.handle!() as ZeromqOutgoing, config };
}

// ------------------------------------------------------------------------------------------------

const pushers = new Map<string, Push>();
const publishers = new Map<string, Publisher>();

runConformance<ZeromqChannelConfig>({
  title: 'channels.zeromq over zeromq sockets',
  kind: zeromqChannelConnector,
  services: { svc: () => undefined, other: () => undefined },
  config: async () => channelConfig({ address: await address() }),
  reconfigure: async (c) => ({
    ...c,
    address: await address(),
    socketType: 'SUB',
    subPrefixes: ['orders.'],
    dataFormat: 'plain',
    service: 'other',
    concurrency: 4,
  }),
  async exercise(_inst, c, ctx) {
    const body = JSON.stringify({ id: randomUUID() });
    if (c.socketType === 'PULL') {
      let push = pushers.get(c.address);
      if (!push) {
        push = track(new Push({ linger: 0 }));
        push.connect(c.address);
        pushers.set(c.address, push);
      }
      await push.send(body);
      await ctx.waitForCalls(ctx.calls.length + 1);
      await eventually(() => bodies(ctx).includes(body), 'the message');
    } else {
      let pub = publishers.get(c.address);
      if (!pub) {
        pub = track(new Publisher({ linger: 0 }));
        pub.connect(c.address);
        publishers.set(c.address, pub);
      }
      const p = pub;
      await sendUntilSeen(ctx, body, () => p.send(['orders.new', body]));
      const call = ctx.calls.find((x) => x.raw.toString() === body)!;
      expect(call.inv.headers?.['zmq-topic']).toBe('orders.new');
    }
    const call = ctx.calls.find((x) => x.raw.toString() === body)!;
    expect(call.service).toBe(c.service);
    expect(call.inv.channel).toEqual({ name: c.name, kind: 'zeromq', dataFormat: c.dataFormat });
  },
  invalid: [
    { input: { name: 'x', address: 'http://h:1', service: 's' }, message: /address: must look like tcp:\/\/host:port/ },
    {
      input: { name: 'x', address: 'tcp://h:70000', service: 's' },
      message: /address: the port must be between 1 and 65535/,
    },
    { input: { name: 'x', address: 'tcp://h', service: 's' }, message: /address: must look like tcp:\/\/host:port/ },
    {
      input: { name: 'x', address: 'tcp://h:1', service: 's', socketType: 'PUSH' },
      message: /socketType: Invalid option/,
    },
    {
      input: { name: 'x', address: 'tcp://h:1', service: 's', multipart: 'zip' },
      message: /multipart: Invalid option/,
    },
    { input: { name: 'x', address: 'tcp://h:1', service: 's', concurrency: 0 }, message: /concurrency: Too small/ },
    { input: { name: 'x', address: 'tcp://h:1' }, message: /service: / },
  ],
});

const pullers = new Map<string, Pull>();
const subscribers = new Map<string, Subscriber>();

runConformance<ZeromqOutgoingConfig>({
  title: 'outgoing.zeromq over zeromq sockets',
  kind: zeromqOutgoingConnector,
  config: async () =>
    zeromqOutgoingConnector.kind.schema.parse({ name: `zout-${RUN}-${++seq}`, address: await address() }),
  reconfigure: async (c) => ({
    ...c,
    address: await address(),
    socketType: 'PUB',
    topic: 'news',
    sendTimeoutMs: 1_000,
  }),
  async exercise(inst, c) {
    const zmq = inst.handle!() as ZeromqOutgoing;
    const body = randomUUID();
    if (c.socketType === 'PUSH') {
      let pull = pullers.get(c.address);
      if (!pull) {
        pull = track(new Pull({ linger: 0 }));
        await pull.bind(c.address);
        pullers.set(c.address, pull);
      }
      await zmq.send(body);
      const frames = await pull.receive();
      expect(frames.map(String)).toEqual([body]);
    } else {
      let sub = subscribers.get(c.address);
      if (!sub) {
        sub = track(new Subscriber({ linger: 0 }));
        sub.subscribe('news');
        await sub.bind(c.address);
        subscribers.set(c.address, sub);
      }
      const s = sub;
      const got = (async () => {
        for (;;) {
          const frames = (await s.receive()).map(String);
          if (frames[1] === body) return frames;
        }
      })();
      let done = false;
      void got.then(() => (done = true));
      while (!done) {
        await zmq.send(body);
        await sleep(50);
      }
      expect(await got).toEqual(['news', body]);
    }
  },
  invalid: [
    { input: { name: 'x', address: 'udp://h:1' }, message: /address: must look like tcp:\/\/host:port/ },
    { input: { name: 'x', address: 'tcp://h:1', socketType: 'PULL' }, message: /socketType: Invalid option/ },
    { input: { name: 'x', address: 'tcp://h:1', sendTimeoutMs: -1 }, message: /sendTimeoutMs: Too small/ },
    { input: { name: 'x' }, message: /address: / },
  ],
});

// ------------------------------------------------------------------------------------------------

describe('channels.zeromq: messages', () => {
  it('PUSH (outgoing) → channel (PULL bind) → service: every message, in order', async () => {
    const addr = await address();
    const { ctx } = await startChannel(channelConfig({ address: addr }));
    const { zmq, inst } = await startOutgoing({ address: addr });
    for (let i = 0; i < 200; i++) await zmq.send({ i });
    await ctx.waitForCalls(200);
    expect(ctx.calls.map((c) => (c.payload as { i: number }).i)).toEqual([...Array(200).keys()]);
    expect(ctx.calls[0]?.inv.headers).toEqual({ 'zmq-socket': 'PULL', 'zmq-frames': '1' });
    await inst.stop();
  });

  it('SUB with prefixes gets only matching topics, and prefixes change live', async () => {
    const addr = await address();
    const config = channelConfig({ address: addr, socketType: 'SUB', subPrefixes: ['orders.', 'invoices.'] });
    const { inst, ctx } = await startChannel(config);
    const { zmq } = await startOutgoing({ address: addr, socketType: 'PUB' });
    await sendUntilSeen(ctx, '{"probe":1}', () => zmq.send('{"probe":1}', { topic: 'orders.probe' }));
    const before = ctx.calls.length;
    await zmq.send('{"n":1}', { topic: 'orders.new' });
    await zmq.send('{"n":2}', { topic: 'payments.new' });
    await zmq.send('{"n":3}', { topic: 'invoices.paid' });
    await zmq.send(['{"n":4}'], { topic: 'orders' }); // not a match: the prefix is `orders.`
    await zmq.send('{"n":5}', { topic: 'orders.end' });
    await ctx.waitForCalls(before + 3);
    await sleep(200);
    const seen = ctx.calls.slice(before).map((c) => [c.inv.headers?.['zmq-topic'], (c.payload as { n: number }).n]);
    expect(seen).toEqual([
      ['orders.new', 1],
      ['invoices.paid', 3],
      ['orders.end', 5],
    ]);

    await inst.reconfigure({ ...config, subPrefixes: ['payments.'] });
    const mark = ctx.calls.length;
    await sendUntilSeen(ctx, '{"n":6}', () => zmq.send('{"n":6}', { topic: 'payments.x' }));
    await zmq.send('{"n":7}', { topic: 'orders.new' });
    await zmq.send('{"n":8}', { topic: 'payments.y' });
    await eventually(() => bodies(ctx).includes('{"n":8}'), 'payments.y');
    await sleep(200);
    expect(ctx.calls.slice(mark).map((c) => c.inv.headers?.['zmq-topic'])).not.toContain('orders.new');
  });

  it('multipart: frames joined, or passed as a JSON list; single-frame SUB messages keep their prefix as topic', async () => {
    const a1 = await address();
    const a2 = await address();
    const joined = await startChannel(channelConfig({ address: a1, dataFormat: 'plain' }));
    const listed = await startChannel(channelConfig({ address: a2, multipart: 'list' }));
    const p1 = await startOutgoing({ address: a1 });
    const p2 = await startOutgoing({ address: a2 });
    await p1.zmq.send(['hello ', Buffer.from('wor'), 'ld']);
    await p2.zmq.send(['a', 'b', Buffer.from('ü')]);
    await joined.ctx.waitForCalls(1);
    await listed.ctx.waitForCalls(1);
    expect(joined.ctx.calls[0]?.payload).toBe('hello world');
    expect(joined.ctx.calls[0]?.inv.headers?.['zmq-frames']).toBe('3');
    expect(listed.ctx.calls[0]?.payload).toEqual(['a', 'b', 'ü']);

    const a3 = await address();
    const sub = await startChannel(
      channelConfig({ address: a3, socketType: 'SUB', subPrefixes: ['temp:'], dataFormat: 'plain' }),
    );
    const pub = track(new Publisher({ linger: 0 }));
    pub.connect(a3);
    await sendUntilSeen(sub.ctx, 'temp:21.5', () => pub.send('temp:21.5'));
    const call = sub.ctx.calls.find((c) => c.raw.toString() === 'temp:21.5')!;
    expect(call.inv.headers?.['zmq-topic']).toBe('temp:');
  });

  it('one message failing does not affect the others: every message reaches the service once, in order', async () => {
    const addr = await address();
    const { ctx } = await startChannel(channelConfig({ address: addr }), {
      svc: (call) => {
        if ((call.payload as { i: number }).i % 7 === 0) throw new Error('every seventh fails');
      },
    });
    const { zmq } = await startOutgoing({ address: addr });
    const n = 1_200; // more than zeromq.js receives in a row before it yields to the event loop (512)
    for (let i = 0; i < n; i++) await zmq.send({ i });
    await ctx.waitForCalls(n);
    await sleep(100);
    expect(ctx.calls.map((c) => (c.payload as { i: number }).i)).toEqual([...Array(n).keys()]);
    expect(new Set(ctx.calls.map((c) => c.cid)).size).toBe(n);
    expect(
      ctx.logs.filter((l) => l.level === 'error' && /every seventh fails|WHARF_ERR_INTERNAL/.test(l.msg)),
    ).toHaveLength(Math.ceil(n / 7));
  });

  it('logs bad input and failing services, and keeps consuming', async () => {
    const addr = await address();
    const { ctx } = await startChannel(channelConfig({ address: addr }), {
      svc: (call) => {
        if ((call.payload as { fail?: boolean }).fail) throw new Error('boom');
      },
    });
    const { zmq } = await startOutgoing({ address: addr });
    await zmq.send('{"broken"');
    await zmq.send('{"fail":true}');
    await zmq.send('{"ok":true}');
    await eventually(() => bodies(ctx).includes('{"ok":true}'), 'the good message');
    expect(ctx.logs.find((l) => l.level === 'warn')?.msg).toMatch(
      /rejected a message \(9 bytes, cid .+, WHARF_ERR_MALFORMED_BODY: .+\): bad input/,
    );
    expect(ctx.logs.find((l) => l.level === 'error')?.msg).toMatch(
      /service `svc` failed on a message .+WHARF_ERR_INTERNAL.+; ZeroMQ has no redelivery, the message is dropped/,
    );
  });
});

describe('channels.zeromq: placement and lifecycle', () => {
  it('releases the bound port on stop: the address can be bound again at once', async () => {
    const addr = await address();
    const { inst, ctx } = await startChannel(channelConfig({ address: addr }));
    await eventually(() => inst.health().status === 'up', 'bound');
    const peer = track(new Push({ linger: 0 }));
    peer.connect(addr);
    await peer.send('{"x":1}');
    await ctx.waitForCalls(1);
    await inst.stop();
    expect(inst.health().status).toBe('stopped');
    const again = track(new Pull({ linger: 0 }));
    await again.bind(addr);
    again.close();
    const next = await startChannel(channelConfig({ address: addr }));
    await eventually(() => next.inst.health().status === 'up', 'bound again');
    await peer.send('{"x":2}');
    await next.ctx.waitForCalls(1);
    expect(next.ctx.calls[0]?.payload).toEqual({ x: 2 });
  });

  it('reports a bind failure and retries until the address is free', async () => {
    const addr = await address();
    const squatter = track(new Pull({ linger: 0 }));
    await squatter.bind(addr);
    const { inst, ctx } = await startChannel(channelConfig({ address: addr }));
    await eventually(() => inst.health().status === 'down', 'the bind failure');
    expect(inst.health()).toMatchObject({
      status: 'down',
      detail: expect.stringMatching(new RegExp(`^cannot bind ${addr}: .*Address already in use`)),
    });
    await squatter.unbind(addr);
    squatter.close();
    await eventually(() => inst.health().status === 'up', 'bound after the retry', 6_000);
    const push = track(new Push({ linger: 0 }));
    push.connect(addr);
    await push.send('{"after":"retry"}');
    await ctx.waitForCalls(1);
  });

  it('binds once per cluster: a second instance stands by under the lease and takes over', async () => {
    const leases = new Map<string, symbol>();
    function exclusive(base: TestContext, me: symbol): ConnectorContext {
      return {
        ...base,
        invoke: (inv) => base.invoke(inv),
        resolve: (k, n) => base.resolve(k, n),
        async lease(name, opts): Promise<Lease> {
          while (leases.has(name) && leases.get(name) !== me) {
            if (opts?.signal?.aborted) throw new Error('aborted');
            await sleep(20);
          }
          leases.set(name, me);
          const ac = new AbortController();
          return {
            name,
            get held() {
              return leases.get(name) === me;
            },
            signal: ac.signal,
            async release() {
              if (leases.get(name) === me) leases.delete(name);
              ac.abort();
            },
          };
        },
      };
    }
    const addr = await address();
    const config = channelConfig({ address: addr });
    const ctxA = createTestContext({ services: { svc: () => undefined } });
    const ctxB = createTestContext({ services: { svc: () => undefined } });
    const a = zeromqChannelConnector.create(config, exclusive(ctxA, Symbol('a')));
    const b = zeromqChannelConnector.create(config, exclusive(ctxB, Symbol('b')));
    running.add(a).add(b);
    await a.start();
    await b.start();
    await eventually(() => a.health().status === 'up' && a.health().detail === undefined, 'a bound');
    expect(b.health()).toEqual({
      status: 'up',
      detail: `standby: waiting for the cluster lease connector:channels.zeromq/${config.name} (a bound address runs once per cluster)`,
    });
    const push = track(new Push({ linger: 0 }));
    push.connect(addr);
    await push.send('{"to":"a"}');
    await ctxA.waitForCalls(1);
    await a.stop();
    await eventually(() => b.health().status === 'up' && b.health().detail === undefined, 'b took over');
    await push.send('{"to":"b"}');
    await ctxB.waitForCalls(1);
    expect(ctxB.calls[0]?.payload).toEqual({ to: 'b' });
    expect(ctxB.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('connecting PULL channels run in every worker and share the messages', async () => {
    const addr = await address();
    const push = track(new Push({ linger: 0 }));
    await push.bind(addr);
    const config = channelConfig({ address: addr, bind: false });
    const w1 = await startChannel(config);
    const w2 = await startChannel(config);
    await sleep(300); // both connected before sending, so PUSH round-robins
    for (let i = 0; i < 20; i++) await push.send(JSON.stringify({ i }));
    await eventually(() => w1.ctx.calls.length + w2.ctx.calls.length === 20, 'all 20 messages');
    expect(w1.ctx.calls.length).toBeGreaterThan(0);
    expect(w2.ctx.calls.length).toBeGreaterThan(0);
  });
});

describe('outgoing.zeromq: semantics', () => {
  it('fails with a clear error when a PUSH cannot queue within sendTimeoutMs', async () => {
    const addr = await address();
    const { zmq, config } = await startOutgoing({ address: addr, sendTimeoutMs: 200, sendHighWaterMark: 1 });
    let err: unknown;
    for (let i = 0; i < 10 && err === undefined; i++) {
      await zmq.send(`m${i}`).catch((e: unknown) => (err = e));
    }
    expect(err).toBeInstanceOf(WharfError);
    expect((err as WharfError).code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect((err as WharfError).message).toBe(
      `ZeroMQ connection \`${config.name}\`: could not queue the message to ${addr} within 200 ms (no PULL peer connected, or every peer's queue is full)`,
    );
  });

  it('with sendTimeoutMs 0, a send that cannot be queued fails at once', async () => {
    const { zmq } = await startOutgoing({ address: await address(), sendTimeoutMs: 0, sendHighWaterMark: 1 });
    let err: unknown;
    const t0 = Date.now();
    for (let i = 0; i < 10 && err === undefined; i++) await zmq.send(`m${i}`).catch((e: unknown) => (err = e));
    expect((err as WharfError | undefined)?.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('a send that finds ZeroMQ’s queue full waits for room and goes once the peer reads; order kept', async () => {
    const addr = await address();
    const pull = track(new Pull({ linger: 0, receiveHighWaterMark: 1 }));
    await pull.bind(addr);
    const { zmq } = await startOutgoing({ address: addr, sendTimeoutMs: 10_000, sendHighWaterMark: 1 });
    const n = 100;
    const pad = 'x'.repeat(256 * 1024); // 25 MB in all: more than the queues and TCP buffers hold
    let done = 0;
    const sends = Array.from({ length: n }, (_, i) => zmq.send(`m${i} ${pad}`).then(() => void done++));
    await sleep(300);
    expect(done).toBeLessThan(n); // a few are queued; the others wait for room
    const got: string[] = [];
    for (let i = 0; i < n; i++) got.push(String((await pull.receive())[0]).split(' ')[0]!);
    await Promise.all(sends);
    expect(got).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
  });

  it('immediate sends in a row still let the event loop run', async () => {
    const addr = await address();
    const pull = track(new Pull({ linger: 0, receiveHighWaterMark: 0 }));
    await pull.bind(addr);
    const { zmq } = await startOutgoing({ address: addr, sendHighWaterMark: 0 });
    await zmq.send('probe');
    await pull.receive();
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const n = 3 * MAX_IN_A_ROW;
    for (let i = 0; i < n; i++) await zmq.send(`m${i}`);
    const during = turns;
    spinning = false;
    expect(during).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < n; i++) expect(String((await pull.receive())[0])).toBe(`m${i}`);
  });

  it('refuses a topic on a PUSH socket and sends after stop fail', async () => {
    const { inst, zmq, config } = await startOutgoing({ address: await address() });
    await expect(zmq.send('x', { topic: 't' })).rejects.toMatchObject({
      status: 400,
      message: `ZeroMQ connection \`${config.name}\` is a PUSH socket: only PUB sends a topic frame`,
    });
    await inst.stop();
    await expect(zmq.send('x')).rejects.toMatchObject({ code: 'WHARF_ERR_CONNECTION_INACTIVE' });
  });

  it('delivers messages queued before the peer binds (PUSH connect), in order', async () => {
    const addr = await address();
    const { zmq } = await startOutgoing({ address: addr });
    await zmq.send('first');
    await zmq.send(['second', 'part']);
    const pull = track(new Pull({ linger: 0 }));
    await pull.bind(addr);
    expect((await pull.receive()).map(String)).toEqual(['first']);
    expect((await pull.receive()).map(String)).toEqual(['second', 'part']);
  });
});
