import { describe, expect, it } from 'vitest';
import { DeliveryCounter, redeliveryDelay } from './deliveries.js';

describe('DeliveryCounter', () => {
  const k = { topic: 'a/b', messageId: 7, size: 10 };

  it('counts failed attempts per message until it is done', () => {
    const c = new DeliveryCounter();
    expect(c.get(k)).toBe(0);
    expect(c.failed(k)).toBe(1);
    expect(c.failed(k)).toBe(2);
    expect(c.get({ ...k, messageId: 8 })).toBe(0);
    expect(c.get({ ...k, size: 11 })).toBe(0);
    c.done(k);
    expect(c.get(k)).toBe(0);
    expect(c.size).toBe(0);
  });

  it('forgets the oldest entries beyond its bound', () => {
    const c = new DeliveryCounter(3);
    for (let i = 0; i < 5; i++) c.failed({ ...k, messageId: i });
    expect(c.size).toBe(3);
    expect(c.get({ ...k, messageId: 0 })).toBe(0);
    expect(c.get({ ...k, messageId: 4 })).toBe(1);
  });
});

describe('redeliveryDelay', () => {
  it('doubles per attempt and is capped', () => {
    expect([1, 2, 3, 4].map((n) => redeliveryDelay(n, 100))).toEqual([100, 200, 400, 800]);
    expect(redeliveryDelay(40, 1000)).toBe(60_000);
    expect(redeliveryDelay(0, 100)).toBe(100);
    expect(redeliveryDelay(3, 0)).toBe(0);
  });
});
