/**
 * Admin actions on a job (`wharf job execute ENV NAME`, `wharf job status ENV NAME`). They run in
 * the worker that received the admin call, not necessarily where the job's timer lives.
 */
import type { ConnectorContext } from '../../connectors/types.js';
import type { SchedulerJobConfig } from './kind.js';
import { compilePlan } from './plan.js';
import { runJobService } from './run.js';
import { loadMemory, recordManualRun, statusView, type JobStatus, type RunOutcome } from './state.js';

export interface ExecuteResult {
  cid: string;
  outcome: RunOutcome['outcome'];
  durationMs: number;
  message?: string;
  /** Error outcomes: the error code and status. */
  code?: string;
  status?: number;
  /** The service's output when it succeeded. */
  output?: unknown;
}

/**
 * Runs the job's service once now, whatever its schedule (also when paused), with the job's
 * payload or `args.payload`; records it as the last run (`trigger: manual`). A failing service is
 * an `outcome: 'error'` result, not an exception.
 */
export async function executeJob(
  config: SchedulerJobConfig,
  ctx: ConnectorContext,
  args: Record<string, unknown> = {},
): Promise<ExecuteResult> {
  const res = await runJobService(ctx, config, 'manual', 'payload' in args ? { payload: args['payload'] } : {});
  try {
    await recordManualRun(ctx.state, { at: res.startedAt, cid: res.cid, trigger: 'manual' }, res.outcome);
  } catch (e) {
    ctx.logger.error(
      `job ${config.name}: cannot record the manual run ${res.cid}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const o = res.outcome;
  return {
    cid: res.cid,
    outcome: o.outcome,
    durationMs: o.durationMs ?? 0,
    ...(o.message === undefined ? {} : { message: o.message }),
    ...(o.code === undefined ? {} : { code: o.code }),
    ...(o.status === undefined ? {} : { status: o.status }),
    ...(o.outcome === 'ok' ? { output: Buffer.isBuffer(res.output) ? res.output.toString('utf8') : res.output } : {}),
  };
}

/** What the cluster remembers about the job: last/next run, last outcome, counters. */
export async function jobStatus(config: SchedulerJobConfig, ctx: ConnectorContext): Promise<JobStatus> {
  const m = await loadMemory(ctx.state);
  let description: string | undefined;
  try {
    const lastTick = m.schedule.lastTickAt ? Date.parse(m.schedule.lastTickAt) : Date.now();
    description = compilePlan(config, lastTick).description;
  } catch {
    description = undefined;
  }
  if (!config.active) return { ...statusView(m, 'paused', description), nextRunAt: null };
  const state = m.schedule.nextRunAt === null && m.schedule.lastTickAt !== undefined ? 'done' : 'scheduled';
  return statusView(m, state, description);
}
