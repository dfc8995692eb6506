/**
 * A job's schedule as a pure function: `next(after)` is the first tick strictly after `after` (ms
 * since the epoch), or null when there is none. Croner computes cron ticks; intervals are
 * `anchor + k × every`, so they never drift; a one-time job has one tick, at startAt.
 */
import { Cron } from 'croner';
import { formatEvery, parseEvery } from './duration.js';
import type { SchedulerJobConfig } from './kind.js';
import { startAtInstant } from './time.js';

export interface Plan {
  next(after: number): number | null;
  /** `every 5m from 2030-01-01T00:00:00.000Z`, `cron 0 * * * * * (Europe/Oslo)`, `once at ...`. */
  readonly description: string;
}

/**
 * `anchor` places interval ticks when the job has no startAt: normally the last tick the job ran
 * (so restarts and edits keep the rhythm), else the moment the job started.
 */
export function compilePlan(config: SchedulerJobConfig, anchor: number): Plan {
  const startAt = config.startAt === undefined ? undefined : startAtInstant(config.startAt, config.timezone);
  switch (config.type) {
    case 'one-time': {
      const at = startAt!;
      return { next: (after) => (at > after ? at : null), description: `once at ${new Date(at).toISOString()}` };
    }
    case 'interval': {
      const every = parseEvery(config.every!);
      if (!every.ok) throw new Error(`every: ${every.reason}`);
      const step = every.ms;
      const first = startAt ?? anchor + step;
      return {
        next(after) {
          if (after < first) return first;
          return first + (Math.floor((after - first) / step) + 1) * step;
        },
        description: `every ${formatEvery(step)} from ${new Date(first).toISOString()}`,
      };
    }
    case 'cron': {
      const pattern = new Cron(config.cron!, {
        timezone: config.timezone,
        mode: '5-or-6-parts',
        ...(startAt === undefined ? {} : { startAt: new Date(startAt) }),
      });
      return {
        next(after) {
          const d = pattern.nextRun(new Date(after));
          return d ? d.getTime() : null;
        },
        description: `cron ${config.cron} (${config.timezone})`,
      };
    }
  }
}

/** Ticks in (after, until]: how many (counted up to `cap`) and the last one. */
export function ticksBetween(
  plan: Plan,
  after: number,
  until: number,
  cap = 10_000,
): { count: number; last: number | undefined; capped: boolean } {
  let count = 0;
  let last: number | undefined;
  let t = plan.next(after);
  while (t !== null && t <= until) {
    count++;
    last = t;
    if (count >= cap) {
      // Jump to the last tick without counting every one of them.
      return { count, last: lastBefore(plan, t, until), capped: true };
    }
    t = plan.next(t);
  }
  return { count, last, capped: false };
}

function lastBefore(plan: Plan, from: number, until: number): number {
  // Binary search on `next` for the last tick <= until, starting from a known tick `from`.
  let lo = from;
  let hi = until;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    const n = plan.next(mid);
    if (n !== null && n <= until) lo = n;
    else hi = mid;
  }
  let t = lo;
  for (let n = plan.next(t); n !== null && n <= until; n = plan.next(t)) t = n;
  return t;
}
