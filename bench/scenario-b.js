/**
 * Scenario B — service hop: HTTP JSON channel → SimpleIO service (validate input, return a small
 * JSON document), against bare Fastify 5 doing the same parse/validate/serialize by hand.
 * Server pinned to core 1, autocannon (own process) on core 0, alternated rounds, medians.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { post, waitFirst200 } from './lib/http.js';
import { analyseProfile } from './lib/profile.js';
import {
  affinityOf,
  describePids,
  freePort,
  pinned,
  sleep,
  startedAtBoot,
  uptimeSeconds,
  waitQuiet,
} from './lib/proc.js';
import { median } from './lib/report.js';
import { cpuWindow, runAutocannon, SERVER_CORE } from './lib-extra/measure.js';
import { ROOT, primaryPid, serverPids, startPinned, stopEnv, wharf } from './lib/wharf.js';

export const id = 'B';
export const title = 'Service hop: HTTP JSON channel → SimpleIO service (validate, small JSON reply)';
export const GOAL = 0.85;

const PATH = '/bench/order';
const HERE = import.meta.dirname;

export const PAYLOAD = JSON.stringify({
  customerId: 42,
  items: [
    { sku: 'A-100', qty: 2 },
    { sku: 'B-200', qty: 1 },
    { sku: 'C-300', qty: 5 },
  ],
  note: 'leave at the door',
});
export const EXPECTED = JSON.stringify({ accepted: true, count: 3, total: 8 });

/** Same input → same answer on both systems (status, and the exact body for 200s). */
const CASES = [
  { name: 'load payload', body: PAYLOAD, status: 200, expect: EXPECTED },
  {
    name: 'no note',
    body: JSON.stringify({ customerId: 7, items: [{ sku: 'X', qty: 4 }] }),
    status: 200,
    expect: '{"accepted":true,"count":1,"total":4}',
  },
  {
    name: 'integer strings, null note',
    body: JSON.stringify({ customerId: '7', items: [{ sku: 12, qty: '3' }], note: null }),
    status: 200,
    expect: '{"accepted":true,"count":1,"total":3}',
  },
  { name: 'qty not an int', body: JSON.stringify({ customerId: 7, items: [{ sku: 'X', qty: 1.5 }] }), status: 400 },
  { name: 'customerId missing', body: JSON.stringify({ items: [{ sku: 'X', qty: 1 }] }), status: 400 },
  { name: 'item without sku', body: JSON.stringify({ customerId: 7, items: [{ qty: 1 }] }), status: 400 },
  { name: 'items not objects', body: JSON.stringify({ customerId: 7, items: [1, 2] }), status: 400 },
  { name: 'malformed JSON', body: '{"customerId":', status: 400 },
];

async function checkCases(url) {
  const failed = [];
  for (const c of CASES) {
    try {
      const r = await post(url, c.body);
      if (r.status !== c.status || (c.expect !== undefined && r.body !== c.expect))
        failed.push({
          case: c.name,
          want: `${c.status} ${c.expect ?? ''}`.trim(),
          got: `${r.status} ${r.body.slice(0, 300)}`,
        });
    } catch (e) {
      failed.push({ case: c.name, want: String(c.status), got: e instanceof Error ? e.message : String(e) });
    }
  }
  return { passed: CASES.length - failed.length, total: CASES.length, failed };
}

/**
 * Runs the autocannon worker pinned to the load core; resolves its { warmup, measured }.
 * `hooks.start` / `hooks.end` run when the measured window opens / closes.
 */
function runLoad(url, cfg, hooks = {}) {
  const opts = {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: PAYLOAD,
    connections: cfg.connections,
    warmupSeconds: cfg.warmupSeconds,
    durationSeconds: cfg.durationSeconds,
    expectBody: EXPECTED,
  };
  return runAutocannon(opts, hooks);
}

// ---------------------------------------------------------------------------------------------
// Systems: each start() → { t0, pids(), stop(), failed() }

function makeWharf(envDir, port) {
  return {
    name: 'wharf',
    label: 'Wharf (1 worker)',
    url: `http://127.0.0.1:${port}${PATH}`,
    start(extraEnv) {
      const s = startPinned(envDir, SERVER_CORE, extraEnv ? { ...process.env, ...extraEnv } : process.env);
      return {
        url: this.url,
        t0: s.t0,
        ready: s.done,
        failure: () => s.done,
        failed: s.failed,
        pids: () => serverPids(envDir),
        stop: () => stopEnv(envDir),
      };
    },
  };
}

function makeFastify(port) {
  return {
    name: 'fastify',
    label: 'bare Fastify 5',
    url: `http://127.0.0.1:${port}${PATH}`,
    start(extraEnv) {
      const [cmd, args] = pinned(SERVER_CORE, process.execPath, [join(HERE, 'lib/fastify-order.js'), String(port)]);
      const t0 = performance.now();
      // taskset execs node, so the child's pid is the server's pid.
      const child = spawn(cmd, args, {
        cwd: ROOT,
        env: extraEnv ? { ...process.env, ...extraEnv } : process.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let exited = false;
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const gone = new Promise((r) => child.on('exit', () => ((exited = true), r())));
      return {
        url: this.url,
        t0,
        ready: Promise.resolve(),
        failure: () => Promise.reject(new Error(`fastify-order.js exited: ${err}`)),
        failed: () => exited,
        pids: () => (exited ? [] : [child.pid]),
        async stop() {
          if (exited) return;
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await gone;
          clearTimeout(t);
        },
        stderr: () => err,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Idle footprint: primary + workers (the table's figure) and helper processes (e.g. esbuild's service) apart. */
function footprint(pids) {
  const procs = describePids(pids);
  const primary = procs[0];
  const helpers = procs.slice(1).filter((p) => !/worker-main|fastify-order/.test(p.cmd));
  const server = procs.filter((p) => !helpers.includes(p));
  return {
    rssBytes: server.reduce((s, p) => s + p.rssBytes, 0),
    helperRssBytes: helpers.reduce((s, p) => s + p.rssBytes, 0),
    processes: procs.map((p) => ({
      ...p,
      role: p === primary ? (server.length > 1 ? 'primary' : 'server') : helpers.includes(p) ? 'helper' : 'worker',
    })),
  };
}

/** Start → first 200 with the expected body; a start that fails reports its own error. */
async function firstOk(inst) {
  try {
    return await waitFirst200(`${inst.url}`, PAYLOAD, EXPECTED, inst.t0, { isDead: inst.failed, timeoutMs: 90_000 });
  } catch (e) {
    if (inst.failed()) await inst.failure();
    throw e;
  }
}

async function round(sys, cfg, log) {
  const quiet =
    cfg.quietMaxMs > 0 ? await waitQuiet({ threshold: cfg.quietThreshold, maxMs: cfg.quietMaxMs }) : undefined;
  if (quiet)
    log(
      `  machine ${Math.round(quiet.busy * 100)}% busy before start (waited ${(quiet.waitedMs / 1000).toFixed(0)} s for ≤ ${Math.round(cfg.quietThreshold * 100)}%)`,
    );
  const inst = sys.start();
  const t0Boot = uptimeSeconds() - (performance.now() - inst.t0) / 1000;
  try {
    const firstMs = await firstOk(inst);
    await inst.ready; // wharf start: the CLI has returned (it waited for /wharf/ping)
    const pids = inst.pids();
    let phases;
    if (sys.name === 'wharf' && pids.length > 1) {
      const primaryAt = startedAtBoot(pids[0]);
      const workerAt = startedAtBoot(pids[1]);
      const firstAt = t0Boot + firstMs / 1000;
      const ms = (x) => Math.round(x * 1000);
      phases = {
        cliToPrimaryMs: ms(primaryAt - t0Boot),
        primaryToWorkerMs: ms(workerAt - primaryAt),
        workerToFirst200Ms: ms(firstAt - workerAt),
      };
    }
    await sleep(cfg.idleMs);
    const fp = footprint(inst.pids());
    const affinity = [...new Set(inst.pids().map(affinityOf))].join(',');
    const checks = await checkCases(sys.url);
    log(
      `  ${sys.name}: first 200 after ${firstMs.toFixed(0)} ms${phases ? ` (CLI→primary ${phases.cliToPrimaryMs}, primary→worker ${phases.primaryToWorkerMs}, worker→first 200 ${phases.workerToFirst200Ms})` : ''}, ` +
        `idle RSS ${(fp.rssBytes / 1048576).toFixed(1)} MiB${fp.helperRssBytes ? ` (+${(fp.helperRssBytes / 1048576).toFixed(1)} MiB helpers)` : ''}, cpus ${affinity}, checks ${checks.passed}/${checks.total}`,
    );
    const win = cpuWindow(inst.pids);
    const load = await runLoad(sys.url, cfg, win);
    const cpu = win.result();
    const after = await post(sys.url, PAYLOAD).catch((e) => ({ status: 0, body: String(e) }));
    const m = load.measured;
    const perCpu = cpu && cpu.serverCpuSeconds > 0 ? m.requests / cpu.serverCpuSeconds : NaN;
    log(
      `  ${sys.name}: ${Math.round(m.reqPerSec)} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, non2xx ${m.non2xx}, errors ${m.errors}, timeouts ${m.timeouts}, body mismatches ${m.mismatches}; ` +
        `server had ${cpu ? (cpu.serverCoreShare * 100).toFixed(0) : '?'}% of CPU ${SERVER_CORE} (others ${cpu ? (cpu.otherOnServerCore * 100).toFixed(0) : '?'}%), ${Math.round(perCpu)} req per server CPU-second` +
        (cpu && fp.processes.length > 1
          ? ` (CPU s: ${fp.processes.map((p) => `${p.role} ${cpu.perProcess[p.pid] ?? 0}`).join(', ')})`
          : ''),
    );
    return {
      system: sys.name,
      quietBefore: quiet,
      startToFirst200Ms: +firstMs.toFixed(1),
      startPhases: phases,
      idleRssBytes: fp.rssBytes,
      idleHelperRssBytes: fp.helperRssBytes,
      processes: fp.processes,
      serverCpus: affinity,
      checks,
      postLoadSampleOk: after.status === 200 && after.body === EXPECTED,
      cpu,
      reqPerServerCpuSecond: perCpu,
      warmup: load.warmup,
      measured: m,
    };
  } finally {
    await inst.stop();
  }
}

function summarise(rounds, name) {
  const rs = rounds.filter((r) => r.system === name);
  const errs = rs.reduce(
    (a, r) => ({
      non2xx: a.non2xx + r.measured.non2xx + (r.warmup?.non2xx ?? 0),
      errors: a.errors + r.measured.errors + (r.warmup?.errors ?? 0),
      timeouts: a.timeouts + r.measured.timeouts + (r.warmup?.timeouts ?? 0),
      mismatches: a.mismatches + r.measured.mismatches + (r.warmup?.mismatches ?? 0),
    }),
    { non2xx: 0, errors: 0, timeouts: 0, mismatches: 0 },
  );
  const checksFailed = rs.flatMap((r) => r.checks.failed);
  const samplesBad = rs.filter((r) => !r.postLoadSampleOk).length;
  return {
    system: name,
    rounds: rs.length,
    reqPerSec: median(rs.map((r) => r.measured.reqPerSec)),
    reqPerSecRounds: rs.map((r) => Math.round(r.measured.reqPerSec)),
    p50Ms: median(rs.map((r) => r.measured.latencyMs.p50)),
    p99Ms: median(rs.map((r) => r.measured.latencyMs.p99)),
    startToFirst200Ms: median(rs.map((r) => r.startToFirst200Ms)),
    startToFirst200MsRounds: rs.map((r) => r.startToFirst200Ms),
    idleRssBytes: median(rs.map((r) => r.idleRssBytes)),
    idleHelperRssBytes: median(rs.map((r) => r.idleHelperRssBytes)),
    reqPerServerCpuSecond: median(rs.map((r) => r.reqPerServerCpuSecond)),
    serverCoreShare: median(rs.map((r) => r.cpu?.serverCoreShare)),
    otherOnServerCore: median(rs.map((r) => r.cpu?.otherOnServerCore)),
    startPhases: rs[0]?.startPhases
      ? Object.fromEntries(Object.keys(rs[0].startPhases).map((k) => [k, median(rs.map((r) => r.startPhases?.[k]))]))
      : undefined,
    processes: rs[0]?.processes?.length,
    serverCpus: rs[0]?.serverCpus,
    errorCounts: errs,
    errorsTotal: errs.non2xx + errs.errors + errs.timeouts + errs.mismatches + checksFailed.length + samplesBad,
    checksFailed,
    postLoadSamplesBad: samplesBad,
  };
}

/**
 * One extra run of a system under the V8 sampling profiler (preload lib/cpu-profile.js through
 * NODE_OPTIONS; `--cpu-prof` itself is refused in NODE_OPTIONS on Node 20). The profile of the
 * process that serves (Wharf's worker, the Fastify process) covers exactly the measured window:
 * SIGUSR2 at its start (start-up + warm-up are discarded) and at its end.
 */
async function profileSystem(sys, cfg, outDir, log) {
  mkdirSync(outDir, { recursive: true });
  const preload = pathToFileURL(join(HERE, 'lib/cpu-profile.js')).href;
  log(
    `profiling ${sys.label}: NODE_OPTIONS=--import=${preload}, load ${cfg.warmupSeconds}+${cfg.durationSeconds} s; not in the table`,
  );
  const inst = sys.start({
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(),
    BENCH_CPU_PROF_DIR: outDir,
  });
  let target;
  let load;
  let win;
  try {
    await firstOk(inst);
    await inst.ready;
    target = inst.pids().find((p) => /worker-main|fastify-order/.test(describePids([p])[0].cmd));
    if (!target) return { error: 'no serving process found' };
    const mark = () => process.kill(target, 'SIGUSR2');
    win = cpuWindow(() => [target]);
    load = await runLoad(sys.url, cfg, {
      start: () => (mark(), win.start()),
      end: () => (mark(), win.end()),
    });
    const deadline = Date.now() + 15_000;
    while (!existsSync(join(outDir, `CPU.${target}.2.cpuprofile`)) && Date.now() < deadline) await sleep(100);
  } finally {
    await inst.stop();
  }
  const file = join(outDir, `CPU.${target}.2.cpuprofile`);
  if (!existsSync(file)) return { error: `no profile of the measured window in ${outDir}` };
  rmSync(join(outDir, `CPU.${target}.1.cpuprofile`), { force: true });
  const renamed = join(outDir, `${sys.name}.cpuprofile`);
  renameSync(file, renamed);
  const a = analyseProfile(renamed);
  // Sample deltas are wall time (a descheduled process still accrues them), so per-request costs
  // come from the CPU time /proc says the process used, split by the profile's percentages.
  const cpu = win.result();
  const cpuUsPerRequest = cpu ? (cpu.serverCpuSeconds * 1e6) / load.measured.requests : NaN;
  const perReq = (pct) => +((pct / 100) * cpuUsPerRequest).toFixed(2);
  log(
    `  under the profiler: ${Math.round(load.measured.reqPerSec)} req/s, ${cpuUsPerRequest.toFixed(1)} µs CPU per request, ${cpu ? Math.round(cpu.serverCoreShare * 100) : '?'}% of the core`,
  );
  return {
    reqPerSecUnderProfiler: load.measured.reqPerSec,
    requests: load.measured.requests,
    cpu,
    cpuUsPerRequest: +cpuUsPerRequest.toFixed(2),
    ...a,
    buckets: a.buckets.map((b) => ({ ...b, usPerRequest: perReq(b.selfPct) })),
    wharfWithCallees: a.wharfWithCallees.map((f) => ({ ...f, usPerRequest: perReq(f.selfPct) })),
  };
}

/**
 * cfg: { durationSeconds, warmupSeconds, rounds, connections, idleMs, profile: 'auto'|'on'|'off', resultsDir, keep }
 */
export async function run(cfg, log = (l) => process.stdout.write(`${l}\n`)) {
  const parent = mkdtempSync(join(tmpdir(), 'wharf-bench-b-'));
  const envDir = join(parent, 'env');
  const wharfPort = await freePort();
  const fastifyPort = await freePort();
  const W = makeWharf(envDir, wharfPort);
  const F = makeFastify(fastifyPort);
  const result = {
    scenario: 'B',
    title,
    goal: GOAL,
    config: { ...cfg },
    payload: JSON.parse(PAYLOAD),
    expected: JSON.parse(EXPECTED),
  };
  try {
    log(`setup: wharf quickstart create (port ${wharfPort}, 1 worker), deploy bench.order, channel ${PATH}`);
    await wharf([
      'quickstart',
      'create',
      envDir,
      '--port',
      String(wharfPort),
      '--workers',
      '1',
      '--web-admin-port',
      String(await freePort()),
    ]);
    await wharf(['start', envDir, '--quiet']);
    try {
      await wharf(['service', 'deploy', envDir, join(HERE, 'lib/wharf-order-service.js')]);
      await wharf([
        'channel',
        'create',
        envDir,
        '--name',
        'bench-order',
        '--url-path',
        PATH,
        '--method',
        'POST',
        '--service',
        'bench.order',
        '--data-format',
        'json',
      ]);
      const t0 = performance.now();
      await waitFirst200(W.url, PAYLOAD, EXPECTED, t0, { timeoutMs: 15_000 });
    } finally {
      await stopEnv(envDir);
    }
    if (primaryPid(envDir)) throw new Error('wharf did not stop after setup');

    const rounds = [];
    for (let i = 1; i <= cfg.rounds; i++) {
      for (const sys of [W, F]) {
        log(`round ${i}/${cfg.rounds}: ${sys.label}`);
        rounds.push({ round: i, ...(await round(sys, cfg, log)) });
      }
    }
    const wharfSum = summarise(rounds, 'wharf');
    const fastifySum = summarise(rounds, 'fastify');
    result.rounds = rounds;
    result.systems = [wharfSum, fastifySum];
    result.ratio = wharfSum.reqPerSec / fastifySum.reqPerSec;
    result.ratioRounds = wharfSum.reqPerSecRounds.map((w, i) => +(w / fastifySum.reqPerSecRounds[i]).toFixed(3));
    result.meetsGoal = result.ratio >= GOAL;
    result.ratioPerServerCpuSecond = wharfSum.reqPerServerCpuSecond / fastifySum.reqPerServerCpuSecond;

    result.meetsGoalPerCpu = result.ratioPerServerCpuSecond >= GOAL;
    if (cfg.profile === 'on' || (cfg.profile === 'auto' && (!result.meetsGoal || !result.meetsGoalPerCpu))) {
      const dir = resolve(cfg.resultsDir, 'profile-b');
      rmSync(dir, { recursive: true, force: true });
      result.profile = await profileSystem(W, cfg, dir, log);
      result.profileReference = await profileSystem(F, cfg, dir, log);
    }
    return result;
  } finally {
    if (primaryPid(envDir)) await stopEnv(envDir);
    if (!cfg.keep) rmSync(parent, { recursive: true, force: true });
    else log(`kept the environment in ${envDir}`);
  }
}
