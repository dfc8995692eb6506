import { describe, expect, it } from 'vitest';
import { mergeSeries, parseMinutes, percentile, SeriesRecorder } from './metrics-series.js';

describe('metrics series', () => {
  it('counts per 5 s slot, merges workers, estimates p50/p99 and fills empty slots', () => {
    let now = 1_700_000_000_000; // a multiple of 5 s
    const clock = (): number => now;
    const a = new SeriesRecorder(clock);
    const b = new SeriesRecorder(clock);
    for (let i = 0; i < 98; i++) a.observeHttp('orders', 'orders.create', 200, 4);
    for (let i = 0; i < 3; i++) a.observeHttp('orders', 'orders.create', 500, 900);
    b.observeHttp('orders', 'orders.create', 404, 4);
    b.observeHttp('orders', 'proxy:crm', 200, 1);
    b.observeMessage('amqp', 'queue', 'orders.create', 200, 2);
    b.observeMessage('mqtt', 'queue', 'orders.create', 200, 2);
    b.observeMessage('scheduler', undefined, 'job.svc', 504, 100);
    now += 5000;
    a.observeHttp('orders', 'orders.create', 200, 1);
    const v = mergeSeries([a.dump(1, 1), b.dump(2, 1)], 1, now);
    expect(v).toMatchObject({ step: 5, now: now / 1000, from: now / 1000 - 55 });
    expect(v.channels.map((c) => [c.name, c.kind, c.kindId])).toEqual([
      ['orders', 'http', 'channels.http'],
      ['queue', 'message', 'channels.amqp'],
      ['queue', 'message', 'channels.mqtt'],
    ]);
    const orders = v.channels[0]!.points;
    expect(orders).toHaveLength(12);
    const slot = orders[10]!;
    expect(slot).toMatchObject({ t: now / 1000 - 5, count: 103, errors: 4 });
    expect(slot.p50).toBeGreaterThan(3);
    expect(slot.p50).toBeLessThanOrEqual(5);
    expect(slot.p99).toBeGreaterThan(750);
    expect(slot.p99).toBeLessThanOrEqual(1000);
    expect(orders[11]).toMatchObject({ count: 1, errors: 0 });
    expect(orders[0]).toEqual({ t: now / 1000 - 55, count: 0, errors: 0, p50: 0, p99: 0 });
    expect(v.services.map((s) => s.name)).toEqual(['job.svc', 'orders.create']);
    expect(v.services[1]!.points[10]!.count).toBe(104); // 102 over HTTP + 2 from the queues; the proxy target is not a service
    expect(v.services[0]!.points[10]).toMatchObject({ count: 1, errors: 1 });
  });

  it('slots older than the window are dropped and reused', () => {
    let now = 1_700_000_000_000;
    const r = new SeriesRecorder(() => now);
    r.observeHttp('c', 's', 200, 1);
    now += 15 * 60 * 1000; // the same ring row, a new slot
    r.observeHttp('c', 's', 200, 1);
    const v = mergeSeries([r.dump(1, 15)], 15, now);
    expect(v.channels[0]!.points.reduce((n, p) => n + p.count, 0)).toBe(1);
    expect(v.channels[0]!.points).toHaveLength(180);
  });

  it('percentiles and the minutes parameter', () => {
    expect(percentile([0, 0, 10], 10, 0.5)).toBeCloseTo(0.75);
    expect(percentile([], 0, 0.5)).toBe(0);
    expect(parseMinutes(undefined)).toBe(15);
    expect(parseMinutes('5')).toBe(5);
    for (const bad of ['0', '16', '-1', '1.5', 'x', ['1', '2']]) expect(parseMinutes(bad)).toBeUndefined();
  });
});
