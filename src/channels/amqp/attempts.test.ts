import { describe, expect, it } from 'vitest';
import { decideOnFailure, previousFailures } from './attempts.js';
import { amqpChannelKind, consumerKey, deadLetterTarget } from './kind.js';

describe('previousFailures', () => {
  it('reads x-wharf-attempts in any encoding, garbage as 0', () => {
    expect(previousFailures(undefined)).toBe(0);
    expect(previousFailures({})).toBe(0);
    expect(previousFailures({ 'x-wharf-attempts': 3 })).toBe(3);
    expect(previousFailures({ 'x-wharf-attempts': '4' })).toBe(4);
    expect(previousFailures({ 'x-wharf-attempts': Buffer.from('2') })).toBe(2);
    expect(previousFailures({ 'x-wharf-attempts': 5n })).toBe(5);
    expect(previousFailures({ 'x-wharf-attempts': { '!': 'long', value: 6 } })).toBe(6);
    expect(previousFailures({ 'x-wharf-attempts': -1 })).toBe(0);
    expect(previousFailures({ 'x-wharf-attempts': 'many' })).toBe(0);
    expect(previousFailures({ 'x-wharf-attempts': 2.7 })).toBe(2);
  });
  it('uses the larger of our count and a quorum queue delivery count', () => {
    expect(previousFailures({ 'x-wharf-attempts': 1, 'x-delivery-count': 3 })).toBe(3);
    expect(previousFailures({ 'x-wharf-attempts': 4, 'x-delivery-count': 1 })).toBe(4);
  });
});

describe('decideOnFailure', () => {
  const e500 = { status: 500, code: 'WHARF_ERR_INTERNAL', message: 'boom' };
  it('dead-letters bad input at once', () => {
    const d = decideOnFailure(0, 5, {
      status: 400,
      code: 'WHARF_ERR_MALFORMED_BODY',
      message: 'Malformed JSON body: x',
    });
    expect(d).toMatchObject({ action: 'dead-letter', failures: 1 });
    if (d.action === 'dead-letter')
      expect(d.reason).toMatch(/bad input \(400 WHARF_ERR_MALFORMED_BODY\): Malformed JSON/);
  });
  it('retries a failed service maxRedeliveries times, then dead-letters', () => {
    const seq = [0, 1, 2, 3, 4, 5].map((prev) => decideOnFailure(prev, 5, e500).action);
    expect(seq).toEqual(['retry', 'retry', 'retry', 'retry', 'retry', 'dead-letter']);
    expect(decideOnFailure(0, 0, e500).action).toBe('dead-letter');
    const last = decideOnFailure(5, 5, e500);
    if (last.action === 'dead-letter')
      expect(last.reason).toMatch(/failed 6 time\(s\).*limit is 5.*500 WHARF_ERR_INTERNAL: boom/);
  });
  it('treats timeouts (504) as service failures', () => {
    expect(decideOnFailure(0, 1, { status: 504, code: 'WHARF_ERR_TIMEOUT', message: 't' }).action).toBe('retry');
  });
});

describe('channels.amqp config', () => {
  const base = { name: 'orders', definition: 'rabbit', queue: 'orders', service: 'orders.handle' };
  it('fills defaults', () => {
    expect(amqpChannelKind.schema.parse(base)).toMatchObject({
      prefetch: 10,
      dataFormat: 'json',
      maxRedeliveries: 5,
      consumerTagPrefix: 'wharf',
      timeoutMs: 30_000,
      active: true,
    });
  });
  it('refuses bad input', () => {
    for (const [input, re] of [
      [{ ...base, prefetch: 0 }, /prefetch/],
      [{ ...base, dataFormat: 'yaml' }, /dataFormat/],
      [{ ...base, queue: '' }, /queue: must not be empty/],
      [{ ...base, service: undefined }, /service/],
      [{ ...base, maxRedeliveries: -1 }, /maxRedeliveries/],
    ] as const) {
      const r = amqpChannelKind.schema.safeParse(input);
      expect(r.success).toBe(false);
      if (!r.success) expect(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).toMatch(re);
    }
  });
  it('checks dead-letter settings', () => {
    const ctx = { list: () => [] };
    const c = (o: Record<string, unknown>) =>
      amqpChannelKind.check?.(amqpChannelKind.schema.parse({ ...base, ...o }), ctx) ?? [];
    expect(c({ deadLetterExchange: '' })[0]).toMatch(/deadLetterRoutingKey: required/);
    expect(c({ deadLetterRoutingKey: 'orders' })[0]).toMatch(/must not be the consumed queue/);
    expect(c({ deadLetterExchange: 'dlx' })).toEqual([]);
  });
  it('maps dead-letter targets', () => {
    expect(deadLetterTarget({})).toEqual({ kind: 'reject' });
    expect(deadLetterTarget({ deadLetterExchange: '' })).toEqual({ kind: 'reject' });
    expect(deadLetterTarget({ deadLetterRoutingKey: 'orders.dead' })).toEqual({
      kind: 'publish',
      exchange: '',
      routingKey: 'orders.dead',
    });
    expect(deadLetterTarget({ deadLetterExchange: 'dlx' })).toEqual({
      kind: 'publish',
      exchange: 'dlx',
      routingKey: undefined,
    });
  });
  it('needs a new consumer only for queue, prefetch and tag prefix', () => {
    const a = amqpChannelKind.schema.parse(base);
    const b = { ...a, service: 'other', timeoutMs: 5 };
    expect(consumerKey(a)).toBe(consumerKey(b));
    expect(consumerKey(a)).not.toBe(consumerKey({ ...a, prefetch: 3 }));
    expect(consumerKey(a)).not.toBe(consumerKey({ ...a, queue: 'q2' }));
  });
});
