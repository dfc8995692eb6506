/**
 * One extra run of a Wharf environment under V8's sampling profiler (bench/lib/cpu-profile.js as a
 * NODE_OPTIONS preload — Node 20 refuses --cpu-prof there): the worker starts profiling at once,
 * and gets SIGUSR2 when the measured window opens (start-up and warm-up are dropped) and when it
 * closes (the profile is written). The profile is ranked with bench/lib/profile.js.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseProfile } from '../lib/profile.js';
import { describePids, sleep } from '../lib/proc.js';
import { fmtInt, fmtMs, table } from '../lib/report.js';
import { cpuWindow } from './measure.js';
import { BENCH } from './servers.js';

/**
 * start(extraEnv) → { pids(), stop() }; drive(inst, hooks) runs the load and calls hooks.start() /
 * hooks.end() around the measured window, resolving { ops } (requests / messages measured).
 */
export async function profiledRun({ start, drive, outDir, name, top = 15 }) {
  mkdirSync(outDir, { recursive: true });
  const preload = pathToFileURL(join(BENCH, 'lib/cpu-profile.js')).href;
  const inst = await start({
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(),
    BENCH_CPU_PROF_DIR: outDir,
  });
  let target;
  let win;
  let ops = 0;
  try {
    target = inst.pids().find((p) => /worker-main/.test(describePids([p])[0].cmd));
    if (!target) return { error: 'no worker process found' };
    const mark = () => process.kill(target, 'SIGUSR2');
    win = cpuWindow(() => [target]);
    ({ ops } = await drive(inst, { start: () => (mark(), win.start()), end: () => (mark(), win.end()) }));
    const deadline = Date.now() + 15_000;
    while (!existsSync(join(outDir, `CPU.${target}.2.cpuprofile`)) && Date.now() < deadline) await sleep(100);
  } finally {
    await inst.stop();
  }
  const file = join(outDir, `CPU.${target}.2.cpuprofile`);
  if (!existsSync(file)) return { error: `no profile of the measured window in ${outDir}` };
  rmSync(join(outDir, `CPU.${target}.1.cpuprofile`), { force: true });
  const renamed = join(outDir, `${name}.cpuprofile`);
  renameSync(file, renamed);
  const a = analyseProfile(renamed, top);
  const cpu = win.result();
  const cpuUsPerOp = cpu && ops ? (cpu.serverCpuSeconds * 1e6) / ops : NaN;
  return {
    name,
    ops,
    cpuUsPerOp: +cpuUsPerOp.toFixed(2),
    ...a,
    buckets: a.buckets.map((b) => ({ ...b, usPerOp: +((b.selfPct / 100) * cpuUsPerOp).toFixed(2) })),
  };
}

export function reportProfile(p, log, unit = 'op') {
  log('');
  if (p.error) {
    log(`profile: ${p.error}`);
    return;
  }
  log(
    `Profile of the Wharf worker (${p.name}): ${fmtMs(p.cpuUsPerOp)} µs CPU per ${unit} (${fmtInt(p.ops)} ${unit}s in the window): ${p.file}`,
  );
  log(
    table(
      ['bucket', 'self ms', 'self %', `µs/${unit}`],
      p.buckets.slice(0, 10).map((b) => [b.bucket, b.selfMs.toFixed(1), b.selfPct.toFixed(1), b.usPerOp.toFixed(2)]),
      [1, 2, 3],
    ),
  );
  log('Top self-time functions in Wharf’s own code (dist/):');
  log(
    table(
      ['function', 'where', 'self ms', 'self %'],
      p.wharf.map((f) => [f.function, f.where, f.selfMs.toFixed(1), f.selfPct.toFixed(2)]),
      [2, 3],
    ),
  );
  log('Wharf functions with the Node/npm work they call directly:');
  log(
    table(
      ['function', 'where', 'ms', '%'],
      p.wharfWithCallees.map((f) => [f.function, f.where, f.selfMs.toFixed(1), f.selfPct.toFixed(2)]),
      [2, 3],
    ),
  );
  log('Top self-time functions overall:');
  log(
    table(
      ['function', 'where', 'bucket', 'self ms', 'self %'],
      p.overall.map((f) => [f.function, f.where, f.bucket, f.selfMs.toFixed(1), f.selfPct.toFixed(2)]),
      [3, 4],
    ),
  );
}
