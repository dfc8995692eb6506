/** One run of a job's service: the invocation a scheduler tick (or `execute`) makes, and its outcome. */
import { randomUUID } from 'node:crypto';
import { isWharfError } from '../../errors.js';
import type { ConnectorContext } from '../../connectors/types.js';
import type { SchedulerJobConfig } from './kind.js';
import type { RunOutcome, Trigger } from './state.js';

export interface RunResult {
  cid: string;
  startedAt: string;
  outcome: RunOutcome;
  /** The service's output when it succeeded. */
  output?: unknown;
}

export async function runJobService(
  ctx: ConnectorContext,
  config: SchedulerJobConfig,
  trigger: Trigger,
  opts: { payload?: unknown; note?: string; cid?: string } = {},
): Promise<RunResult> {
  const cid = opts.cid ?? randomUUID();
  const payload = opts.payload === undefined ? config.payload : opts.payload;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const base = { trigger, cid, ...(opts.note ? { message: opts.note } : {}) };
  try {
    const result = await ctx.invoke({
      service: config.service,
      raw: Buffer.from(JSON.stringify(payload ?? null)),
      dataFormat: 'json',
      channel: { name: config.name, kind: 'scheduler', dataFormat: 'json' },
      parsed: { payload, input: payload },
      cid,
      ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    });
    const durationMs = Date.now() - started;
    return {
      cid,
      startedAt,
      outcome: { outcome: 'ok', at: new Date().toISOString(), durationMs, ...base },
      output: result.output,
    };
  } catch (e) {
    const durationMs = Date.now() - started;
    const message = e instanceof Error ? e.message : String(e);
    const extra = isWharfError(e) ? { code: e.code, status: e.status } : {};
    ctx.logger.warn(`job ${config.name}: service ${config.service} failed (cid ${cid}): ${message}`);
    return {
      cid,
      startedAt,
      outcome: {
        ...base,
        outcome: 'error',
        at: new Date().toISOString(),
        durationMs,
        message: opts.note ? `${message} (${opts.note})` : message,
        ...extra,
      },
    };
  }
}
