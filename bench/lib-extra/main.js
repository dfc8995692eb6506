/**
 * Runs one scenario module on its own (`node bench/scenario-a.js`), the way bench/run.js does:
 * pins itself to CPU 0, reads the BENCH_* variables, prints the scenario's own report and writes
 * bench/results/scenario-<id>.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { canPin, pinningNote, pinSelf, treeFingerprint } from '../lib/proc.js';
import { cfgFromEnv } from './measure.js';
import { ROOT } from './servers.js';

export async function runStandalone(mod) {
  const log = (l) => process.stdout.write(`${l}\n`);
  if (!existsSync(join(ROOT, 'dist/index.js'))) {
    process.stderr.write('bench: dist/ is missing; run `npm run build` first\n');
    process.exit(2);
  }
  const cfg = cfgFromEnv();
  const note = pinningNote();
  const nCpus = availableParallelism();
  if (canPin()) pinSelf(0);
  log(
    `Wharf benchmark — ${new Date().toISOString()} — node ${process.version}, ${nCpus} CPU(s) (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  log(note ? `WARNING: ${note}` : 'pinning: server on CPU 1 (taskset -c 1), load generator on CPU 0 (taskset -c 0)');
  log('NOTE: shared machine — absolute figures are noisy; compare the ratios of one run only.');
  log(`== Scenario ${mod.id}: ${mod.title}`);
  mkdirSync(cfg.resultsDir, { recursive: true });
  const distBefore = treeFingerprint(join(ROOT, 'dist'));
  const loadBefore = loadavg();
  const r = await mod.run(cfg, log);
  mod.report(r, log);
  const distAfter = treeFingerprint(join(ROOT, 'dist'));
  log(
    `dist/ fingerprint ${distBefore}${distAfter === distBefore ? ' (unchanged during the run)' : ` → ${distAfter}: WARNING dist/ was rebuilt during the run (shared tree)`}`,
  );
  log(
    `load average: ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} after — figures are noisy on a shared machine`,
  );
  const file = join(cfg.resultsDir, `scenario-${String(r.scenario).toLowerCase()}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ ...r, machine: { node: process.version, cpus: nCpus, cpuModel: cpus()[0]?.model, pinned: canPin() }, dist: { before: distBefore, after: distAfter }, finishedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  log(`results: ${file}`);
  process.exit(r.errorsTotal > 0 ? 1 : 0);
}
