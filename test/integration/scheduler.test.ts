/**
 * The scheduler (`scheduler.jobs`) with croner's real timers: conformance (live reconfiguration of
 * the interval while it runs), cron with seconds, intervals, one-time jobs, failing and slow
 * services, edits while a run is in progress, the missed-tick policy across restarts, the execute
 * and status actions, timers released on stop — and, against the real PostgreSQL ODB on
 * 127.0.0.1:5432 (leases and state), two servers' connector managers running one job exactly once
 * per tick, with pause, resume and takeover. Fails (never skips) when PostgreSQL is not there.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  executeJob,
  jobStatus,
  OVERLAP_MESSAGE,
  schedulerJobConnector,
  schedulerJobKind,
  type SchedulerJobConfig,
} from '../../src/channels/scheduler/index.js';
import { acquireLease } from '../../src/cluster/lease.js';
import { ConnectorManager } from '../../src/connectors/manager.js';
import { declarationFor, registerConnector } from '../../src/connectors/registry.js';
import { runConformance } from '../support/connectors/conformance.js';
import { createTestContext, type TestContext, type TestService } from '../support/connectors/context.js';
import type { Connector, ConnectorContext } from '../../src/connectors/types.js';
import { BadRequest } from '../../src/errors.js';
import { Odb } from '../../src/odb/odb.js';
import { sleep } from '../helpers/wait.js';

async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(25);
  }
}

const uniqueName = (prefix: string): string => `${prefix}.${Date.now().toString(36)}.${randomUUID().slice(0, 8)}`;

function job(fields: Record<string, unknown>): SchedulerJobConfig {
  return schedulerJobKind.schema.parse({ name: uniqueName('job'), service: 'tick', ...fields });
}

/** A service that records when it ran and with what payload. */
function recorder(opts: { delayMs?: (n: number) => number; fail?: (n: number) => Error | undefined } = {}) {
  const runs: Array<{ at: number; end?: number; payload: unknown; cid: string }> = [];
  let active = 0;
  let maxActive = 0;
  const service: TestService = async (call) => {
    const run: { at: number; end?: number; payload: unknown; cid: string } = {
      at: Date.now(),
      payload: call.payload,
      cid: call.cid,
    };
    runs.push(run);
    active++;
    maxActive = Math.max(maxActive, active);
    try {
      const delay = opts.delayMs?.(runs.length) ?? 0;
      if (delay > 0) await sleep(delay);
      const err = opts.fail?.(runs.length);
      if (err) throw err;
      return { ok: true, n: runs.length };
    } finally {
      active--;
      run.end = Date.now();
    }
  };
  return { runs, service, maxActive: () => maxActive };
}

async function started(config: SchedulerJobConfig, ctx: TestContext): Promise<Connector<SchedulerJobConfig>> {
  const inst = schedulerJobConnector.create(config, ctx);
  await inst.start();
  await waitFor(() => inst.health().status === 'up', 5_000, 'job up');
  return inst;
}

const detail = (inst: Connector): Record<string, unknown> =>
  JSON.parse(inst.health().detail ?? '{}') as Record<string, unknown>;
const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);
const iso = (ms: number): string => new Date(ms).toISOString();

// ------------------------------------------------------------------------------------------------
// Conformance: an interval job, reconfigured live from every 1s to every 2s with a new payload.

runConformance<SchedulerJobConfig>({
  title: 'scheduler.jobs with croner timers',
  kind: schedulerJobConnector,
  services: { tick: (call) => ({ seen: call.payload }) },
  config: () => job({ type: 'interval', every: '1s', payload: { round: 1 } }),
  reconfigure: (c) => ({ ...c, every: '2s', payload: { round: 2 } }),
  async exercise(_inst, config, ctx) {
    const n = ctx.calls.length;
    const t0 = Date.now();
    await ctx.waitForCalls(n + 2, 8_000);
    const fresh = ctx.calls.slice(n, n + 2);
    for (const c of fresh) {
      expect(c.payload).toEqual(config.payload);
      expect(c.inv.channel).toEqual({ name: config.name, kind: 'scheduler', dataFormat: 'json' });
      expect(c.inv.dataFormat).toBe('json');
      expect(JSON.parse(c.raw.toString())).toEqual(config.payload);
    }
    // Two ticks of the current interval took between one and two intervals (+ slack).
    const every = config.every === '2s' ? 2000 : 1000;
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(every - 100);
    expect(took).toBeLessThan(2 * every + 600);
  },
  invalid: [
    {
      input: { name: 'j', type: 'cron', cron: '61 * * * * *', service: 's' },
      message: /cron: `61 \* \* \* \* \*` is not a valid cron pattern.*second: 61/,
    },
    {
      input: { name: 'j', type: 'cron', cron: '0 0 30 2 *', service: 's' },
      message: /cron: `0 0 30 2 \*` never fires/,
    },
    {
      input: { name: 'j', type: 'cron', cron: '* * * * *', timezone: 'Europe/Atlantis', service: 's' },
      message: /timezone: `Europe\/Atlantis` is not an IANA time zone/,
    },
    {
      input: { name: 'j', type: 'interval', every: '5 minutes', service: 's' },
      message: /every: `5 minutes` is not a duration; use whole units/,
    },
    { input: { name: 'j', type: 'interval', every: '0s', service: 's' }, message: /every: must be at least 1s/ },
    { input: { name: 'j', type: 'interval', service: 's' }, message: /every: required for an interval job/ },
    { input: { name: 'j', type: 'cron', service: 's' }, message: /cron: required for a cron job/ },
    { input: { name: 'j', type: 'one-time', service: 's' }, message: /startAt: required for a one-time job/ },
    {
      input: { name: 'j', type: 'one-time', startAt: '2030-13-01T00:00', service: 's' },
      message: /startAt: `2030-13-01T00:00` is not a real date and time/,
    },
    { input: { name: 'j', type: 'interval', every: '1s' }, message: /service/ },
    {
      input: { name: 'j', type: 'interval', every: '1s', service: 's', missedPolicy: 'catch-up' },
      message: /missedPolicy/,
    },
  ],
  stopWithinMs: 1_000,
});

// ------------------------------------------------------------------------------------------------
// Timers must all be gone after stop (tested alone: it counts the process's Timeout handles).

describe('stop', () => {
  it('clears every timer: far-off cron, jittered interval, pending one-time', async () => {
    const count = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = count();
    const ctx = createTestContext({ services: { tick: () => 'ok' } });
    const jobs = [
      job({ type: 'cron', cron: '0 0 1 1 *' }),
      job({ type: 'interval', every: '1s', jitterMs: 400 }),
      job({ type: 'one-time', startAt: iso(Date.now() + 3_600_000) }),
      job({ type: 'cron', cron: '* * * * * *', startAt: iso(Date.now() + 40 * 86_400_000) }), // beyond setTimeout's 24.8-day limit
    ];
    const insts = await Promise.all(jobs.map((j) => started(j, ctx)));
    expect(count()).toBeGreaterThan(before);
    await Promise.all(insts.map((i) => i.stop()));
    await sleep(50);
    expect(count()).toBeLessThanOrEqual(before);
    for (const i of insts) expect(i.health().status).toBe('stopped');
  });

  it('lets a run in progress finish and records its outcome', async () => {
    const rec = recorder({ delayMs: () => 700 });
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'interval', every: '1s' });
    const inst = await started(config, ctx);
    await waitFor(() => rec.runs.length === 1, 3_000, 'first run');
    const t0 = Date.now();
    await inst.stop();
    expect(Date.now() - t0).toBeGreaterThan(300);
    expect(rec.runs[0]!.end).toBeDefined();
    const s = await jobStatus(config, ctx);
    expect(s.lastOutcome).toMatchObject({ outcome: 'ok', cid: rec.runs[0]!.cid });
  });
});

// ------------------------------------------------------------------------------------------------
// Behaviour (independent jobs, run concurrently to keep the wall time short).

describe.concurrent('scheduler behaviour', () => {
  it('cron with seconds fires on the pattern, in its time zone', async () => {
    const rec = recorder();
    const ctx = createTestContext({ services: { tick: rec.service } });
    const inst = await started(
      job({ type: 'cron', cron: '*/2 * * * * *', timezone: 'Asia/Kolkata', payload: { report: 'daily' } }),
      ctx,
    );
    await waitFor(() => rec.runs.length >= 3, 8_000, 'three cron runs');
    await inst.stop();
    const times = rec.runs.slice(0, 3).map((r) => r.at);
    for (const t of times) expect(t % 2000, `run at ${iso(t)} is on an even second`).toBeLessThan(300);
    for (const g of gaps(times)) {
      expect(g).toBeGreaterThan(1700);
      expect(g).toBeLessThan(2300);
    }
    expect(rec.runs[0]!.payload).toEqual({ report: 'daily' });
    expect(detail(inst)).toMatchObject({ state: 'stopped', schedule: 'cron */2 * * * * * (Asia/Kolkata)' });
  });

  it('an interval job fires every interval, maxRuns times, then is done', async () => {
    const rec = recorder();
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'interval', every: '1s', maxRuns: 3 });
    const inst = await started(config, ctx);
    expect(detail(inst)).toMatchObject({ state: 'scheduled', runCount: 0 });
    await waitFor(() => rec.runs.length >= 3, 6_000, 'three runs');
    await sleep(1_300);
    expect(rec.runs).toHaveLength(3);
    for (const g of gaps(rec.runs.map((r) => r.at))) {
      expect(g).toBeGreaterThan(800);
      expect(g).toBeLessThan(1300);
    }
    expect(detail(inst)).toMatchObject({
      state: 'done',
      nextRunAt: null,
      runCount: 3,
      lastOutcome: { outcome: 'ok', trigger: 'schedule' },
    });
    await inst.stop();
    expect(await jobStatus(config, ctx)).toMatchObject({ state: 'done', runCount: 3, nextRunAt: null });
  });

  it('a one-time job fires once at startAt, and not again after a restart', async () => {
    const rec = recorder();
    const ctx = createTestContext({ services: { tick: rec.service } });
    const at = Date.now() + 1_200;
    const config = job({ type: 'one-time', startAt: iso(at), payload: ['a', 1] });
    const inst = await started(config, ctx);
    expect(detail(inst)).toMatchObject({ state: 'scheduled', nextRunAt: iso(at) });
    await waitFor(() => rec.runs.length === 1, 4_000, 'the run');
    expect(rec.runs[0]!.at - at).toBeGreaterThanOrEqual(-5);
    expect(rec.runs[0]!.at - at).toBeLessThan(300);
    expect(rec.runs[0]!.payload).toEqual(['a', 1]);
    await waitFor(() => detail(inst)['state'] === 'done', 2_000, 'done');
    await inst.stop();
    const again = await started(config, ctx);
    await sleep(400);
    expect(rec.runs).toHaveLength(1);
    expect(detail(again)).toMatchObject({ state: 'done', runCount: 1, nextRunAt: null });
    await again.stop();
  });

  it('a failing service is recorded (error, message, cid) and the next tick still runs', async () => {
    const rec = recorder({
      fail: (n) => (n === 1 ? new BadRequest('invoice 42 has no customer') : n === 2 ? new Error('boom') : undefined),
    });
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'interval', every: '1s' });
    const inst = await started(config, ctx);
    await waitFor(() => rec.runs.length >= 1 && rec.runs[0]!.end !== undefined, 3_000, 'first run');
    await waitFor(async () => (await jobStatus(config, ctx)).lastOutcome?.outcome === 'error', 1_000, 'error recorded');
    expect((await jobStatus(config, ctx)).lastOutcome).toMatchObject({
      outcome: 'error',
      message: 'invoice 42 has no customer',
      code: 'WHARF_ERR_BAD_REQUEST',
      status: 400,
      cid: rec.runs[0]!.cid,
      trigger: 'schedule',
    });
    await waitFor(() => rec.runs.length >= 2 && rec.runs[1]!.end !== undefined, 3_000, 'second run');
    await waitFor(
      () => (detail(inst)['lastOutcome'] as { cid?: string })?.cid === rec.runs[1]!.cid,
      1_000,
      'second outcome',
    );
    // An unexpected error: a 500 naming only the correlation id (the stack stays in the log).
    expect(detail(inst)['lastOutcome']).toMatchObject({
      outcome: 'error',
      code: 'WHARF_ERR_INTERNAL',
      status: 500,
      message: `Internal error; correlation id ${rec.runs[1]!.cid}`,
    });
    await waitFor(() => rec.runs.length >= 3 && rec.runs[2]!.end !== undefined, 3_000, 'third run');
    await waitFor(() => (detail(inst)['lastOutcome'] as { outcome?: string })?.outcome === 'ok', 1_000, 'ok again');
    expect(detail(inst)).toMatchObject({ runCount: 3 });
    await inst.stop();
  });

  it('ticks never overlap: a tick due while a run is in progress is skipped and recorded', async () => {
    const rec = recorder({ delayMs: (n) => (n === 1 ? 2_400 : 0) });
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'interval', every: '1s' });
    const inst = await started(config, ctx);
    await waitFor(() => rec.runs.length >= 2, 6_000, 'a run after the slow one');
    await inst.stop();
    expect(rec.maxActive()).toBe(1);
    expect(rec.runs[1]!.at).toBeGreaterThanOrEqual(rec.runs[0]!.end!);
    const s = await jobStatus(config, ctx);
    expect(s.skippedCount).toBeGreaterThanOrEqual(2);
    expect(s.lastSkipped?.message).toBe(OVERLAP_MESSAGE);
    expect(s.runCount).toBe(rec.runs.length);
  });

  it('an edit while a run is in progress: the run finishes, the next tick follows the new schedule', async () => {
    const rec = recorder({ delayMs: (n) => (n === 1 ? 1_200 : 0) });
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'interval', every: '1s', payload: { v: 1 } });
    const inst = await started(config, ctx);
    await waitFor(() => rec.runs.length === 1, 3_000, 'first run');
    await sleep(200);
    await inst.reconfigure({ ...config, every: '3s', payload: { v: 2 } });
    expect(rec.runs[0]!.end, 'reconfigure does not wait for the run').toBeUndefined();
    await waitFor(() => rec.runs.length === 2, 5_000, 'the next run');
    const [first, second] = rec.runs;
    expect(first!.end).toBeDefined();
    expect(first!.payload).toEqual({ v: 1 });
    expect(second!.payload).toEqual({ v: 2 });
    // Old schedule: 1 s later (skipped, as the run was still going); new schedule: 3 s after the tick.
    expect(second!.at - first!.at).toBeGreaterThan(2_800);
    expect(second!.at - first!.at).toBeLessThan(3_400);
    const s = await jobStatus({ ...config, every: '3s' }, ctx);
    expect(s.skippedCount).toBe(0);
    expect(s.schedule).toMatch(/^every 3s from /);
    await inst.stop();
  });

  it('missed ticks, missedPolicy run-once: one catch-up run on restart, then the normal schedule', async () => {
    const rec = recorder();
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'interval', every: '1s', missedPolicy: 'run-once' });
    const first = await started(config, ctx);
    await waitFor(() => rec.runs.length === 1, 3_000, 'first run');
    await first.stop();
    // Pretend the cluster was down for 10 s after that run.
    const sched = (await ctx.state.get('schedule')) as { lastTickAt: string };
    const lastRun = (await ctx.state.get('lastRun')) as { at: string };
    await ctx.state.set('schedule', { ...sched, lastTickAt: iso(Date.parse(sched.lastTickAt) - 10_000) });
    await ctx.state.set('lastRun', { ...lastRun, at: iso(Date.parse(lastRun.at) - 10_000) });
    const t0 = Date.now();
    const second = await started(config, ctx);
    await waitFor(() => rec.runs.length === 2, 1_000, 'the catch-up run');
    expect(rec.runs[1]!.at - t0).toBeLessThan(300);
    await waitFor(
      () =>
        detail(second)['lastOutcome'] !== null &&
        (detail(second)['lastOutcome'] as { trigger: string }).trigger === 'missed',
      1_000,
      'recorded',
    );
    expect(detail(second)['lastOutcome']).toMatchObject({
      outcome: 'ok',
      trigger: 'missed',
      message: expect.stringMatching(/^1[01] missed ticks since /),
    });
    await waitFor(() => rec.runs.length === 3, 2_000, 'the next regular tick');
    await sleep(300);
    expect(rec.runs).toHaveLength(3);
    expect(detail(second)).toMatchObject({ runCount: 3 });
    await second.stop();
  });

  it('missed ticks, missedPolicy skip: recorded as skipped, no catch-up run', async () => {
    const rec = recorder();
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'interval', every: '1s', missedPolicy: 'skip' });
    const now = Date.now();
    await ctx.state.set('lastRun', { at: iso(now - 8_000), cid: 'earlier', trigger: 'schedule' });
    const inst = await started(config, ctx);
    await sleep(400);
    expect(rec.runs).toHaveLength(0);
    expect(detail(inst)).toMatchObject({
      lastOutcome: {
        outcome: 'skipped',
        message: expect.stringMatching(/^skipped: [78] missed ticks since .* \(missedPolicy skip\)$/),
      },
      skippedCount: expect.toSatisfy((n: number) => n === 7 || n === 8),
    });
    await waitFor(() => rec.runs.length === 1, 1_500, 'the next regular tick');
    await inst.stop();
  });

  it('a one-time job whose time passed while down runs once (run-once) or is skipped (skip)', async () => {
    const rec = recorder();
    const ctx = createTestContext({ services: { tick: rec.service } });
    const past = iso(Date.now() - 60_000);
    const once = job({ type: 'one-time', startAt: past });
    const skipped = job({ type: 'one-time', startAt: past, missedPolicy: 'skip', service: 'other' });
    ctx.services['other'] = rec.service;
    const a = await started(once, ctx);
    await waitFor(() => rec.runs.length === 1, 1_000, 'the late run');
    await waitFor(() => detail(a)['state'] === 'done', 1_000, 'done');
    expect(detail(a)['lastOutcome']).toMatchObject({
      outcome: 'ok',
      trigger: 'missed',
      message: `1 missed tick since ${past}`,
    });
    await a.stop();
    const ctx2 = createTestContext({ services: { other: rec.service } });
    const b = await started(skipped, ctx2);
    await sleep(300);
    expect(rec.runs).toHaveLength(1);
    expect(detail(b)).toMatchObject({ state: 'done', skippedCount: 1, lastOutcome: { outcome: 'skipped' } });
    await b.stop();
  });

  it('execute runs the service once now (even when paused), returns cid/outcome/duration and records it', async () => {
    const rec = recorder({ delayMs: () => 50, fail: (n) => (n === 3 ? new BadRequest('nothing to do') : undefined) });
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'cron', cron: '0 0 1 1 *', payload: { from: 'job' }, active: false });
    const r1 = await executeJob(config, ctx);
    expect(r1).toMatchObject({ cid: rec.runs[0]!.cid, outcome: 'ok', output: { ok: true, n: 1 } });
    expect(r1.durationMs).toBeGreaterThanOrEqual(40);
    expect(rec.runs[0]!.payload).toEqual({ from: 'job' });
    // Through the kind's actions (what the admin API calls), with a payload override.
    const r2 = (await schedulerJobConnector.actions!['execute']!(config, ctx, { payload: { from: 'admin' } })) as {
      cid: string;
      outcome: string;
    };
    expect(r2).toMatchObject({ outcome: 'ok', cid: rec.runs[1]!.cid });
    expect(rec.runs[1]!.payload).toEqual({ from: 'admin' });
    const r3 = await executeJob(config, ctx);
    expect(r3).toMatchObject({
      outcome: 'error',
      message: 'nothing to do',
      code: 'WHARF_ERR_BAD_REQUEST',
      status: 400,
      cid: rec.runs[2]!.cid,
    });
    const status = (await schedulerJobConnector.actions!['status']!(config, ctx, {})) as Awaited<
      ReturnType<typeof jobStatus>
    >;
    expect(status).toMatchObject({
      state: 'paused',
      nextRunAt: null,
      manualRunCount: 3,
      runCount: 0,
      lastRunAt: expect.any(String),
      lastOutcome: { outcome: 'error', trigger: 'manual', cid: r3.cid },
      schedule: 'cron 0 0 1 1 * (UTC)',
    });
  });

  it('execute while the job runs on schedule: both recorded, counters kept apart', async () => {
    const rec = recorder();
    const ctx = createTestContext({ services: { tick: rec.service } });
    const config = job({ type: 'interval', every: '1s' });
    const inst = await started(config, ctx);
    const r = await executeJob(config, ctx);
    expect(r.outcome).toBe('ok');
    await waitFor(() => rec.runs.length >= 2, 3_000, 'a scheduled run');
    await inst.stop();
    const s = await jobStatus(config, ctx);
    expect(s.manualRunCount).toBe(1);
    expect(s.runCount).toBe(rec.runs.length - 1);
  });

  it('a missing service is an error outcome, not a crash', async () => {
    const ctx = createTestContext({ services: {} });
    const config = job({ type: 'interval', every: '1s', service: 'not.deployed' });
    const inst = await started(config, ctx);
    await waitFor(
      () => (detail(inst)['lastOutcome'] as { outcome?: string } | null)?.outcome === 'error',
      3_000,
      'error outcome',
    );
    expect(detail(inst)['lastOutcome']).toMatchObject({
      code: 'WHARF_ERR_SERVICE_NOT_DEPLOYED',
      message: 'Service `not.deployed` is not deployed',
    });
    expect(inst.health().status).toBe('up');
    await inst.stop();
  });

  it('a state store that fails degrades health but the job keeps running', async () => {
    const rec = recorder();
    const ctx = createTestContext({ services: { tick: rec.service } });
    const broken: ConnectorContext = {
      ...ctx,
      state: {
        get: () => Promise.reject(new Error('ODB unreachable')),
        set: () => Promise.reject(new Error('ODB unreachable')),
        list: () => Promise.reject(new Error('ODB unreachable')),
      },
    };
    const inst = schedulerJobConnector.create(job({ type: 'interval', every: '1s' }), broken);
    await inst.start();
    expect(inst.health().status).toBe('degraded');
    await waitFor(() => rec.runs.length >= 1, 3_000, 'a run');
    expect(detail(inst)['problem']).toMatch(/ODB unreachable/);
    await inst.stop();
  });
});

// ------------------------------------------------------------------------------------------------
// Two servers, one PostgreSQL ODB: leases and state are real. Each tick runs once per cluster.

const PG = {
  host: process.env['WHARF_TEST_PG_HOST'] ?? '127.0.0.1',
  port: Number(process.env['WHARF_TEST_PG_PORT'] ?? 5432),
  user: process.env['WHARF_TEST_PG_USER'] ?? 'postgres',
  password: process.env['WHARF_TEST_PG_PASSWORD'],
  database: process.env['WHARF_TEST_PG_DATABASE'] ?? 'wharf_test_scheduler',
};

async function ensureDatabase(): Promise<void> {
  const client = new pg.Client({
    host: PG.host,
    port: PG.port,
    user: PG.user,
    password: PG.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [PG.database]);
    if (r.rowCount === 0)
      await client.query(`create database "${PG.database}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by a parallel run
      });
  } finally {
    await client.end();
  }
}

describe('once per cluster (PostgreSQL leases and state)', () => {
  let odb: Odb;
  beforeAll(async () => {
    await ensureDatabase();
    odb = await Odb.open({ type: 'postgresql', ...PG });
    await odb.migrate();
    if (!declarationFor(schedulerJobKind.id)) registerConnector(schedulerJobConnector);
  });
  afterAll(async () => {
    await odb?.close();
  });

  type Call = { server: string; at: number };

  function server(name: string, calls: Call[]): ConnectorManager {
    const base = createTestContext({ services: { tick: () => calls.push({ server: name, at: Date.now() }) } });
    const holder = `${name}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const context = (kindId: string, objName: string): ConnectorContext => ({
      logger: base.logger,
      server: { name, workerId: 1, dataDir: process.cwd() },
      invoke: (inv) => base.invoke(inv),
      resolve: () => undefined,
      state: {
        get: (k) => odb.getState(`${kindId}/${objName}`, k),
        set: (k, v) => odb.setState(`${kindId}/${objName}`, k, v),
        list: () => odb.listState(`${kindId}/${objName}`),
      },
      lease: (leaseName, o) => acquireLease(odb, leaseName, holder, { ...o, ttlMs: 1_500 }),
    });
    return new ConnectorManager({ workerId: 1, logger: base.logger, context });
  }

  const holderOf = (m: ConnectorManager): boolean => m.status().some((s) => s.state === 'running');

  it('runs each tick once while two servers compete, pauses, resumes, and fails over', async () => {
    const calls: Call[] = [];
    const a = server('server1', calls);
    const b = server('server2', calls);
    const config = job({
      type: 'interval',
      every: '1s',
      startAt: iso(Math.floor(Date.now() / 1000) * 1000),
      missedPolicy: 'skip',
    });
    try {
      await Promise.all([
        a.apply(schedulerJobKind.id, config.name, config),
        b.apply(schedulerJobKind.id, config.name, config),
      ]);
      await waitFor(
        () => calls.length >= 3,
        6_000,
        () => `three runs (${JSON.stringify(calls)})`,
      );
      expect(new Set(calls.map((c) => c.server)).size).toBe(1);
      expect(holderOf(a) !== holderOf(b)).toBe(true);

      // Pause on every server: no runs; resume: runs again, once per tick.
      const paused = { ...config, active: false };
      await Promise.all([
        a.apply(schedulerJobKind.id, config.name, paused),
        b.apply(schedulerJobKind.id, config.name, paused),
      ]);
      const atPause = calls.length;
      await sleep(1_500);
      expect(calls.length).toBe(atPause);
      await Promise.all([
        a.apply(schedulerJobKind.id, config.name, config),
        b.apply(schedulerJobKind.id, config.name, config),
      ]);
      await waitFor(() => calls.length >= atPause + 2, 6_000, 'runs after resume');

      // The holder goes away: the other server takes the lease and carries on.
      const [holder, other] = holderOf(a) ? [a, b] : [b, a];
      const holderName = holder === a ? 'server1' : 'server2';
      await holder.stopAll();
      const atFailover = calls.length;
      await waitFor(() => calls.length >= atFailover + 2, 8_000, 'runs after failover');
      expect(calls.slice(atFailover).every((c) => c.server !== holderName)).toBe(true);
      expect(holderOf(other)).toBe(true);

      // Exactly once: consecutive runs are a full interval apart (a duplicate would be ~0 ms apart).
      for (const g of gaps(calls.map((c) => c.at))) expect(g).toBeGreaterThan(800);

      // The state in the ODB is the cluster's: it counts every run, whichever server ran it.
      const ctx = {
        ...createTestContext(),
        state: {
          get: (k: string) => odb.getState(`${schedulerJobKind.id}/${config.name}`, k),
          set: async () => undefined,
          list: async () => [],
        },
      };
      await other.stopAll();
      const s = await jobStatus(config, ctx);
      expect(s.runCount).toBe(calls.length);
      expect(s.lastOutcome).toMatchObject({ outcome: 'ok' });
    } finally {
      await Promise.allSettled([a.stopAll(), b.stopAll()]);
      await Promise.all(
        ['schedule', 'lastRun', 'lastOutcome', 'manual'].map((k) =>
          odb.setState(`${schedulerJobKind.id}/${config.name}`, k, undefined),
        ),
      );
    }
  });
});
