/**
 * Pure logic of the traffic charts: the admin API's `GET metrics/series` answer → uPlot's aligned data
 * (one x axis of 5 s slots, one y array per line) and the "latest values" that the charts' text
 * alternatives and the dashboard tables show. No DOM here (unit-tested under Node).
 */

import type { SeriesLine, SeriesPoint, SeriesView } from '../../../admin/api-types.js';

export type { SeriesLine, SeriesPoint, SeriesView };

/** What a chart shows of each line. */
export type Metric = 'rate' | 'errors' | 'p50' | 'p99';

/** uPlot's aligned data: the x values (epoch s) and one y array per series (null = no value). */
export type Aligned = [number[], ...(number | null)[][]];

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** Checks and normalises an answer (anything malformed is dropped, never thrown at the charts). */
export function normalizeView(raw: unknown): SeriesView {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const step = num(o['step'], 5) > 0 ? num(o['step'], 5) : 5;
  const now = num(o['now'], Math.floor(Date.now() / 1000));
  const from = Math.min(num(o['from'], now - 15 * 60 + step), now);
  const lines = (v: unknown): SeriesLine[] =>
    (Array.isArray(v) ? v : [])
      .filter(
        (l): l is Record<string, unknown> =>
          !!l && typeof l === 'object' && typeof (l as { name?: unknown }).name === 'string',
      )
      .map((l) => {
        const line: SeriesLine = {
          name: l['name'] as string,
          points: (Array.isArray(l['points']) ? l['points'] : [])
            .filter((p): p is Record<string, unknown> => !!p && typeof p === 'object')
            .map((p) => ({
              t: num(p['t']),
              count: Math.max(0, num(p['count'])),
              errors: Math.max(0, num(p['errors'])),
              p50: Math.max(0, num(p['p50'])),
              p99: Math.max(0, num(p['p99'])),
            })),
        };
        if (typeof l['kind'] === 'string') line.kind = l['kind'];
        if (typeof l['kindId'] === 'string') line.kindId = l['kindId'];
        return line;
      });
  return { step, now, from, channels: lines(o['channels']), services: lines(o['services']) };
}

/**
 * The starts of the complete slots from `from` up to `now`, `step` apart (the slot still filling at `now`
 * is left out: drawn, it would always dip at the right edge); at most 1000 of them.
 */
export function timeAxis(view: Pick<SeriesView, 'step' | 'from' | 'now'>): number[] {
  const step = view.step > 0 ? view.step : 5;
  const start = Math.floor(view.from / step) * step;
  const out: number[] = [];
  for (let t = start; t + step <= view.now && out.length < 1000; t += step) out.push(t);
  return out;
}

/** One line's values for `metric` on `axis`: rates per second, latencies in ms (null where no traffic). */
export function values(line: SeriesLine, axis: number[], step: number, metric: Metric): (number | null)[] {
  const at = new Map<number, SeriesPoint>();
  for (const p of line.points) at.set(Math.floor(p.t / step) * step, p);
  return axis.map((t) => {
    const p = at.get(t);
    switch (metric) {
      case 'rate':
        return p ? round(p.count / step) : 0;
      case 'errors':
        return p ? round(p.errors / step) : 0;
      case 'p50':
        return p && p.count > 0 ? p.p50 : null;
      case 'p99':
        return p && p.count > 0 ? p.p99 : null;
    }
  });
}

/** uPlot data for several lines and metrics: series in the order `lines × metrics`. */
export function aligned(view: SeriesView, lines: SeriesLine[], metrics: Metric[]): Aligned {
  const axis = timeAxis(view);
  const ys: (number | null)[][] = [];
  for (const l of lines) for (const m of metrics) ys.push(values(l, axis, view.step, m));
  return [axis, ...ys];
}

export interface Latest {
  /** Requests (messages) per second over the last `seconds`. */
  rate: number;
  /** Requests and errors over the last `seconds`. */
  count: number;
  errors: number;
  /** Errors as a percentage of requests (0 when none). */
  errorPct: number;
  /** Count-weighted mean of the slots' p50 and the highest p99 over the last `seconds` (undefined: no traffic). */
  p50?: number;
  p99?: number;
  /** Requests and errors over the whole window. */
  total: number;
  totalErrors: number;
}

/** The latest values of a line: over the last `seconds` (default one minute) and the whole window. */
export function latest(line: SeriesLine | undefined, view: Pick<SeriesView, 'now' | 'step'>, seconds = 60): Latest {
  const out: Latest = { rate: 0, count: 0, errors: 0, errorPct: 0, total: 0, totalErrors: 0 };
  if (!line) return out;
  const since = view.now - seconds;
  let p50w = 0;
  for (const p of line.points) {
    out.total += p.count;
    out.totalErrors += p.errors;
    if (p.t + view.step <= since || p.count === 0) continue;
    out.count += p.count;
    out.errors += p.errors;
    p50w += p.p50 * p.count;
    out.p99 = Math.max(out.p99 ?? 0, p.p99);
  }
  out.rate = round(out.count / seconds);
  out.errorPct = out.count > 0 ? round((100 * out.errors) / out.count, 1) : 0;
  if (out.count > 0) out.p50 = round(p50w / out.count);
  return out;
}

/** The `n` busiest lines (by requests over the window), busiest first; ties by name. */
export function busiest(lines: SeriesLine[], n: number): SeriesLine[] {
  const total = (l: SeriesLine) => l.points.reduce((s, p) => s + p.count, 0);
  return [...lines].sort((a, b) => total(b) - total(a) || a.name.localeCompare(b.name)).slice(0, Math.max(0, n));
}

/** True when no line had any traffic in the window. */
export function isQuiet(lines: SeriesLine[]): boolean {
  return lines.every((l) => l.points.every((p) => p.count === 0));
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** A rate for people: `0`, `0.2/s`, `12/s`, `1.2k/s`. */
export function fmtRate(v: number): string {
  if (v === 0) return '0/s';
  if (v >= 1000) return `${round(v / 1000, 1)}k/s`;
  if (v >= 10) return `${Math.round(v)}/s`;
  return `${round(v, 2)}/s`;
}

/** Milliseconds for people: `—` when unknown, `0.4 ms`, `12 ms`, `1.5 s`. */
export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v >= 1000) return `${round(v / 1000, 1)} s`;
  if (v >= 10) return `${Math.round(v)} ms`;
  return `${round(v, 1)} ms`;
}

/**
 * `fresh` (a short window, e.g. the last minute) merged into `old` (the whole window): the slots fresh
 * covers are replaced, slots older than `minutes` before fresh.now are dropped, lines new in fresh are
 * added. Lets the charts poll a small answer every 5 s instead of the whole 15 minutes.
 */
export function mergeViews(old: SeriesView, fresh: SeriesView, minutes = 15): SeriesView {
  const from = fresh.now - minutes * 60 + fresh.step;
  const key = (l: SeriesLine) => `${l.kindId ?? l.kind ?? ''}\u0000${l.name}`;
  const merge = (a: SeriesLine[], b: SeriesLine[]): SeriesLine[] => {
    const out = new Map<string, SeriesLine>();
    for (const l of a) out.set(key(l), { ...l, points: l.points.filter((p) => p.t >= from && p.t < fresh.from) });
    for (const l of b) {
      const prev = out.get(key(l));
      out.set(key(l), {
        ...(prev ?? l),
        ...l,
        points: [...(prev?.points ?? []), ...l.points.filter((p) => p.t >= fresh.from)].sort((x, y) => x.t - y.t),
      });
    }
    return [...out.values()];
  };
  return {
    step: fresh.step,
    now: fresh.now,
    from: Math.max(from, Math.min(old.from, fresh.from)),
    channels: merge(old.channels, fresh.channels),
    services: merge(old.services, fresh.services),
  };
}

/** Indices of values with no neighbour on either side (null around them). */
export function isolatedIndices(d: ReadonlyArray<number | null | undefined>): number[] {
  const out: number[] = [];
  for (let i = 0; i < d.length; i++) {
    if (d[i] === null || d[i] === undefined) continue;
    const before = i > 0 ? d[i - 1] : null;
    const after = i < d.length - 1 ? d[i + 1] : null;
    if ((before === null || before === undefined) && (after === null || after === undefined)) out.push(i);
  }
  return out;
}
