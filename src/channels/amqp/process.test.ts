import type { Message, MessageProperties, Options } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { PublishError } from '../../connectors/amqp/publisher.js';
import { WharfError } from '../../errors.js';
import { codecs } from '../../service/formats/index.js';
import type { InvocationResult } from '../../service/pipeline.js';
import type { ServiceLogger } from '../../service/service.js';
import type { MessageInvocation } from '../../connectors/types.js';
import { amqpChannelKind } from './kind.js';
import { copyProperties, requestHeaders } from './message.js';
import { processDelivery, retryDelay, type DeliveryIO } from './process.js';

function message(body: string, props: Partial<MessageProperties> = {}): Message {
  const properties = {
    contentType: undefined,
    contentEncoding: undefined,
    headers: undefined,
    deliveryMode: 2,
    priority: undefined,
    correlationId: undefined,
    replyTo: undefined,
    expiration: undefined,
    messageId: undefined,
    timestamp: undefined,
    type: undefined,
    userId: undefined,
    appId: undefined,
    clusterId: undefined,
    ...props,
  } as MessageProperties;
  return {
    content: Buffer.from(body),
    fields: { deliveryTag: 7, redelivered: false, exchange: 'ex', routingKey: 'rk', consumerTag: 't' },
    properties,
  };
}

interface Published {
  exchange: string;
  routingKey: string;
  body: Buffer;
  options: Options.Publish;
  mandatory: boolean;
}

function fakeIO(publishFails?: (p: Published) => PublishError | undefined) {
  const log: string[] = [];
  const published: Published[] = [];
  const ac = new AbortController();
  const io: DeliveryIO = {
    ack: () => (log.push('ack'), true),
    nack: (requeue) => (log.push(`nack requeue=${requeue}`), true),
    publish: async (exchange, routingKey, body, options, mandatory) => {
      const p = { exchange, routingKey, body, options, mandatory };
      const err = publishFails?.(p);
      if (err) throw err;
      published.push(p);
      log.push(`publish ${exchange}/${routingKey}`);
    },
    signal: ac.signal,
  };
  return { io, log, published, ac };
}

function logger() {
  const lines: Array<{ level: string; msg: string; args: unknown[] }> = [];
  const l =
    (level: string) =>
    (msg: string, ...args: unknown[]) =>
      void lines.push({ level, msg, args });
  const lg: ServiceLogger = { debug: l('debug'), info: l('info'), warn: l('warn'), error: l('error') };
  return { lg, lines };
}

const config = (o: Record<string, unknown> = {}) =>
  amqpChannelKind.schema.parse({
    name: 'orders',
    definition: 'd',
    queue: 'q',
    service: 's',
    maxRedeliveries: 2,
    retryDelayMs: 0,
    ...o,
  });

function invoker(fn: (inv: MessageInvocation) => unknown) {
  const seen: MessageInvocation[] = [];
  return {
    seen,
    invoke: async (inv: MessageInvocation): Promise<InvocationResult> => {
      seen.push(inv);
      const parsed = codecs[inv.dataFormat].parse(inv.raw, { maxDepth: 64 });
      void parsed;
      const output = await fn(inv);
      return { statusCode: 200, headers: {}, contentType: undefined, output, value: output };
    },
  };
}

describe('processDelivery', () => {
  it('acks only after the service succeeded and passes headers and properties', async () => {
    const { io, log } = fakeIO();
    const inv = invoker(() => ({ ok: true }));
    const out = await processDelivery(
      message('{"a":1}', { headers: { Tenant: 'acme', n: 5 }, correlationId: 'c-1', messageId: 'm-1' }),
      { config: config(), queue: 'q', invoke: inv.invoke, logger: logger().lg },
      io,
    );
    expect(out).toEqual({ outcome: 'acked' });
    expect(log).toEqual(['ack']);
    const h = inv.seen[0]!.headers!;
    expect(h).toMatchObject({
      tenant: 'acme',
      n: '5',
      'amqp-correlation-id': 'c-1',
      'amqp-message-id': 'm-1',
      'amqp-routing-key': 'rk',
      'amqp-attempt': '1',
      'amqp-queue': 'q',
    });
    expect(inv.seen[0]).toMatchObject({
      service: 's',
      dataFormat: 'json',
      timeoutMs: 30_000,
      channel: { name: 'orders', kind: 'amqp' },
    });
  });

  it('publishes the output to replyTo with the correlation id before acking', async () => {
    const { io, log, published } = fakeIO();
    const inv = invoker(() => ({ total: 3 }));
    await processDelivery(
      message('{}', { replyTo: 'replies', correlationId: 'abc' }),
      { config: config(), queue: 'q', invoke: inv.invoke, logger: logger().lg },
      io,
    );
    expect(log).toEqual(['publish /replies', 'ack']);
    expect(JSON.parse(published[0]!.body.toString())).toEqual({ total: 3 });
    expect(published[0]!.options).toMatchObject({ correlationId: 'abc', contentType: 'application/json' });
  });

  it('sends a string output as it is', async () => {
    const { io, published } = fakeIO();
    const inv = invoker(() => 'plain answer');
    await processDelivery(
      message('{}', { replyTo: 'r' }),
      { config: config(), queue: 'q', invoke: inv.invoke, logger: logger().lg },
      io,
    );
    expect(published[0]!.body.toString()).toBe('plain answer');
    expect(published[0]!.options.contentType).toBe('text/plain; charset=utf-8');
  });

  it('dead-letters bad input at once (reject → the queue DLX) and logs the reason', async () => {
    const { io, log } = fakeIO();
    const { lg, lines } = logger();
    const invoke = async (inv: MessageInvocation): Promise<InvocationResult> => {
      codecs.json.parse(inv.raw, { maxDepth: 64 });
      throw new Error('unreachable');
    };
    const out = await processDelivery(message('{not json'), { config: config(), queue: 'q', invoke, logger: lg }, io);
    expect(out).toMatchObject({ outcome: 'dead-lettered', via: 'reject', failures: 1 });
    expect(log).toEqual(['nack requeue=false']);
    const w = lines.find((l) => l.level === 'warn')!;
    expect(w.msg).toMatch(/dead-lettered/);
    expect(JSON.stringify(w.args)).toMatch(/Malformed JSON body/);
  });

  it('republishes a failed message with its failure count, then acks the original', async () => {
    const { io, log, published } = fakeIO();
    const invoke = async (): Promise<InvocationResult> => {
      throw new WharfError('WHARF_ERR_UPSTREAM', ['db down']);
    };
    const msg = message('{}', { headers: { 'x-wharf-attempts': 1, keep: 'me' }, messageId: 'm' });
    const out = await processDelivery(msg, { config: config(), queue: 'q', invoke, logger: logger().lg }, io);
    expect(out).toEqual({ outcome: 'retried', failures: 2 });
    expect(log).toEqual(['publish /q', 'ack']);
    expect(published[0]!.mandatory).toBe(true);
    expect(published[0]!.options.headers).toMatchObject({
      'x-wharf-attempts': 2,
      keep: 'me',
      'x-wharf-last-error': 'WHARF_ERR_UPSTREAM: db down',
    });
    expect(published[0]!.options).toMatchObject({ messageId: 'm', deliveryMode: 2 });
  });

  it('dead-letters to the configured exchange after the limit, with the reason in headers', async () => {
    const { io, log, published } = fakeIO();
    const invoke = async (): Promise<InvocationResult> => {
      throw new Error('kaput');
    };
    const msg = message('{}', { headers: { 'x-wharf-attempts': 2 } });
    const out = await processDelivery(
      msg,
      { config: config({ deadLetterExchange: 'dlx' }), queue: 'q', invoke, logger: logger().lg },
      io,
    );
    expect(out).toMatchObject({ outcome: 'dead-lettered', via: 'exchange', failures: 3 });
    expect(log).toEqual(['publish dlx/rk', 'ack']);
    expect(published[0]!.options.headers).toMatchObject({
      'x-wharf-attempts': 3,
      'x-wharf-error-code': 'WHARF_ERR_INTERNAL',
      'x-wharf-source-queue': 'q',
    });
    expect(String(published[0]!.options.headers['x-wharf-death-reason'])).toMatch(/failed 3 time/);
  });

  it('sends an error reply to a waiting requester when dead-lettering', async () => {
    const { io, log, published } = fakeIO();
    const invoke = async (): Promise<InvocationResult> => {
      throw new WharfError('WHARF_ERR_MISSING_ELEMENT', ['customer']);
    };
    await processDelivery(
      message('{}', { replyTo: 'r', correlationId: 'c' }),
      { config: config(), queue: 'q', invoke, logger: logger().lg },
      io,
    );
    expect(log).toEqual(['publish /r', 'nack requeue=false']);
    expect(published[0]!.options.headers).toMatchObject({
      'x-wharf-status': 400,
      'x-wharf-error-code': 'WHARF_ERR_MISSING_ELEMENT',
    });
    expect(published[0]!.options.correlationId).toBe('c');
  });

  it('does not ack when the channel closed under the republish (the broker redelivers)', async () => {
    const { io, log } = fakeIO(() => new PublishError('closed', 'gone'));
    const invoke = async (): Promise<InvocationResult> => {
      throw new Error('x');
    };
    const out = await processDelivery(message('{}'), { config: config(), queue: 'q', invoke, logger: logger().lg }, io);
    expect(out.outcome).toBe('abandoned');
    expect(log).toEqual([]);
  });

  it('puts a message back when the dead-letter target cannot take it', async () => {
    const { io, log, ac } = fakeIO((p) =>
      p.exchange === 'dlx' ? new PublishError('unroutable', 'not routed') : undefined,
    );
    const { lg, lines } = logger();
    ac.abort(); // skip the hold
    const invoke = async (): Promise<InvocationResult> => {
      throw new WharfError('WHARF_ERR_BAD_REQUEST', ['nope']);
    };
    const out = await processDelivery(
      message('{}'),
      { config: config({ deadLetterExchange: 'dlx' }), queue: 'q', invoke, logger: lg },
      io,
    );
    expect(out.outcome).toBe('requeued');
    expect(log).toEqual(['nack requeue=true']);
    expect(lines.some((l) => l.level === 'error' && /cannot dead-letter/.test(l.msg))).toBe(true);
  });

  it('retries when the reply cannot be published (nack), not acking first', async () => {
    const { io, log } = fakeIO((p) => (p.routingKey === 'r' ? new PublishError('nacked', 'refused') : undefined));
    const inv = invoker(() => 'ok');
    const out = await processDelivery(
      message('{}', { replyTo: 'r' }),
      { config: config(), queue: 'q', invoke: inv.invoke, logger: logger().lg },
      io,
    );
    expect(out).toEqual({ outcome: 'retried', failures: 1 });
    expect(log).toEqual(['publish /q', 'ack']);
  });
});

describe('retry delay', () => {
  it('doubles per failure up to 60 s, 0 means at once', () => {
    expect([1, 2, 3, 4].map((f) => retryDelay(1000, f))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(1000, 30)).toBe(60_000);
    expect(retryDelay(0, 3)).toBe(0);
  });

  it('waits before republishing, and stops waiting when the consumer drains', async () => {
    const { io, log, ac } = fakeIO();
    const invoke = async (): Promise<InvocationResult> => {
      throw new Error('x');
    };
    const t0 = Date.now();
    const p = processDelivery(
      message('{}'),
      { config: config({ retryDelayMs: 10_000 }), queue: 'q', invoke, logger: logger().lg },
      io,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(log).toEqual([]);
    ac.abort();
    expect(await p).toEqual({ outcome: 'retried', failures: 1 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(log).toEqual(['publish /q', 'ack']);
  });
});

describe('message mapping', () => {
  it('stringifies header values and lets properties win', () => {
    const h = requestHeaders(
      message('', {
        headers: { 'amqp-reply-to': 'fake', list: [1, 'a'], buf: Buffer.from('hi'), obj: { a: 1 }, nil: null },
        replyTo: 'real',
      }),
      'q',
      2,
    );
    expect(h).toMatchObject({
      'amqp-reply-to': 'real',
      list: ['1', 'a'],
      buf: 'hi',
      obj: '{"a":1}',
      'amqp-attempt': '2',
      'amqp-redelivered': 'false',
    });
    expect('nil' in h).toBe(false);
  });
  it('copies properties for a republish, dropping broker-managed headers and user-id', () => {
    const p = copyProperties(
      message('', { headers: { 'x-delivery-count': 3, a: 1 }, userId: 'bob', appId: 'app', priority: 4 }),
      { 'x-wharf-attempts': 1 },
    );
    expect(p.headers).toEqual({ a: 1, 'x-wharf-attempts': 1, 'x-wharf-user-id': 'bob' });
    expect(p).toMatchObject({ appId: 'app', priority: 4, deliveryMode: 2 });
    expect(p.userId).toBeUndefined();
  });
});
