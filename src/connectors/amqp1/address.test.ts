import { describe, expect, it } from 'vitest';
import { addressProblem, parseAddress, terminus } from './address.js';

describe('parseAddress', () => {
  it('reads the four RabbitMQ forms', () => {
    expect(parseAddress('/amq/queue/orders')).toEqual({
      ok: true,
      value: {
        address: '/amq/queue/orders',
        form: 'amq-queue',
        queue: 'orders',
        probeBeforeSend: true,
        temporaryQueue: false,
      },
    });
    expect(parseAddress('/queue/orders')).toMatchObject({
      ok: true,
      value: { form: 'queue', queue: 'orders', probeBeforeSend: false, temporaryQueue: false },
    });
    expect(parseAddress('/topic/invoice.*.eu')).toMatchObject({
      ok: true,
      value: { form: 'topic', exchange: 'amq.topic', routingKey: 'invoice.*.eu', temporaryQueue: true },
    });
    expect(parseAddress('/exchange/billing/invoice.created')).toMatchObject({
      ok: true,
      value: { form: 'exchange', exchange: 'billing', routingKey: 'invoice.created' },
    });
    expect(parseAddress('/exchange/billing')).toMatchObject({
      ok: true,
      value: { form: 'exchange', exchange: 'billing', routingKey: '' },
    });
    expect(parseAddress('/exchange/billing/a/b')).toMatchObject({ ok: true, value: { routingKey: 'a/b' } });
  });

  it("passes other brokers' names through untouched", () => {
    for (const a of ['orders', 'DEV.QUEUE.1', 'topic://prices', 'mytopic/Subscriptions/sub1', '/custom/path']) {
      expect(parseAddress(a)).toMatchObject({ ok: true, value: { form: 'name', address: a, probeBeforeSend: false } });
    }
  });

  it('decodes percent-encoded names', () => {
    expect(parseAddress('/amq/queue/a%2Fb')).toMatchObject({ ok: true, value: { queue: 'a/b' } });
    expect(parseAddress('/amq/queue/bad%zz')).toMatchObject({ ok: true, value: { queue: 'bad%zz' } });
  });

  it('refuses incomplete or malformed addresses with a reason', () => {
    expect(addressProblem('')).toMatch(/empty/);
    expect(addressProblem(' q')).toMatch(/spaces/);
    expect(addressProblem('/amq/queue/')).toMatch(/queue name/);
    expect(addressProblem('/amq/queue')).toMatch(/queue name/);
    expect(addressProblem('/amq/queue/a/b')).toMatch(/exactly one/);
    expect(addressProblem('/queue/')).toMatch(/queue name/);
    expect(addressProblem('/topic/')).toMatch(/routing key/);
    expect(addressProblem('/exchange/')).toMatch(/exchange name/);
    expect(addressProblem('/exchange//k')).toMatch(/exchange name/);
    expect(addressProblem('x'.repeat(1025))).toMatch(/1024/);
    expect(addressProblem('/amq/queue/ok')).toBeUndefined();
  });

  it('asks for a durable terminus only for /queue/Q (RabbitMQ then declares a durable queue)', () => {
    expect(terminus('/queue/q')).toEqual({ address: '/queue/q', durable: 2 });
    expect(terminus('/amq/queue/q')).toEqual({ address: '/amq/queue/q' });
    expect(terminus('/topic/k')).toEqual({ address: '/topic/k' });
    expect(terminus('q')).toEqual({ address: 'q' });
  });
});
