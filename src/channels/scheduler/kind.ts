/**
 * `scheduler.jobs`: a job invokes a service with a payload once (`one-time`), every fixed interval
 * (`interval`), or on a cron pattern (`cron`, seconds allowed, time zone aware). Patterns, time
 * zones, durations and start times are checked here, so a bad job never reaches a server.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { parseEvery } from './duration.js';
import { isTimeZone, startAtProblem } from './time.js';

export const JOB_TYPES = ['one-time', 'interval', 'cron'] as const;
export type JobType = (typeof JOB_TYPES)[number];

const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Why `pattern` is not a usable cron pattern, or undefined when it is. */
export function cronProblem(pattern: string): string | undefined {
  let job: Cron;
  try {
    job = new Cron(pattern, { timezone: 'UTC', mode: '5-or-6-parts' });
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/^CronPattern:\s*/, '');
    return `\`${pattern}\` is not a valid cron pattern (5 fields, or 6 with seconds first): ${why}`;
  }
  if (job.nextRun() === null) return `\`${pattern}\` never fires`;
  return undefined;
}

const base = defineKind({
  id: 'scheduler.jobs',
  title: 'Scheduler job',
  cli: ['job'],
  fields: {
    type: z
      .enum(JOB_TYPES)
      .describe(
        "'one-time' runs once at startAt; 'interval' runs every `every` from startAt; 'cron' runs on the `cron` pattern",
      ),
    service: z.string().trim().min(1, 'must name a service').describe('Service to invoke on every run'),
    payload: z
      .json()
      .default({})
      .refine((v) => JSON.stringify(v).length <= MAX_PAYLOAD_BYTES, { message: 'must be at most 1 MiB as JSON' })
      .describe('JSON value the service gets as its request payload and input'),
    startAt: z
      .string()
      .trim()
      .superRefine((v, ctx) => {
        const why = startAtProblem(v);
        if (why) ctx.addIssue({ code: 'custom', message: why });
      })
      .optional()
      .describe(
        'ISO 8601 date-time; with an offset (Z, +02:00) an exact instant, without one read in `timezone`. One-time: when it runs (required). Interval: the first run (default: one interval after the job starts). Cron: no run before it',
      ),
    every: z
      .string()
      .trim()
      .superRefine((v, ctx) => {
        const r = parseEvery(v);
        if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
      })
      .optional()
      .describe(
        'Interval jobs: time between runs, whole units largest first: 30s, 5m, 2h, 1d, 1w, 1h30m (at least 1s)',
      ),
    cron: z
      .string()
      .trim()
      .superRefine((v, ctx) => {
        const why = cronProblem(v);
        if (why) ctx.addIssue({ code: 'custom', message: why });
      })
      .optional()
      .describe(
        'Cron jobs: 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. `*/10 * * * * *`; @daily-style nicknames work',
      ),
    timezone: z
      .string()
      .trim()
      .default('UTC')
      .refine(isTimeZone, {
        error: (iss) => `\`${String(iss.input)}\` is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`,
      })
      .describe('IANA time zone for cron patterns and for startAt without an offset'),
    missedPolicy: z
      .enum(['skip', 'run-once'])
      .default('run-once')
      .describe(
        "Ticks missed while no server ran the job (down, or paused): 'run-once' runs once on start, 'skip' records them as skipped",
      ),
    maxRuns: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Stop after this many scheduled runs (manual executions do not count); unset: no limit'),
    jitterMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(0)
      .describe('Delay each scheduled run by a random 0..jitterMs ms (spreads load)'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(24 * 3_600_000)
      .optional()
      .describe('A run taking longer fails with a timeout (and the next tick may run); unset: no limit'),
  },
});

const REQUIRED: Record<JobType, { field: 'startAt' | 'every' | 'cron'; message: string }> = {
  'one-time': { field: 'startAt', message: 'required for a one-time job (when it runs)' },
  interval: { field: 'every', message: 'required for an interval job, e.g. 30s, 5m, 1h30m' },
  cron: { field: 'cron', message: 'required for a cron job, e.g. `0 */5 * * * *` (every 5 minutes)' },
};

/** The kind, with the per-type required fields checked by the schema itself. */
export const schedulerJobKind = {
  ...base,
  schema: base.schema.superRefine((job, ctx) => {
    const need = REQUIRED[job.type];
    if (job[need.field] === undefined) ctx.addIssue({ code: 'custom', path: [need.field], message: need.message });
  }),
} as typeof base;

export type SchedulerJobConfig = z.output<typeof base.schema>;

/** Scheduler jobs: once per cluster; admins can `execute` one now and ask its `status`. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const schedulerJobDeclaration: ConnectorDeclaration<SchedulerJobConfig> = {
  kind: schedulerJobKind,
  placement: 'cluster',
  actionNames: ['execute', 'status'],
};
