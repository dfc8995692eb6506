import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { decide, RedeliveryTracker } from './redelivery.js';

describe('RedeliveryTracker', () => {
  it('counts failed attempts per key and forgets settled messages', () => {
    const t = new RedeliveryTracker();
    expect(t.fail('id:a')).toBe(1);
    expect(t.fail('id:a')).toBe(2);
    expect(t.fail('id:b')).toBe(1);
    expect(t.failures('id:a')).toBe(2);
    t.forget('id:a');
    expect(t.failures('id:a')).toBe(0);
    expect(t.fail('id:a')).toBe(1);
  });

  it('honours a broker that counts deliveries (the higher count wins)', () => {
    const t = new RedeliveryTracker();
    expect(t.fail('k', 3)).toBe(4);
    expect(t.fail('k', 0)).toBe(5);
    expect(t.fail('j', undefined)).toBe(1);
  });

  it('stays bounded, dropping the least recently failed keys first', () => {
    const t = new RedeliveryTracker(3);
    t.fail('a');
    t.fail('b');
    t.fail('c');
    t.fail('a');
    t.fail('d');
    expect(t.size).toBe(3);
    expect(t.failures('b')).toBe(0);
    expect(t.failures('a')).toBe(2);
  });
});

describe('decide', () => {
  const e500 = new WharfError('WHARF_ERR_INTERNAL', ['cid-1']);
  const e504 = new WharfError('WHARF_ERR_TIMEOUT', ['svc', 100]);

  it('rejects bad input (4xx) at once: decode errors as amqp:decode-error', () => {
    expect(decide(new WharfError('WHARF_ERR_MALFORMED_BODY', ['JSON', 'oops']), 0, 5)).toEqual({
      outcome: 'reject',
      condition: 'amqp:decode-error',
      reason: 'bad input (WHARF_ERR_MALFORMED_BODY, 400): Malformed JSON body: oops',
    });
    expect(decide(new WharfError('WHARF_ERR_MISSING_ELEMENT', ['id']), 0, 5)).toMatchObject({
      outcome: 'reject',
      condition: 'amqp:precondition-failed',
    });
  });

  it('releases service failures until the limit, then rejects: maxRedeliveries 5 = 6 attempts', () => {
    for (let f = 1; f <= 5; f++) expect(decide(e500, f, 5)).toMatchObject({ outcome: 'release', attempt: f });
    expect(decide(e504, 6, 5)).toMatchObject({ outcome: 'reject', condition: 'amqp:internal-error' });
    expect(decide(e504, 6, 5).reason).toMatch(
      /gave up after 6 failed attempts \(maxRedeliveries 5\); last error WHARF_ERR_TIMEOUT/,
    );
    expect(decide(e500, 1, 0)).toMatchObject({ outcome: 'reject' });
  });
});
