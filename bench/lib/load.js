/**
 * The load generator, run as its own process (pinned with `taskset -c 0` by the orchestrator):
 *   node bench/lib/load.js '<json options>'
 * Options: { url, method, headers, body, connections, warmupSeconds, durationSeconds, expectBody }.
 * Runs an (unreported) warm-up, then the measured run, with autocannon's programmatic API; every
 * response body of both runs is compared with `expectBody` (a mismatch counts as an error).
 * Prints `measure-start` when the warm-up is over, `measure-end` when the measured run is, then one
 * JSON line: { warmup: summary, measured: summary }.
 */
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2] ?? '{}');

function once(durationSeconds) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        method: opts.method ?? 'POST',
        headers: opts.headers ?? {},
        body: opts.body,
        connections: opts.connections ?? 50,
        pipelining: 1,
        duration: durationSeconds,
        timeout: 10,
        expectBody: opts.expectBody,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    process.once('SIGTERM', () => instance.stop());
  });
}

function summary(r) {
  return {
    reqPerSec: r.requests.average,
    reqPerSecStddev: r.requests.stddev,
    requests: r.requests.total,
    latencyMs: { mean: r.latency.mean, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    mismatches: r.mismatches,
    durationSeconds: r.duration,
    connections: r.connections,
  };
}

const warm = opts.warmupSeconds > 0 ? summary(await once(opts.warmupSeconds)) : null;
process.stdout.write('measure-start\n');
const measured = summary(await once(opts.durationSeconds ?? 10));
process.stdout.write('measure-end\n');
process.stdout.write(`${JSON.stringify({ warmup: warm, measured })}\n`);
