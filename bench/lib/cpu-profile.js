/**
 * Preload for profiling a Wharf worker (`node --cpu-prof` is not allowed in NODE_OPTIONS on Node 20):
 *   NODE_OPTIONS="--import=<this file>" BENCH_CPU_PROF_DIR=/dir wharf start ENV
 * Does nothing outside the serving processes (Wharf's dist/server/worker-main.js, the bench's
 * fastify-order.js). In those it starts the V8
 * sampling profiler at once and writes CPU.<pid>.cpuprofile to BENCH_CPU_PROF_DIR on SIGUSR2 (the
 * profiler then keeps running, fresh) — so the orchestrator can cut exactly the load window.
 * SIGUSR2 with `reset` first: `kill -USR2` once before the load (discard start-up), once after (write).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir && /(worker-main|fastify-order)\.js$/.test(process.argv[1] ?? '')) {
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
  let n = 0;
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US ?? 500) });
  await post('Profiler.start');
  process.on('SIGUSR2', () => {
    void (async () => {
      const { profile } = await post('Profiler.stop');
      writeFileSync(join(dir, `CPU.${process.pid}.${++n}.cpuprofile`), JSON.stringify(profile));
      await post('Profiler.start');
    })();
  });
}
