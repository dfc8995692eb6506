#!/usr/bin/env node
/**
 * `npm run bench [-- scenario...]` = `node bench/run.js [scenario...]` (default: B).
 * See bench/README.md. Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 5),
 * BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 50), BENCH_IDLE_MS (default 2000),
 * BENCH_PROFILE (auto|on|off, default auto = profile Wharf when it misses its goal), BENCH_KEEP=1,
 * BENCH_QUIET_BUSY (0..1, default 0.5) / BENCH_QUIET_MAX_MS (default 10000; 0 = off): before each
 * round wait up to that long for a second in which the machine is at most that busy.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { canPin, pinningNote, pinSelf, treeFingerprint } from './lib/proc.js';
import { cfgFromEnv } from './lib-extra/measure.js';
import { fmtInt, fmtMiB, fmtMs, fmtRatio, table } from './lib/report.js';

const HERE = import.meta.dirname;
const ROOT = resolve(HERE, '..');
const RESULTS = join(HERE, 'results');

const SCENARIOS = {
  A: './scenario-a.js',
  B: './scenario-b.js',
  C: './scenario-c.js',
  D: './scenario-d.js',
  M: './scenario-m.js',
  S: './scenario-s.js',
  W: './scenario-w.js',
};

function pkgVersion(name) {
  try {
    const req = createRequire(join(ROOT, 'package.json'));
    return JSON.parse(readFileSync(req.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function gitRev() {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !==
      '';
    return dirty ? `${rev}+dirty` : rev;
  } catch {
    return undefined;
  }
}

const wanted = (process.argv.slice(2).length ? process.argv.slice(2) : ['B']).map((s) =>
  s.replace(/^scenario-?/i, '').toUpperCase(),
);
for (const w of wanted) {
  if (!SCENARIOS[w]) {
    process.stderr.write(`bench: unknown scenario \`${w}\`; available: ${Object.keys(SCENARIOS).join(', ')}\n`);
    process.exit(2);
  }
}

const cfg = cfgFromEnv(RESULTS);

if (!existsSync(join(ROOT, 'dist/index.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}

const log = (l) => process.stdout.write(`${l}\n`);
const nCpus = availableParallelism();
const note = pinningNote();
if (canPin()) pinSelf(0);
log(
  `Wharf benchmark — ${new Date().toISOString()} — node ${process.version}, ${nCpus} CPU(s) (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
log(
  note
    ? `WARNING: ${note}`
    : 'pinning: server on CPU 1 (taskset -c 1), autocannon in its own process on CPU 0 (taskset -c 0)',
);
log(
  'NOTE: shared machine — absolute figures are noisy (other work runs alongside); compare the ratios of one run only.',
);

const peers = { 'moleculer + moleculer-web': ['moleculer', 'moleculer-web'], 'node-red': ['node-red'] };
const missingPeers = Object.entries(peers).filter(([, pkgs]) => pkgs.some((p) => !pkgVersion(p)));
for (const [name] of missingPeers) log(`peer ${name}: not installed — skipped`);
log('');

mkdirSync(RESULTS, { recursive: true });
let exitCode = 0;
for (const w of wanted) {
  const mod = await import(SCENARIOS[w]);
  log(`== Scenario ${mod.id}: ${mod.title}`);
  log(
    `   c=${cfg.connections}, ${cfg.warmupSeconds} s warm-up + ${cfg.durationSeconds} s measured per round, ${cfg.rounds} alternated rounds (Wharf, Fastify, ...), medians of rounds`,
  );
  const loadBefore = loadavg();
  const distBefore = treeFingerprint(join(ROOT, 'dist'));
  const r = await mod.run(cfg, log);
  if (typeof mod.report === 'function') {
    // Scenarios with their own table (A, C, D, M) report themselves.
    mod.report(r, log);
    if (r.errorsTotal > 0) process.exitCode = 1;
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `scenario-${mod.id.toLowerCase()}.json`), `${JSON.stringify(r, null, 2)}\n`);
    continue;
  }
  const loadAfter = loadavg();
  const distAfter = treeFingerprint(join(ROOT, 'dist'));
  const ref = r.systems.find((s) => s.system === 'fastify');
  const rows = r.systems.map((s) => [
    r.scenario,
    s.system === 'wharf' ? 'Wharf (1 worker)' : 'bare Fastify 5',
    fmtInt(s.reqPerSec),
    fmtMs(s.p50Ms),
    fmtMs(s.p99Ms),
    fmtInt(s.errorsTotal),
    fmtRatio(s.reqPerSec / ref.reqPerSec),
    fmtMs(s.startToFirst200Ms),
    fmtMiB(s.idleRssBytes),
    fmtInt(s.reqPerServerCpuSecond),
    s.reqPerSecRounds.map(fmtInt).join(' / '),
  ]);
  for (const [name] of missingPeers)
    rows.push([r.scenario, name, 'skipped', '', '', '', '', '', '', '', 'not installed']);
  log('');
  log(
    table(
      [
        'scenario',
        'system',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'ratio',
        'start→200 ms',
        'idle RSS MiB',
        'req/CPU-s',
        'req/s per round',
      ],
      rows,
      [2, 3, 4, 5, 6, 7, 8, 9],
    ),
  );
  log('');
  log(
    `Wharf / bare Fastify = ${fmtRatio(r.ratio)} (goal ≥ ${r.goal.toFixed(2)})${r.meetsGoal ? '' : '  — BELOW GOAL'}   [per round: ${r.ratioRounds.map(fmtRatio).join(', ')}]`,
  );
  log(
    `per server CPU-second (less sensitive to other load on the machine): Wharf / bare Fastify = ${fmtRatio(r.ratioPerServerCpuSecond)}${r.meetsGoalPerCpu ? '' : '  — below goal'}`,
  );
  const wh = r.systems.find((s) => s.system === 'wharf');
  log(
    `server core share during the measured window (median): ${r.systems.map((s) => `${s.system} ${Math.round(s.serverCoreShare * 100)}% (others on that core ${Math.round(s.otherOnServerCore * 100)}%)`).join(', ')}`,
  );
  const starved = r.systems.filter((s) => s.serverCoreShare < 0.8);
  if (starved.length)
    log(
      `WARNING: the server got less than 80% of its core (${starved.map((s) => `${s.system} ${Math.round(s.serverCoreShare * 100)}%`).join(', ')}): other processes competed for the server core, so req/s and latencies measure the machine's load as much as the server — trust the per-CPU-second ratio more, or re-run on a quiet machine`,
    );
  if (wh.startPhases)
    log(
      `Wharf start phases (median ms): CLI spawn→primary ${fmtMs(wh.startPhases.cliToPrimaryMs)}, primary→worker fork ${fmtMs(wh.startPhases.primaryToWorkerMs)}, worker start→first 200 ${fmtMs(wh.startPhases.workerToFirst200Ms)}; helper processes (esbuild service) ${fmtMiB(wh.idleHelperRssBytes)} MiB RSS on top of the table's figure`,
    );
  log(
    'errors = non-2xx + socket errors + timeouts + body mismatches (every response body is compared) + failed equivalence checks, over all rounds incl. warm-up',
  );
  log(
    'start→200 = spawn of `wharf start ENV` / `node fastify-order.js` → first 200 with the expected body on the channel; idle RSS = primary + worker (Wharf)',
  );
  for (const s of r.systems) {
    if (s.errorsTotal > 0) {
      log(
        `  ${s.system}: ${JSON.stringify(s.errorCounts)}${s.checksFailed.length ? `; failed checks: ${JSON.stringify(s.checksFailed.slice(0, 5))}` : ''}${s.postLoadSamplesBad ? `; bad post-load samples: ${s.postLoadSamplesBad}` : ''}`,
      );
      exitCode = 1;
    }
  }
  log(
    `dist/ fingerprint ${distBefore}${distAfter === distBefore ? ' (unchanged during the run)' : ` → ${distAfter}: WARNING dist/ was rebuilt during the run (shared tree), rounds may have run different code`}`,
  );
  log(
    `load average: ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after — figures are noisy on a shared machine`,
  );
  if (r.profile) {
    log('');
    if (r.profile.error) log(`profile: ${r.profile.error}`);
    else {
      const ref = r.profileReference && !r.profileReference.error ? r.profileReference : undefined;
      log(
        `Profile of the Wharf worker during the measured window: ${fmtMs(r.profile.cpuUsPerRequest)} µs CPU per request (from /proc; buckets split it by the profile's self-time shares): ${r.profile.file}`,
      );
      if (ref)
        log(
          `Profile of bare Fastify under the same load: ${fmtMs(ref.cpuUsPerRequest)} µs CPU per request: ${ref.file}`,
        );
      const names = [
        ...new Set([
          ...r.profile.buckets.slice(0, 12).map((b) => b.bucket),
          ...(ref?.buckets.slice(0, 6).map((b) => b.bucket) ?? []),
        ]),
      ];
      const us = (p, n) => p?.buckets.find((b) => b.bucket === n)?.usPerRequest;
      log(
        table(
          ['bucket', 'wharf ms', 'wharf %', 'wharf µs/req', 'fastify µs/req'],
          names.map((n) => {
            const b = r.profile.buckets.find((x) => x.bucket === n);
            return [
              n,
              b ? b.selfMs.toFixed(1) : '-',
              b ? b.selfPct.toFixed(1) : '-',
              us(r.profile, n)?.toFixed(2) ?? '-',
              ref ? (us(ref, n)?.toFixed(2) ?? '-') : 'n/a',
            ];
          }),
          [1, 2, 3, 4],
        ),
      );
      log('');
      log('Top self-time functions in Wharf’s own code (dist/):');
      log(
        table(
          ['function', 'where', 'self ms', 'self %'],
          r.profile.wharf.map((f) => [f.function, f.where, f.selfMs.toFixed(1), f.selfPct.toFixed(2)]),
          [2, 3],
        ),
      );
      log('');
      log('Wharf functions with the Node/npm work they call directly (self time up to the next Wharf frame):');
      log(
        table(
          ['function', 'where', 'ms', '%', 'µs/req'],
          r.profile.wharfWithCallees.map((f) => [
            f.function,
            f.where,
            f.selfMs.toFixed(1),
            f.selfPct.toFixed(2),
            f.usPerRequest.toFixed(2),
          ]),
          [2, 3, 4],
        ),
      );
      log('');
      log('Top self-time functions overall (Wharf worker):');
      log(
        table(
          ['function', 'where', 'bucket', 'self ms', 'self %'],
          r.profile.overall.map((f) => [f.function, f.where, f.bucket, f.selfMs.toFixed(1), f.selfPct.toFixed(2)]),
          [3, 4],
        ),
      );
      if (ref) {
        log('');
        log('Top self-time functions overall (bare Fastify, for comparison):');
        log(
          table(
            ['function', 'where', 'bucket', 'self ms', 'self %'],
            ref.overall
              .slice(0, 10)
              .map((f) => [f.function, f.where, f.bucket, f.selfMs.toFixed(1), f.selfPct.toFixed(2)]),
            [3, 4],
          ),
        );
      }
    }
  }
  const out = {
    ...r,
    machine: {
      node: process.version,
      cpus: nCpus,
      cpuModel: cpus()[0]?.model,
      loadBefore,
      loadAfter,
      pinned: canPin(),
      pinningNote: note ?? null,
    },
    dist: { before: distBefore, after: distAfter, changedDuringRun: distBefore !== distAfter },
    versions: { wharf: gitRev(), autocannon: pkgVersion('autocannon'), fastify: pkgVersion('fastify') },
    peersSkipped: missingPeers.map(([n]) => `${n}: not installed`),
    noisy: 'shared 2-core machine; absolute figures drift, compare ratios within one run',
    finishedAt: new Date().toISOString(),
  };
  const file = join(RESULTS, `scenario-${r.scenario.toLowerCase()}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  log(`results: ${file}`);
}
process.exit(exitCode);
