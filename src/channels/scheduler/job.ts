/**
 * One scheduler job, run by the connector manager in one worker of the cluster (placement
 * 'cluster': the manager holds the lease, so every tick runs once per cluster). Each tick arms the
 * next croner timer before the service runs, so the schedule follows the clock, not the runs:
 * a tick due while the previous run is still going is skipped and recorded. Edits re-arm the timer
 * (a run in progress finishes on the old settings); ticks missed while no server ran the job are
 * handled by `missedPolicy` on start.
 */
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import type { SchedulerJobConfig } from './kind.js';
import { compilePlan, ticksBetween, type Plan } from './plan.js';
import { runJobService } from './run.js';
import { Keys, loadMemory, statusView, type JobMemory, type JobStatus, type Trigger } from './state.js';

/** How long stop() waits for a run in progress before leaving it to finish on its own. */
export const STOP_DRAIN_MS = 5_000;

export const OVERLAP_MESSAGE = 'skipped: previous run still in progress';

type Phase = 'new' | 'starting' | 'up' | 'stopped';

function emptyMemory(): JobMemory {
  return {
    schedule: { runCount: 0, skippedCount: 0, nextRunAt: null },
    lastRun: undefined,
    lastOutcome: undefined,
    manualRunCount: 0,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class SchedulerJob implements Connector<SchedulerJobConfig> {
  #config: SchedulerJobConfig;
  #phase: Phase = 'new';
  #memory: JobMemory = emptyMemory();
  #plan: Plan | undefined;
  #planError: string | undefined;
  #timer: Cron | undefined;
  #inFlight: Promise<void> | undefined;
  #writes: Promise<void> = Promise.resolve();
  #persistError: string | undefined;
  readonly #startedAt = Date.now();

  constructor(
    config: SchedulerJobConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.#config = config;
  }

  async start(): Promise<void> {
    if (this.#phase !== 'new') return;
    this.#phase = 'starting';
    try {
      this.#memory = await loadMemory(this.ctx.state);
    } catch (e) {
      this.#persistFailed('cannot read the job state', e);
    }
    if (this.#phase !== 'starting') return; // stopped meanwhile
    this.#phase = 'up';
    this.#schedule(true);
  }

  async reconfigure(config: SchedulerJobConfig): Promise<void> {
    this.#config = config;
    if (this.#phase !== 'up') return; // a start in progress picks the new config up
    this.#cancelTimer();
    this.#schedule(false);
  }

  async stop(): Promise<void> {
    const wasRunning = this.#phase !== 'stopped';
    this.#phase = 'stopped';
    this.#cancelTimer();
    if (!wasRunning) return;
    const inFlight = this.#inFlight;
    let t: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (t = setTimeout(resolve, STOP_DRAIN_MS)));
    try {
      if (inFlight) await Promise.race([inFlight, deadline]);
      await Promise.race([this.#writes, deadline]);
    } finally {
      clearTimeout(t);
    }
    if (this.#inFlight)
      this.ctx.logger.warn(
        `job ${this.#config.name}: stopped while a run is still in progress; it finishes on its own`,
      );
  }

  health(): ConnectorHealth {
    const status =
      this.#phase === 'stopped'
        ? 'stopped'
        : this.#phase === 'up'
          ? this.#planError
            ? 'down'
            : this.#persistError
              ? 'degraded'
              : 'up'
          : 'starting';
    const view: JobStatus & { problem?: string } = statusView(this.#memory, this.#state(), this.#plan?.description);
    const problem = this.#planError ?? this.#persistError;
    if (problem) view.problem = problem;
    return { status, detail: JSON.stringify(view) };
  }

  /** The current status (what health detail shows), as an object. */
  status(): JobStatus {
    return statusView(this.#memory, this.#state(), this.#plan?.description);
  }

  #state(): JobStatus['state'] {
    if (this.#phase === 'stopped') return 'stopped';
    if (this.#phase !== 'up') return 'starting';
    if (this.#inFlight) return 'running';
    return this.#timer ? 'scheduled' : 'done';
  }

  /** The due time of the last scheduled tick this job handled, from what it remembers. */
  #lastTick(): number | undefined {
    const s = this.#memory.schedule.lastTickAt;
    if (s) return Date.parse(s);
    const run = this.#memory.lastRun;
    return run && run.trigger !== 'manual' ? Date.parse(run.at) : undefined;
  }

  /** Builds the plan from the current config and arms the first tick. */
  #schedule(onStart: boolean): void {
    const cfg = this.#config;
    const now = Date.now();
    const lastTick = this.#lastTick();
    try {
      this.#plan = compilePlan(cfg, lastTick ?? this.#startedAt);
      this.#planError = undefined;
    } catch (e) {
      this.#plan = undefined;
      this.#planError = `cannot schedule: ${e instanceof Error ? e.message : String(e)}`;
      this.ctx.logger.error(`job ${cfg.name}: ${this.#planError}`);
      return;
    }
    // A one-time job runs unless a tick at or after its time was handled; a recurring job looks
    // back to its last tick on start (missed ticks) and forward from now on an edit.
    const after = cfg.type === 'one-time' ? (lastTick ?? -Infinity) : onStart ? (lastTick ?? now) : now;
    this.#arm(after);
  }

  /** Arms the croner timer for the first tick after `after`, or handles ticks already overdue. */
  #arm(after: number): void {
    const plan = this.#plan;
    if (this.#phase !== 'up' || !plan) return;
    this.#cancelTimer();
    const cfg = this.#config;
    if (cfg.maxRuns !== undefined && this.#memory.schedule.runCount >= cfg.maxRuns) return this.#setNext(null);
    const next = plan.next(after);
    if (next === null) return this.#setNext(null);
    const now = Date.now();
    if (next <= now) return this.#overdue(plan, after, now);
    const fireAt = next + this.#jitter(plan, next);
    this.#timer = new Cron(new Date(fireAt), () => this.#fire(next));
    this.#setNext(next);
  }

  /** Ticks whose time passed without a run (no server ran the job, or it was paused or stalled). */
  #overdue(plan: Plan, after: number, now: number): void {
    const { count, last, capped } = ticksBetween(plan, after, now);
    const first = plan.next(after)!;
    const note = `${capped ? `${count}+` : count} missed tick${count === 1 ? '' : 's'} since ${iso(first)}`;
    if (this.#config.missedPolicy === 'run-once') {
      this.ctx.logger.info(`job ${this.#config.name}: ${note}; running once now (missedPolicy run-once)`);
      this.#onDue(last!, 'missed', note);
      return;
    }
    this.ctx.logger.info(`job ${this.#config.name}: ${note}; skipped (missedPolicy skip)`);
    this.#recordSkip(last!, `skipped: ${note} (missedPolicy skip)`, count);
    this.#arm(last!);
  }

  #fire(due: number): void {
    try {
      this.#onDue(due, 'schedule');
    } catch (e) {
      // Never let a bug here escape into croner's timer (it would crash the worker).
      this.ctx.logger.error(
        `job ${this.#config.name}: tick at ${iso(due)} failed: ${e instanceof Error ? e.stack : String(e)}`,
      );
      if (!this.#timer) {
        try {
          this.#arm(due);
        } catch {
          /* logged above; the job shows no next run */
        }
      }
    }
  }

  #onDue(due: number, trigger: Trigger, note?: string): void {
    if (this.#phase !== 'up') return;
    this.#timer = undefined;
    if (this.#inFlight) {
      this.ctx.logger.warn(`job ${this.#config.name}: tick at ${iso(due)} ${OVERLAP_MESSAGE}`);
      this.#recordSkip(due, OVERLAP_MESSAGE, 1);
      this.#arm(due);
      return;
    }
    const cfg = this.#config;
    const cid = randomUUID();
    const s = this.#memory.schedule;
    s.lastTickAt = iso(due);
    s.runCount += 1;
    this.#memory.lastRun = { at: iso(Date.now()), cid, trigger };
    const lastRun = this.#memory.lastRun;
    const run = (async () => {
      const res = await runJobService(this.ctx, cfg, trigger, { cid, ...(note ? { note } : {}) });
      this.#memory.lastOutcome = res.outcome;
      this.#persist(Keys.lastOutcome, res.outcome);
    })();
    this.#inFlight = run;
    void run.finally(() => {
      if (this.#inFlight === run) this.#inFlight = undefined;
    });
    this.#arm(due); // also persists the schedule (lastTickAt, runCount, nextRunAt)
    this.#persist(Keys.lastRun, lastRun);
  }

  #recordSkip(due: number, message: string, count: number): void {
    const at = iso(Date.now());
    const s = this.#memory.schedule;
    s.lastTickAt = iso(due);
    s.skippedCount += count;
    s.lastSkipped = { at, message };
    const outcome = { outcome: 'skipped' as const, at, trigger: 'schedule' as const, message };
    this.#memory.lastOutcome = outcome;
    this.#persist(Keys.lastOutcome, outcome);
    this.#persist(Keys.schedule, s);
  }

  #setNext(next: number | null): void {
    this.#memory.schedule.nextRunAt = next === null ? null : iso(next);
    this.#persist(Keys.schedule, this.#memory.schedule);
  }

  /** Random delay for a tick, at most jitterMs and at most half the time to the following tick. */
  #jitter(plan: Plan, next: number): number {
    const max = this.#config.jitterMs;
    if (max <= 0) return 0;
    const following = plan.next(next);
    const cap = following === null ? max : Math.min(max, Math.floor((following - next) / 2));
    return Math.floor(Math.random() * (cap + 1));
  }

  #cancelTimer(): void {
    this.#timer?.stop();
    this.#timer = undefined;
  }

  /** Writes one state key, in order with the other writes; failures degrade health, never throw. */
  #persist(key: string, value: unknown): void {
    const snapshot = structuredClone(value);
    this.#writes = this.#writes.then(async () => {
      try {
        await this.ctx.state.set(key, snapshot);
        this.#persistError = undefined;
      } catch (e) {
        this.#persistFailed(`cannot save the job state (${key})`, e);
      }
    });
  }

  #persistFailed(what: string, e: unknown): void {
    this.#persistError = `${what}: ${e instanceof Error ? e.message : String(e)}`;
    this.ctx.logger.error(`job ${this.#config.name}: ${this.#persistError}`);
  }
}
