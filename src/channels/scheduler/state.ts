/**
 * What a job remembers across restarts, in the object's persistent state (shared by the cluster).
 * Keys are split by writer so concurrent writers never overwrite each other's counters:
 * `schedule` is written only by the running job (one per cluster), `manual` only by the execute
 * action, `lastRun` and `lastOutcome` by both (the latest wins).
 */
import { z } from 'zod';
import type { StateStore } from '../../connectors/types.js';

export const Keys = { schedule: 'schedule', lastRun: 'lastRun', lastOutcome: 'lastOutcome', manual: 'manual' } as const;

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)));

export const triggerSchema = z.enum(['schedule', 'missed', 'manual']);
export type Trigger = z.infer<typeof triggerSchema>;

const outcomeSchema = z.object({
  outcome: z.enum(['ok', 'error', 'skipped']),
  at: iso,
  trigger: triggerSchema,
  message: z.string().optional(),
  cid: z.string().optional(),
  durationMs: z.number().optional(),
  /** Error outcomes: the WharfError code and HTTP-style status. */
  code: z.string().optional(),
  status: z.number().optional(),
});
export type RunOutcome = z.infer<typeof outcomeSchema>;

const scheduleSchema = z.object({
  /** Due time of the last scheduled tick handled (run or skipped): missed ticks are counted from here. */
  lastTickAt: iso.optional(),
  /** Scheduled runs started (what maxRuns limits). */
  runCount: z.number().int().min(0).default(0),
  skippedCount: z.number().int().min(0).default(0),
  nextRunAt: iso.nullable().default(null),
  lastSkipped: z.object({ at: iso, message: z.string() }).optional(),
});
export type ScheduleState = z.infer<typeof scheduleSchema>;

const lastRunSchema = z.object({ at: iso, cid: z.string(), trigger: triggerSchema });
export type LastRun = z.infer<typeof lastRunSchema>;

const manualSchema = z.object({ count: z.number().int().min(0).default(0) });

export interface JobMemory {
  schedule: ScheduleState;
  lastRun: LastRun | undefined;
  lastOutcome: RunOutcome | undefined;
  manualRunCount: number;
}

function read<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

export async function loadMemory(state: StateStore): Promise<JobMemory> {
  const [schedule, lastRun, lastOutcome, manual] = await Promise.all([
    state.get(Keys.schedule),
    state.get(Keys.lastRun),
    state.get(Keys.lastOutcome),
    state.get(Keys.manual),
  ]);
  return {
    schedule: read(scheduleSchema, schedule ?? {}) ?? scheduleSchema.parse({}),
    lastRun: read(lastRunSchema, lastRun),
    lastOutcome: read(outcomeSchema, lastOutcome),
    manualRunCount: read(manualSchema, manual ?? {})?.count ?? 0,
  };
}

/** Records a manual run: bumps the manual counter (read-modify-write) and sets last run/outcome. */
export async function recordManualRun(state: StateStore, lastRun: LastRun, outcome: RunOutcome): Promise<void> {
  const manual = read(manualSchema, (await state.get(Keys.manual)) ?? {})?.count ?? 0;
  await state.set(Keys.manual, { count: manual + 1 });
  await state.set(Keys.lastRun, lastRun);
  await state.set(Keys.lastOutcome, outcome);
}

/** The view shown by `wharf job get/status` and in health detail. */
export interface JobStatus {
  state: 'scheduled' | 'running' | 'done' | 'paused' | 'stopped' | 'starting';
  schedule?: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastOutcome: RunOutcome | null;
  runCount: number;
  manualRunCount: number;
  skippedCount: number;
  lastSkipped: { at: string; message: string } | null;
}

export function statusView(m: JobMemory, state: JobStatus['state'], schedule?: string): JobStatus {
  return {
    state,
    ...(schedule === undefined ? {} : { schedule }),
    nextRunAt: m.schedule.nextRunAt,
    lastRunAt: m.lastRun?.at ?? null,
    lastOutcome: m.lastOutcome ?? null,
    runCount: m.schedule.runCount,
    manualRunCount: m.manualRunCount,
    skippedCount: m.schedule.skippedCount,
    lastSkipped: m.schedule.lastSkipped ?? null,
  };
}
