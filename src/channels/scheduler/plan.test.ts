import { describe, expect, it } from 'vitest';
import { schedulerJobKind, type SchedulerJobConfig } from './kind.js';
import { compilePlan, ticksBetween } from './plan.js';

const job = (fields: Record<string, unknown>): SchedulerJobConfig =>
  schedulerJobKind.schema.parse({ name: 'j', service: 'svc', ...fields });
const T = (s: string): number => Date.parse(s);

describe('compilePlan', () => {
  it('one-time: one tick at startAt, none after it', () => {
    const p = compilePlan(job({ type: 'one-time', startAt: '2030-01-01T10:00:00Z' }), 0);
    expect(p.next(-Infinity)).toBe(T('2030-01-01T10:00:00Z'));
    expect(p.next(T('2030-01-01T09:59:59.999Z'))).toBe(T('2030-01-01T10:00:00Z'));
    expect(p.next(T('2030-01-01T10:00:00Z'))).toBeNull();
  });

  it('interval: a fixed grid from startAt, strictly after the reference', () => {
    const p = compilePlan(job({ type: 'interval', every: '5m', startAt: '2030-01-01T10:00:00Z' }), 0);
    expect(p.next(T('2029-01-01T00:00:00Z'))).toBe(T('2030-01-01T10:00:00Z'));
    expect(p.next(T('2030-01-01T10:00:00Z'))).toBe(T('2030-01-01T10:05:00Z'));
    expect(p.next(T('2030-01-01T10:07:12Z'))).toBe(T('2030-01-01T10:10:00Z'));
    expect(p.description).toBe('every 5m from 2030-01-01T10:00:00.000Z');
  });

  it('interval without startAt: one interval after the anchor', () => {
    const anchor = T('2030-01-01T10:00:00.300Z');
    const p = compilePlan(job({ type: 'interval', every: '2s' }), anchor);
    expect(p.next(anchor)).toBe(anchor + 2000);
    expect(p.next(anchor + 2000)).toBe(anchor + 4000);
  });

  it('cron: seconds, time zone and startAt', () => {
    const p = compilePlan(job({ type: 'cron', cron: '*/15 * * * * *' }), 0);
    expect(p.next(T('2030-01-01T10:00:01Z'))).toBe(T('2030-01-01T10:00:15Z'));
    expect(p.next(T('2030-01-01T10:00:15Z'))).toBe(T('2030-01-01T10:00:30Z'));
    const oslo = compilePlan(job({ type: 'cron', cron: '0 9 * * *', timezone: 'Europe/Oslo' }), 0);
    expect(oslo.next(T('2030-01-01T00:00:00Z'))).toBe(T('2030-01-01T08:00:00Z'));
    expect(oslo.next(T('2030-07-01T00:00:00Z'))).toBe(T('2030-07-01T07:00:00Z'));
    const later = compilePlan(job({ type: 'cron', cron: '0 * * * * *', startAt: '2030-01-01T10:30:00Z' }), 0);
    expect(later.next(T('2030-01-01T00:00:00Z'))).toBe(T('2030-01-01T10:30:00Z'));
  });
});

describe('ticksBetween', () => {
  const p = compilePlan(job({ type: 'interval', every: '1s', startAt: '2030-01-01T00:00:00Z' }), 0);

  it('counts ticks in (after, until] and returns the last', () => {
    expect(ticksBetween(p, T('2030-01-01T00:00:00Z'), T('2030-01-01T00:00:10.5Z'))).toEqual({
      count: 10,
      last: T('2030-01-01T00:00:10Z'),
      capped: false,
    });
    expect(ticksBetween(p, T('2030-01-01T00:00:00Z'), T('2030-01-01T00:00:00.9Z'))).toEqual({
      count: 0,
      last: undefined,
      capped: false,
    });
  });

  it('stops counting at the cap but still finds the last tick', () => {
    const r = ticksBetween(p, T('2030-01-01T00:00:00Z'), T('2030-01-02T00:00:00.5Z'), 100);
    expect(r).toEqual({ count: 100, last: T('2030-01-02T00:00:00Z'), capped: true });
  });
});
