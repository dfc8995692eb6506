/**
 * The orchestrator's side of bench/lib-chaos/http-load.js: spawns it, keeps its latest cumulative
 * counters, the times at which failures happened and the latencies it reported.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const HERE = import.meta.dirname;

export function startHttpLoad(opts) {
  const child = spawn(process.execPath, [join(HERE, 'http-load.js'), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let last = { t: Date.now(), sent: 0, ok: 0, failed: 0, byKind: {}, lastFailAt: 0 };
  /** [epoch ms, failures in that 200 ms line] for every line with new failures. */
  const failTimes = [];
  /** [epoch ms, latency ms] of every finished request (the soak reads windows of it, then trims). */
  let latencies = [];
  let buf = '';
  let err = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const m = JSON.parse(line);
        if (m.failed > last.failed) failTimes.push([m.t, m.failed - last.failed]);
        for (const l of m.latencies) latencies.push([m.t, l]);
        delete m.latencies;
        last = m;
      } catch {
        /* partial line */
      }
    }
  });
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => child.on('exit', r));
  return {
    pid: child.pid,
    snapshot: () => ({ ...last, byKind: { ...last.byKind } }),
    failuresBetween: (a, b) => failTimes.filter(([t]) => t >= a && t <= b),
    /** Latencies (ms) reported after epoch ms `since`; drops older ones from memory. */
    latenciesSince(since) {
      latencies = latencies.filter(([t]) => t > since);
      return latencies.map(([, l]) => l);
    },
    stderr: () => err,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
      return last;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Difference of two snapshots (sent, ok, failed, failures by kind). */
export function delta(a, b) {
  const byKind = {};
  for (const [k, v] of Object.entries(b.byKind)) {
    const d = v - (a.byKind[k] ?? 0);
    if (d > 0) byKind[k] = d;
  }
  return { sent: b.sent - a.sent, ok: b.ok - a.ok, failed: b.failed - a.failed, byKind };
}

/** p-th percentile (nearest rank) of numbers. */
export function pct(xs, p) {
  const v = [...xs].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}
