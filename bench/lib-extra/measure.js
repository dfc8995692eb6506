/**
 * Measuring helpers shared by scenarios A, C and M: the autocannon worker (bench/lib/load.js) run
 * pinned to the load core, CPU accounting of the server processes over the measured window
 * (/proc via bench/lib/proc.js), medians, and a standalone entry point.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLK_TCK, cpuCoreTicks, cpuSeconds, pinned } from '../lib/proc.js';
import { median } from '../lib/report.js';
import { BENCH, ROOT } from './servers.js';

export const SERVER_CORE = 1;
export const LOAD_CORE = 0;

/**
 * Runs bench/lib/load.js (autocannon in its own process) pinned to the load core and resolves its
 * { warmup, measured }. `hooks.start` / `hooks.end` fire when the measured window opens / closes.
 * opts: { url, method, headers, body, connections, warmupSeconds, durationSeconds, expectBody }.
 */
export function runAutocannon(opts, hooks = {}) {
  return runWorker(join(BENCH, 'lib/load.js'), opts, hooks);
}

/** Runs a load worker script (same protocol as bench/lib/load.js) pinned to the load core. */
export function runWorker(script, opts, hooks = {}) {
  const [cmd, args] = pinned(LOAD_CORE, process.execPath, [script, JSON.stringify(opts)]);
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let seen = 0;
    child.stdout.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      for (; seen < lines.length - 1; seen++) {
        if (lines[seen] === 'measure-start') hooks.start?.();
        else if (lines[seen] === 'measure-end') hooks.end?.();
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', rej);
    child.on('exit', (code) => {
      if (code !== 0) return rej(new Error(`load generator exited ${code}: ${err}`));
      try {
        res(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        rej(new Error(`load generator output unreadable: ${out}\n${err}`));
      }
    });
  });
}

/**
 * CPU seconds of the server processes (`pids()`) and how busy the server core was, between
 * start() and end(). result(): { wallSeconds, serverCpuSeconds, serverCoreShare, otherOnServerCore }.
 */
export function cpuWindow(pids, core = SERVER_CORE) {
  const snap = () => {
    const per = Object.fromEntries(pids().map((p) => [p, cpuSeconds(p)]));
    return { t: performance.now(), per, core: cpuCoreTicks(core) };
  };
  let a;
  let b;
  return {
    start: () => (a = snap()),
    end: () => (b = snap()),
    result() {
      if (!a || !b) return undefined;
      const wall = (b.t - a.t) / 1000;
      // Only processes alive at both ends (a process that exits in between would count negative).
      let serverCpu = 0;
      for (const p of Object.keys(b.per)) if (a.per[p] !== undefined) serverCpu += b.per[p] - a.per[p];
      const coreBusy = a.core && b.core ? (b.core.busy - a.core.busy) / CLK_TCK : NaN;
      return {
        wallSeconds: +wall.toFixed(2),
        serverCpuSeconds: +serverCpu.toFixed(2),
        /** Share of the server core the server got (1.0 = it had the whole core). */
        serverCoreShare: +(serverCpu / wall).toFixed(3),
        /** Share of the server core used by everything else on the machine (noise). */
        otherOnServerCore: +Math.max(0, (coreBusy - serverCpu) / wall).toFixed(3),
        /** CPU seconds per server process (pid → s): e.g. Wharf's primary vs its worker. */
        perProcess: Object.fromEntries(Object.keys(b.per).map((p) => [p, +(b.per[p] - (a.per[p] ?? 0)).toFixed(2)])),
      };
    },
  };
}

export { median };

export function errorsOf(load) {
  const w = load.warmup ?? { non2xx: 0, errors: 0, timeouts: 0, mismatches: 0 };
  const m = load.measured;
  return {
    non2xx: m.non2xx + w.non2xx,
    errors: m.errors + w.errors,
    timeouts: m.timeouts + w.timeouts,
    mismatches: m.mismatches + w.mismatches,
  };
}

export const sumErrors = (e) => e.non2xx + e.errors + e.timeouts + e.mismatches;

/** Round-robin order: round 1 A B C, round 2 B C A, ... so drifts of the machine hit all alike. */
export function rotate(list, round) {
  const k = round % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function num(name, def) {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: not a number`);
  return n;
}

/** The cfg bench/run.js builds, for running a scenario file on its own. */
export function cfgFromEnv(resultsDir = join(BENCH, 'results')) {
  return {
    durationSeconds: num('BENCH_DURATION', 10),
    warmupSeconds: num('BENCH_WARMUP', 5),
    rounds: Math.max(1, Math.round(num('BENCH_ROUNDS', 3))),
    connections: Math.max(1, Math.round(num('BENCH_CONNECTIONS', 50))),
    idleMs: num('BENCH_IDLE_MS', 2000),
    quietThreshold: num('BENCH_QUIET_BUSY', 0.5),
    quietMaxMs: num('BENCH_QUIET_MAX_MS', 10_000),
    profile: ['on', 'off', 'auto'].includes(process.env.BENCH_PROFILE ?? '') ? process.env.BENCH_PROFILE : 'auto',
    keep: process.env.BENCH_KEEP === '1',
    resultsDir,
  };
}

// ---------------------------------------------------------------------------------------------
// Cleanup on SIGINT / SIGTERM: what a run started (servers, Wharf environments, queues) is stopped
// and removed even when the run is interrupted; each registration returns its unregister function.

const cleanups = new Set();
let hooked = false;

export function onInterrupt(fn) {
  cleanups.add(fn);
  if (!hooked) {
    hooked = true;
    const handler = (sig) => {
      process.stderr.write(`bench: ${sig}: cleaning up what this run started\n`);
      // Newest first, one after the other (a Wharf environment stops before the queues it consumes go).
      const all = [...cleanups].reverse();
      cleanups.clear();
      const run = (async () => {
        for (const f of all)
          await Promise.resolve()
            .then(f)
            .catch(() => undefined);
      })();
      const deadline = new Promise((r) => setTimeout(r, 60_000).unref());
      Promise.race([run, deadline]).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  }
  return () => cleanups.delete(fn);
}
