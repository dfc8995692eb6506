/** The scheduler: `scheduler.jobs` (one-time, interval and cron jobs invoking services, once per cluster). */
import type { ConnectorKind } from '../../connectors/types.js';
import { executeJob, jobStatus } from './actions.js';
import { SchedulerJob } from './job.js';
import { schedulerJobDeclaration, type SchedulerJobConfig } from './kind.js';

export const schedulerJobConnector: ConnectorKind<SchedulerJobConfig> = {
  ...schedulerJobDeclaration,
  create: (config, ctx) => new SchedulerJob(config, ctx),
  actions: {
    execute: (config, ctx, args) => executeJob(config, ctx, args),
    status: (config, ctx) => jobStatus(config, ctx),
  },
};

export { SchedulerJob, OVERLAP_MESSAGE, STOP_DRAIN_MS } from './job.js';
export { schedulerJobKind, cronProblem, JOB_TYPES, type JobType, type SchedulerJobConfig } from './kind.js';
export { executeJob, jobStatus, type ExecuteResult } from './actions.js';
export { parseEvery, formatEvery } from './duration.js';
export { compilePlan, ticksBetween, type Plan } from './plan.js';
export type { JobStatus, RunOutcome, Trigger } from './state.js';
