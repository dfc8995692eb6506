/**
 * Recent traffic per channel and per service for the admin dashboard: a ring of 5 s slots over the
 * last 15 minutes, each slot holding a count, an error count (status >= 400) and a latency
 * histogram (from which p50/p99 are estimated). Every ring is preallocated (typed arrays), so
 * recording a request allocates nothing: a slot check, two increments and a bucket increment.
 *
 * Each worker records what it serves; `dump()` copies the non-empty slots of a window so the
 * admin API can merge the dumps of every worker of the server (`mergeSeries`).
 */

import type { SeriesLine, SeriesPoint, SeriesView } from '../admin/api-types.js';

export type { SeriesLine, SeriesPoint, SeriesView };

export const STEP_SECONDS = 5;
export const WINDOW_MINUTES = 15;
const SLOTS = (WINDOW_MINUTES * 60) / STEP_SECONDS;

/** Upper bounds (ms) of the latency buckets; the last bucket is everything slower. */
export const SERIES_BUCKETS_MS = [
  0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000,
  10_000, 30_000,
];
const NB = SERIES_BUCKETS_MS.length + 1;
/** count, errors, buckets... */
const WIDTH = 2 + NB;

export type SeriesKind = 'http' | 'message' | 'service';

/** The object kind of a message channel, from the channel kind its invocations carry. */
const KIND_IDS: Record<string, string> = { 'swift-notifier': 'notifications.openstackSwift' };
export const channelKindId = (channelKind: string): string => KIND_IDS[channelKind] ?? `channels.${channelKind}`;

class Ring {
  /** Which slot (epoch seconds / STEP) each row holds; -1 = empty. */
  readonly slotOf = new Float64Array(SLOTS).fill(-1);
  readonly cells = new Uint32Array(SLOTS * WIDTH);
  constructor(
    readonly name: string,
    readonly kind: SeriesKind,
    /** The channel's object kind id (`channels.http`, `channels.amqp`, ...); '' for services. */
    readonly kindId = '',
  ) {}

  add(slot: number, status: number, ms: number): void {
    const row = slot % SLOTS;
    const base = row * WIDTH;
    if (this.slotOf[row] !== slot) {
      this.slotOf[row] = slot;
      this.cells.fill(0, base, base + WIDTH);
    }
    this.cells[base]!++;
    if (status >= 400) this.cells[base + 1]!++;
    let i = 0;
    while (i < SERIES_BUCKETS_MS.length && ms > SERIES_BUCKETS_MS[i]!) i++;
    this.cells[base + 2 + i]!++;
  }

  /** Non-empty slots in [fromSlot, toSlot] as `[slot, count, errors, ...buckets]`. */
  rows(fromSlot: number, toSlot: number): number[][] {
    const out: number[][] = [];
    for (let row = 0; row < SLOTS; row++) {
      const slot = this.slotOf[row]!;
      if (slot < fromSlot || slot > toSlot) continue;
      const base = row * WIDTH;
      if (this.cells[base] === 0) continue;
      out.push([slot, ...this.cells.subarray(base, base + WIDTH)]);
    }
    return out;
  }
}

/** One worker's copy of a window (what travels over IPC). */
export interface SeriesDump {
  workerId: number;
  channels: Array<{ name: string; kind: 'http' | 'message'; kindId: string; rows: number[][] }>;
  services: Array<{ name: string; rows: number[][] }>;
}

/** HTTP targets that are not services (see dispatch: `proxy:<connection>`, `routes`, `reject`). */
const notService = (target: string): boolean =>
  target === '' || target === 'routes' || target === 'reject' || target.startsWith('proxy:');

export class SeriesRecorder {
  private readonly httpChannels = new Map<string, Ring>();
  /** channel kind (amqp, mqtt, ...) → name → ring: no key string built per message. */
  private readonly messageChannels = new Map<string, Map<string, Ring>>();
  private readonly services = new Map<string, Ring>();

  /** The current slot, kept by a timer: reading the clock costs more than the rest of a record. */
  private slot = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  /** `clock` given (tests): read on every record; else the slot follows Date.now through a 250 ms timer. */
  constructor(private readonly clock?: () => number) {
    this.tick();
    if (!clock) this.timer = setInterval(() => this.tick(), 250).unref();
  }

  private tick(): number {
    this.slot = Math.floor((this.clock ?? Date.now)() / (STEP_SECONDS * 1000));
    return this.slot;
  }

  private current(): number {
    return this.clock ? this.tick() : this.slot;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The HTTP handler's `observe` hook: the channel, and the service when the target is one. */
  readonly observeHttp = (channel: string, target: string, status: number, ms: number): void => {
    const slot = this.current();
    ring(this.httpChannels, channel, 'http', 'channels.http').add(slot, status, ms);
    if (!notService(target)) ring(this.services, target, 'service').add(slot, status, ms);
  };

  /**
   * A message channel (AMQP, MQTT, ZeroMQ, ...) of `channelKind` ran `service`; `channel` undefined:
   * a scheduler job (counted for its service only).
   */
  observeMessage(channelKind: string, channel: string | undefined, service: string, status: number, ms: number): void {
    const slot = this.current();
    if (channel !== undefined) {
      let byName = this.messageChannels.get(channelKind);
      if (!byName) {
        byName = new Map();
        this.messageChannels.set(channelKind, byName);
      }
      ring(byName, channel, 'message', channelKindId(channelKind)).add(slot, status, ms);
    }
    ring(this.services, service, 'service').add(slot, status, ms);
  }

  dump(workerId: number, minutes: number): SeriesDump {
    const { fromSlot, toSlot } = windowSlots((this.clock ?? Date.now)(), minutes);
    return {
      workerId,
      channels: [
        ...this.httpChannels.values(),
        ...[...this.messageChannels.values()].flatMap((m) => [...m.values()]),
      ].map((r) => ({
        name: r.name,
        kind: r.kind === 'http' ? 'http' : 'message',
        kindId: r.kindId,
        rows: r.rows(fromSlot, toSlot),
      })),
      services: [...this.services.values()].map((r) => ({ name: r.name, rows: r.rows(fromSlot, toSlot) })),
    };
  }
}

function ring(map: Map<string, Ring>, name: string, kind: SeriesKind, kindId = ''): Ring {
  let r = map.get(name);
  if (!r) {
    r = new Ring(name, kind, kindId);
    map.set(name, r);
  }
  return r;
}

/** Minutes from a query value: an integer 1..15 (default 15), else undefined. */
export function parseMinutes(v: unknown): number | undefined {
  if (v === undefined || v === '') return WINDOW_MINUTES;
  if (typeof v !== 'string' || !/^\d{1,3}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= WINDOW_MINUTES ? n : undefined;
}

function windowSlots(nowMs: number, minutes: number): { fromSlot: number; toSlot: number } {
  const toSlot = Math.floor(nowMs / (STEP_SECONDS * 1000));
  return { fromSlot: toSlot - (minutes * 60) / STEP_SECONDS + 1, toSlot };
}

/** Estimated percentile (ms) from bucket counts, interpolating linearly inside the bucket. */
export function percentile(buckets: ArrayLike<number>, count: number, q: number): number {
  if (count === 0) return 0;
  const rank = q * count;
  let seen = 0;
  for (let i = 0; i < NB; i++) {
    const n = buckets[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : SERIES_BUCKETS_MS[i - 1]!;
      const hi = SERIES_BUCKETS_MS[i] ?? lo;
      return Math.round((lo + ((hi - lo) * (rank - seen)) / n) * 100) / 100;
    }
    seen += n;
  }
  return SERIES_BUCKETS_MS[SERIES_BUCKETS_MS.length - 1]!;
}

function mergeLines(
  lines: Array<{ name: string; kind: string; kindId?: string; rows: number[][] }>,
  fromSlot: number,
  toSlot: number,
): SeriesLine[] {
  const byName = new Map<string, { name: string; kind: string; kindId: string; cells: Map<number, number[]> }>();
  for (const l of lines) {
    const key = `${l.kind}\u0000${l.kindId ?? ''}\u0000${l.name}`;
    const e = byName.get(key) ?? {
      name: l.name,
      kind: l.kind,
      kindId: l.kindId ?? '',
      cells: new Map<number, number[]>(),
    };
    byName.set(key, e);
    for (const row of l.rows) {
      const slot = row[0]!;
      if (slot < fromSlot || slot > toSlot || row.length !== WIDTH + 1) continue;
      const acc = e.cells.get(slot) ?? new Array<number>(WIDTH).fill(0);
      for (let i = 0; i < WIDTH; i++) acc[i]! += row[i + 1]!;
      e.cells.set(slot, acc);
    }
  }
  return [...byName.values()]
    .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind) || a.kindId.localeCompare(b.kindId))
    .map((e) => {
      const points: SeriesPoint[] = [];
      for (let slot = fromSlot; slot <= toSlot; slot++) {
        const c = e.cells.get(slot);
        const t = slot * STEP_SECONDS;
        if (!c) points.push({ t, count: 0, errors: 0, p50: 0, p99: 0 });
        else {
          const b = c.slice(2);
          points.push({
            t,
            count: c[0]!,
            errors: c[1]!,
            p50: percentile(b, c[0]!, 0.5),
            p99: percentile(b, c[0]!, 0.99),
          });
        }
      }
      return { name: e.name, kind: e.kind, ...(e.kindId ? { kindId: e.kindId } : {}), points };
    });
}

/** Merges the dumps of every worker of a server into one view (every slot of the window present). */
export function mergeSeries(dumps: SeriesDump[], minutes: number, nowMs = Date.now()): SeriesView {
  const { fromSlot, toSlot } = windowSlots(nowMs, minutes);
  return {
    step: STEP_SECONDS,
    now: toSlot * STEP_SECONDS,
    from: fromSlot * STEP_SECONDS,
    channels: mergeLines(
      dumps.flatMap((d) => d.channels),
      fromSlot,
      toSlot,
    ),
    services: mergeLines(
      dumps.flatMap((d) => d.services.map((s) => ({ ...s, kind: 'service' }))),
      fromSlot,
      toSlot,
    ).map(({ name, points }) => ({ name, points })),
  };
}
