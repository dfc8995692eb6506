import { describe, expect, it } from 'vitest';
import {
  aligned,
  busiest,
  isolatedIndices,
  fmtMs,
  fmtRate,
  isQuiet,
  latest,
  mergeViews,
  normalizeView,
  timeAxis,
  values,
  type SeriesView,
} from './series';

const view = (over: Partial<SeriesView> = {}): SeriesView => ({
  step: 5,
  now: 1000,
  from: 980,
  channels: [
    {
      name: 'orders',
      kind: 'http',
      points: [
        { t: 985, count: 10, errors: 1, p50: 2, p99: 9 },
        { t: 995, count: 5, errors: 0, p50: 4, p99: 12 },
      ],
    },
    { name: 'queue', kind: 'message', points: [{ t: 990, count: 50, errors: 0, p50: 1, p99: 3 }] },
  ],
  services: [],
  ...over,
});

describe('series → uPlot data', () => {
  it('the time axis covers the complete slots from..now in steps, aligned to the step', () => {
    expect(timeAxis({ step: 5, from: 980, now: 1000 })).toEqual([980, 985, 990, 995]);
    expect(timeAxis({ step: 5, from: 982, now: 993 })).toEqual([980, 985]);
    expect(timeAxis({ step: 0, from: 0, now: 10 ** 9 }).length).toBe(1000);
  });

  it('rates per second, zeros where there was no traffic; latencies null there', () => {
    const v = view({ now: 1005 });
    const axis = timeAxis(v);
    const orders = v.channels[0]!;
    expect(values(orders, axis, 5, 'rate')).toEqual([0, 2, 0, 1, 0]);
    expect(values(orders, axis, 5, 'errors')).toEqual([0, 0.2, 0, 0, 0]);
    expect(values(orders, axis, 5, 'p99')).toEqual([null, 9, null, 12, null]);
    expect(values(orders, axis, 5, 'p50')).toEqual([null, 2, null, 4, null]);
  });

  it('aligned data: x axis then lines × metrics', () => {
    const v = view({ now: 1005 });
    const d = aligned(v, v.channels, ['p50', 'p99']);
    expect(d).toHaveLength(5);
    expect(d[0]).toEqual([980, 985, 990, 995, 1000]);
    expect(d[3]).toEqual([null, null, 1, null, null]);
    expect(d[4]).toEqual([null, null, 3, null, null]);
  });

  it('a slot with a zero count has no latency', () => {
    const line = { name: 'x', points: [{ t: 980, count: 0, errors: 0, p50: 0, p99: 0 }] };
    expect(values(line, [980], 5, 'p99')).toEqual([null]);
  });
});

describe('latest values (text alternatives, tables)', () => {
  it('over the last minute and the window', () => {
    const l = latest(view().channels[0], { now: 1000, step: 5 });
    expect(l).toMatchObject({ count: 15, errors: 1, total: 15, totalErrors: 1, rate: 0.25, errorPct: 6.7, p99: 12 });
    expect(l.p50).toBeCloseTo((10 * 2 + 5 * 4) / 15, 2);
  });

  it('only slots inside the last `seconds` count', () => {
    const l = latest(view().channels[0], { now: 1000, step: 5 }, 10);
    expect(l).toMatchObject({ count: 5, errors: 0, rate: 0.5, p50: 4, p99: 12, total: 15 });
  });

  it('no line or no traffic: zeros and no latency', () => {
    expect(latest(undefined, { now: 1, step: 5 })).toEqual({
      rate: 0,
      count: 0,
      errors: 0,
      errorPct: 0,
      total: 0,
      totalErrors: 0,
    });
  });

  it('busiest and quiet', () => {
    const v = view();
    expect(busiest(v.channels, 1).map((l) => l.name)).toEqual(['queue']);
    expect(busiest(v.channels, 5).map((l) => l.name)).toEqual(['queue', 'orders']);
    expect(isQuiet(v.channels)).toBe(false);
    expect(isQuiet([{ name: 'a', points: [{ t: 1, count: 0, errors: 0, p50: 0, p99: 0 }] }])).toBe(true);
  });
});

describe('normalizeView', () => {
  it('drops malformed lines and points, keeps kindId', () => {
    const v = normalizeView({
      step: 5,
      now: 100,
      from: 50,
      channels: [
        null,
        { name: 3 },
        { name: 'a', kind: 'http', kindId: 'channels.http', points: [{ t: 55, count: 'x', p99: 3 }, 7] },
      ],
      services: 'nope',
    });
    expect(v.channels).toEqual([
      { name: 'a', kind: 'http', kindId: 'channels.http', points: [{ t: 55, count: 0, errors: 0, p50: 0, p99: 3 }] },
    ]);
    expect(v.services).toEqual([]);
    expect(normalizeView(undefined).step).toBe(5);
  });
});

describe('formatting', () => {
  it('rates and milliseconds', () => {
    expect(fmtRate(0)).toBe('0/s');
    expect(fmtRate(0.2)).toBe('0.2/s');
    expect(fmtRate(12.4)).toBe('12/s');
    expect(fmtRate(1540)).toBe('1.5k/s');
    expect(fmtMs(undefined)).toBe('—');
    expect(fmtMs(0.44)).toBe('0.4 ms');
    expect(fmtMs(12.6)).toBe('13 ms');
    expect(fmtMs(1500)).toBe('1.5 s');
  });
});

describe('mergeViews (incremental refresh)', () => {
  const p = (t: number, count: number) => ({ t, count, errors: 0, p50: 1, p99: 2 });
  it('replaces the slots the fresh answer covers, keeps older ones, adds new lines, drops what left the window', () => {
    const old: SeriesView = {
      step: 5,
      now: 1000,
      from: 105,
      channels: [{ name: 'a', kind: 'http', points: [p(105, 9), p(500, 1), p(990, 1), p(995, 1), p(1000, 1)] }],
      services: [],
    };
    const fresh: SeriesView = {
      step: 5,
      now: 1010,
      from: 995,
      channels: [
        { name: 'a', kind: 'http', points: [p(995, 2), p(1000, 3), p(1005, 4), p(1010, 0)] },
        { name: 'b', kind: 'message', points: [p(1005, 7)] },
      ],
      services: [{ name: 's', points: [p(1010, 1)] }],
    };
    const m = mergeViews(old, fresh, 15);
    expect(m.now).toBe(1010);
    expect(m.from).toBe(1010 - 900 + 5);
    expect(m.channels.find((l) => l.name === 'a')!.points.map((x) => [x.t, x.count])).toEqual([
      [500, 1],
      [990, 1],
      [995, 2],
      [1000, 3],
      [1005, 4],
      [1010, 0],
    ]);
    expect(m.channels.find((l) => l.name === 'b')!.points).toHaveLength(1);
    expect(m.services).toHaveLength(1);
  });
  it('lines of the same name but another kind stay apart', () => {
    const old: SeriesView = {
      step: 5,
      now: 100,
      from: 50,
      channels: [{ name: 'x', kind: 'http', points: [p(60, 1)] }],
      services: [],
    };
    const fresh: SeriesView = {
      step: 5,
      now: 105,
      from: 95,
      channels: [{ name: 'x', kind: 'message', points: [p(100, 1)] }],
      services: [],
    };
    expect(mergeViews(old, fresh).channels.map((l) => l.kind)).toEqual(['http', 'message']);
  });
});

describe('isolatedIndices (dots where no line can be drawn)', () => {
  it('values with null on both sides', () => {
    expect(isolatedIndices([null, 3, null, 1, 2, null, 5])).toEqual([1, 6]);
    expect(isolatedIndices([4])).toEqual([0]);
    expect(isolatedIndices([0, 0, 0])).toEqual([]);
  });
});
