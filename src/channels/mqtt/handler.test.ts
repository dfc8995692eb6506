import { describe, expect, it } from 'vitest';
import { BadRequest, WharfError } from '../../errors.js';
import { createTestContext, type TestService } from '../../../test/support/connectors/context.js';
import type { PublishProperties } from '../../connectors/mqtt/publisher.js';
import { MqttMessageHandler, worthRetrying, type IncomingMessage } from './handler.js';
import { mqttChannelKind, type MqttChannelConfig } from './kind.js';

function setup(svc: TestService, extra: Partial<MqttChannelConfig> = {}, deadLetterFails = 0) {
  const ctx = createTestContext({ services: { svc } });
  const dead: Array<{ topic: string; body: string; props: PublishProperties }> = [];
  let fails = deadLetterFails;
  const handler = new MqttMessageHandler(ctx, async (topic, payload, props) => {
    if (fails-- > 0) throw new Error('broker said no');
    dead.push({ topic, body: payload.toString(), props });
  });
  const cfg = mqttChannelKind.schema.parse({
    name: 'ch',
    definition: 'd',
    topicFilter: 'a/+',
    service: 'svc',
    maxDeliveries: 3,
    dataFormat: 'plain',
    ...extra,
  });
  return { ctx, handler, cfg, dead };
}

const msg = (body: string, qos: 0 | 1 = 1, messageId = 1): IncomingMessage => ({
  topic: 'a/b',
  payload: Buffer.from(body),
  packet: { qos, retain: false, dup: false, messageId },
});
const opts = { persistent: true, timeoutMs: 1000 };

describe('MqttMessageHandler', () => {
  it('acks after the service succeeded, with the topic and attempt as headers', async () => {
    const { ctx, handler, cfg } = setup(() => undefined, { dataFormat: 'json' });
    expect(await handler.handle(cfg, msg('{"a":1}'), opts)).toEqual({ action: 'ack' });
    expect(ctx.calls[0]).toMatchObject({ service: 'svc', payload: { a: 1 } });
    expect(ctx.calls[0]?.inv).toMatchObject({
      dataFormat: 'json',
      timeoutMs: 1000,
      channel: { name: 'ch', kind: 'mqtt', dataFormat: 'json' },
    });
    expect(ctx.calls[0]?.inv.headers).toMatchObject({ 'mqtt-topic': 'a/b', 'mqtt-delivery-attempt': '1' });
  });

  it('acks bad input at once (no retry) and drops it with an error when there is no dead-letter topic', async () => {
    const { ctx, handler, cfg } = setup(() => {
      throw new BadRequest('no such customer');
    });
    expect(await handler.handle(cfg, msg('{}'), opts)).toEqual({ action: 'ack' });
    expect(ctx.logs.map((l) => l.level)).toEqual(['warn', 'error']);
    expect(ctx.logs[0]?.msg).toMatch(
      /^MQTT channel `ch`: rejected message on `a\/b` \(cid .+, WHARF_ERR_BAD_REQUEST: no such customer\): bad input is not retried$/,
    );
    expect(ctx.logs[1]?.msg).toMatch(
      /dropped a message on `a\/b` \(2 bytes\): WHARF_ERR_BAD_REQUEST: no such customer; set deadLetterTopic/,
    );
  });

  it('asks for redelivery on failure, counting attempts, then dead-letters the message', async () => {
    const { ctx, handler, cfg, dead } = setup(
      () => {
        throw new Error('db down');
      },
      { deadLetterTopic: 'dead' },
    );
    expect(await handler.handle(cfg, msg('x1'), { ...opts })).toEqual({ action: 'redeliver', attempt: 1 });
    expect(await handler.handle(cfg, msg('x1'), opts)).toEqual({ action: 'redeliver', attempt: 2 });
    // another message is counted apart
    expect(await handler.handle(cfg, msg('x2', 1, 2), opts)).toEqual({ action: 'redeliver', attempt: 1 });
    expect(await handler.handle(cfg, msg('x1'), opts)).toEqual({ action: 'ack' });
    expect(
      ctx.calls.filter((c) => c.raw.toString() === 'x1').map((c) => c.inv.headers?.['mqtt-delivery-attempt']),
    ).toEqual(['1', '2', '3']);
    expect(dead).toEqual([
      {
        topic: 'dead',
        body: 'x1',
        props: {
          userProperties: {
            'wharf-channel': 'ch',
            'wharf-topic': 'a/b',
            'wharf-reason': expect.stringMatching(/^WHARF_ERR_INTERNAL: .* \(after 3 attempts\)$/),
          },
        },
      },
    ]);
    // acked: the packet id is free again and a new message with it starts at attempt 1
    expect(await handler.handle(cfg, msg('x1'), opts)).toEqual({ action: 'redeliver', attempt: 1 });
  });

  it('keeps a message unacked while its dead letter cannot be published, without running the service again', async () => {
    const { ctx, handler, cfg, dead } = setup(
      () => {
        throw new BadRequest('bad');
      },
      { deadLetterTopic: 'dead' },
      1,
    );
    expect(await handler.handle(cfg, msg('p'), opts)).toEqual({ action: 'redeliver', attempt: 4 });
    expect(await handler.handle(cfg, msg('p'), opts)).toEqual({ action: 'ack' });
    expect(ctx.calls).toHaveLength(1);
    expect(dead).toHaveLength(1);
  });

  it('drops after three failed dead-letter publishes', async () => {
    const { ctx, handler, cfg, dead } = setup(
      () => {
        throw new BadRequest('bad');
      },
      { deadLetterTopic: 'dead' },
      10,
    );
    expect((await handler.handle(cfg, msg('p'), opts)).action).toBe('redeliver');
    expect((await handler.handle(cfg, msg('p'), opts)).action).toBe('redeliver');
    expect(await handler.handle(cfg, msg('p'), opts)).toEqual({ action: 'ack' });
    expect(dead).toHaveLength(0);
    expect(ctx.logs.at(-1)?.msg).toMatch(
      /dropped a message on `a\/b` \(1 bytes\): .*publishing it to `dead` failed 3 time\(s\): broker said no/,
    );
  });

  it('does not retry QoS 0 messages, nor any message on a clean session', async () => {
    const { ctx, handler, cfg } = setup(() => {
      throw new Error('db down');
    });
    expect(await handler.handle(cfg, msg('q0', 0), opts)).toEqual({ action: 'ack' });
    expect(ctx.logs.at(-1)?.msg).toMatch(/QoS 0 messages are not redelivered/);
    expect(await handler.handle(cfg, msg('q1'), { ...opts, persistent: false })).toEqual({ action: 'ack' });
    expect(ctx.logs.some((l) => /not redelivered: the definition uses a clean session/.test(l.msg))).toBe(true);
  });

  it('treats a service timeout as a failure to retry', async () => {
    const { handler, cfg } = setup(() => {
      throw new WharfError('WHARF_ERR_TIMEOUT', ['svc', 1000]);
    });
    expect((await handler.handle(cfg, msg('t'), opts)).action).toBe('redeliver');
  });
});

describe('worthRetrying', () => {
  it('retries failures, timeouts, throttling and unknown services, not bad input', () => {
    expect(worthRetrying(new WharfError('WHARF_ERR_INTERNAL', ['c']))).toBe(true);
    expect(worthRetrying(new WharfError('WHARF_ERR_TIMEOUT', ['s', 1]))).toBe(true);
    expect(worthRetrying(new WharfError('WHARF_ERR_SERVICE_NOT_DEPLOYED', ['s']))).toBe(true);
    expect(worthRetrying(new WharfError('WHARF_ERR_SERVICE_UNKNOWN', ['s']))).toBe(true);
    expect(worthRetrying(new WharfError('WHARF_ERR_TOO_MANY_REQUESTS', ['slow down']))).toBe(true);
    expect(worthRetrying(new WharfError('WHARF_ERR_MALFORMED_BODY', ['JSON', 'x']))).toBe(false);
    expect(worthRetrying(new WharfError('WHARF_ERR_MISSING_ELEMENT', ['id']))).toBe(false);
    expect(worthRetrying(new BadRequest('no'))).toBe(false);
  });
});

describe('channels.mqtt config', () => {
  it('refuses a dead-letter topic its own filter matches', () => {
    const cfg = mqttChannelKind.schema.parse({
      name: 'c',
      definition: 'd',
      topicFilter: 'orders/#',
      service: 's',
      deadLetterTopic: 'orders/dead',
    });
    expect(mqttChannelKind.check!(cfg, { list: () => [] })).toEqual([
      'deadLetterTopic: orders/dead matches topicFilter orders/#, so dead letters would come back to this channel',
    ]);
  });

  it('accepts a timeout within 40 % of the keepalive, and any without one', () => {
    const cfg = mqttChannelKind.schema.parse({
      name: 'c',
      definition: 'd',
      topicFilter: 'a',
      service: 's',
      timeoutMs: 24_000,
    });
    expect(mqttChannelKind.check!(cfg, { list: () => [{ name: 'd', active: true, keepalive: 60 }] })).toEqual([]);
    expect(
      mqttChannelKind.check!(
        { ...cfg, timeoutMs: 600_000 },
        { list: () => [{ name: 'd', active: true, keepalive: 0 }] },
      ),
    ).toEqual([]);
  });
});
