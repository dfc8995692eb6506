#!/usr/bin/env node
/**
 * `npm run soak`: one Wharf server (the embedded quickstart form, 2 workers) under a steady mixed load
 * for a long time (default 30 min; `--minutes N`), sampling every 10 s each server process's RSS
 * (primary, workers; esbuild's helper apart) and open file descriptors from /proc, and the p99
 * latency of each load over the last window. Prints one line per sample and a summary: start/end/max
 * RSS, its slope per hour (least squares over the second half), fds, p99 start/end, and a verdict:
 * "flat" when the RSS slope over the second half is below 5 % of the start RSS per hour and the
 * open fds over the second half grow by less than 1 per 10 minutes. Writes bench/results/soak.json.
 *
 * Loads (each its own paced keep-alive process, bench/lib-chaos/http-load.js):
 *   order  POST /soak/order  JSON SimpleIO service (bench/lib/wharf-order-service.js)
 *   proxy  POST /soak/proxy  proxy channel → outgoing.http → a Node echo server (bench/lib-extra/echo-server.js)
 *   call   POST /soak/call   a service that calls the echo server through outgoing.http
 *   amqp   numbered messages into a queue of the machine's RabbitMQ (5672) → Wharf channel → outgoing.amqp
 *          → a second queue, counted (lost/duplicated) as in the chaos run; skipped when 5672 is closed
 * Environment: SOAK_RATE_ORDER (default 150 req/s), SOAK_RATE_PROXY (75), SOAK_RATE_CALL (75),
 * SOAK_RATE_AMQP (20 msg/s), SOAK_SAMPLE_S (10), SOAK_KEEP=1.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { declareQueues, deleteQueues, drain, startPublisher, startSink, tally } from './lib-chaos/amqp-flow.js';
import { pct, startHttpLoad } from './lib-chaos/load-client.js';
import { listening } from './lib-chaos/private-services.js';
import { descendantsOf, freePort, machineBusy, rssBytes, sleep } from './lib/proc.js';
import { ROOT, primaryPid, stopEnv, wharf } from './lib/wharf.js';

const HERE = import.meta.dirname;
const log = (l) => process.stdout.write(`${l}\n`);
const num = (name, def) =>
  Number.isFinite(Number(process.env[name])) && Number(process.env[name]) > 0 ? Number(process.env[name]) : def;
const ORDER_BODY =
  '{"customerId":42,"items":[{"sku":"A-100","qty":2},{"sku":"B-200","qty":1},{"sku":"C-300","qty":5}],"note":"leave at the door"}';
const CALL = `import { int, service, text } from 'wharf';
export class SoakCall extends service({ name: 'soak.call', input: { n: int(), note: text().optional() } }) {
  async handle() {
    const r = await this.outgoing.http('soak-echo').post({ payload: { n: this.input.n, note: this.input.note ?? '' } });
    return { status: r.status, echoed: r.payload };
  }
}
`;
const RELAY = `import { int, service } from 'wharf';
export class SoakRelay extends service({ name: 'soak.relay', input: { id: int() } }) {
  async handle() {
    await this.outgoing.amqp('soak-out').send({ id: this.input.id });
    return {};
  }
}
`;

function parseArgs(argv) {
  let minutes = 30;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--minutes') minutes = Number(argv[++i]);
    else if (argv[i] === '--help' || argv[i] === '-h') {
      log('usage: node bench/soak.js [--minutes N]   (default 30)');
      process.exit(0);
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!(minutes > 0)) throw new Error('--minutes: a positive number');
  return { minutes };
}

const cleanups = [];
let cleaning;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const f of cleanups.reverse()) {
      try {
        await f();
      } catch (e) {
        log(`cleanup: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  })());
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`\n${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function roleOf(pid, primary) {
  if (pid === primary) return 'primary';
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmd.includes('esbuild')) return 'helper';
    if (cmd.includes('node')) return 'worker';
  } catch {
    /* gone */
  }
  return 'helper';
}

/** Least-squares slope of ys over xs (units of y per unit of x). */
function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx ? sxy / sxx : NaN;
}

const mib = (b) => (b / 1048576).toFixed(1);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');

async function main() {
  const { minutes } = parseArgs(process.argv.slice(2));
  const sampleS = num('SOAK_SAMPLE_S', 10);
  const parent = mkdtempSync(join(tmpdir(), 'wharf-soak-'));
  const dir = join(parent, 'env');
  cleanups.push(() =>
    process.env.SOAK_KEEP === '1' ? log(`kept: ${parent}`) : rmSync(parent, { recursive: true, force: true }),
  );
  const busy = await machineBusy(1000);
  log(
    `soak: ${minutes} min, a sample every ${sampleS} s; machine busy before: ${(busy * 100).toFixed(0)} % of ${availableParallelism()} CPUs`,
  );

  // Echo backend.
  const echoPort = await freePort();
  const echo = spawn(process.execPath, [join(HERE, 'lib-extra/echo-server.js'), String(echoPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => echo.kill('SIGTERM'));
  await new Promise((res) => echo.stdout.once('data', res));

  // The environment, through the CLI.
  const port = await freePort();
  await wharf([
    'quickstart',
    'create',
    dir,
    '--port',
    String(port),
    '--workers',
    '2',
    '--web-admin-port',
    String(await freePort()),
  ]);
  const amqp = await listening(5672);
  const q = { in: `soak.${randomBytes(3).toString('hex')}.in`, out: '' };
  q.out = q.in.replace(/\.in$/, '.out');
  const amqpUrl = 'amqp://guest:guest@127.0.0.1:5672';
  if (amqp) {
    await declareQueues(amqpUrl, q);
    cleanups.push(() => deleteQueues(amqpUrl, q));
  }
  writeFileSync(join(parent, 'call.ts'), CALL);
  writeFileSync(join(parent, 'relay.ts'), RELAY);
  writeFileSync(
    join(parent, 'objects-1.yaml'),
    `outgoing:
  http:
    - { name: soak-echo, address: 'http://127.0.0.1:${echoPort}', path: /echo, method: POST, dataFormat: json, timeoutMs: 10000 }
    - { name: soak-echo-raw, address: 'http://127.0.0.1:${echoPort}', path: /echo, method: POST, dataFormat: raw, timeoutMs: 10000 }
${amqp ? `definitions:\n  amqp:\n    - { name: soak-mq, host: 127.0.0.1, port: 5672, username: guest, password: guest }\n` : ''}`,
  );
  writeFileSync(
    join(parent, 'objects-2.yaml'),
    `${amqp ? `outgoing:\n  amqp:\n    - { name: soak-out, definition: soak-mq, routingKey: ${q.out} }\n` : ''}channels:
  http:
    - { name: soak-order, urlPath: /soak/order, method: POST, service: bench.order, dataFormat: json }
    - { name: soak-proxy, urlPath: /soak/proxy, method: POST, proxyTo: soak-echo-raw }
    - { name: soak-call, urlPath: /soak/call, method: POST, service: soak.call, dataFormat: json }
${amqp ? `  amqp:\n    - { name: soak-in, definition: soak-mq, queue: ${q.in}, service: soak.relay }\n` : ''}`,
  );
  await wharf(['start', dir, '--quiet']);
  cleanups.push(() => stopEnv(dir));
  for (const m of [
    join(ROOT, 'bench/lib/wharf-order-service.js'),
    join(parent, 'call.ts'),
    ...(amqp ? [join(parent, 'relay.ts')] : []),
  ])
    await wharf(['service', 'deploy', dir, m]);
  for (const f of ['objects-1.yaml', 'objects-2.yaml']) await wharf(['enmasse', 'import', dir, join(parent, f)]);

  const base = `http://127.0.0.1:${port}`;
  const hdr = { 'content-type': 'application/json' };
  const loads = {
    order: startHttpLoad({
      url: `${base}/soak/order`,
      method: 'POST',
      headers: hdr,
      body: ORDER_BODY,
      concurrency: 4,
      rate: num('SOAK_RATE_ORDER', 150),
      expect: '"accepted":true',
    }),
    proxy: startHttpLoad({
      url: `${base}/soak/proxy`,
      method: 'POST',
      headers: hdr,
      body: ORDER_BODY,
      concurrency: 2,
      rate: num('SOAK_RATE_PROXY', 75),
      expect: '"customerId":42',
    }),
    call: startHttpLoad({
      url: `${base}/soak/call`,
      method: 'POST',
      headers: hdr,
      body: '{"n":7,"note":"soak"}',
      concurrency: 2,
      rate: num('SOAK_RATE_CALL', 75),
      expect: '"status":200',
    }),
  };
  for (const l of Object.values(loads)) cleanups.push(() => l.stop());
  let pub;
  let sink;
  if (amqp) {
    sink = startSink(amqpUrl, q.out);
    pub = startPublisher(amqpUrl, num('SOAK_RATE_AMQP', 20), q.in);
    cleanups.push(
      () => sink.stop(),
      () => pub.stop(),
    );
  }
  log(
    `loads: order ${num('SOAK_RATE_ORDER', 150)}/s, proxy ${num('SOAK_RATE_PROXY', 75)}/s, call ${num('SOAK_RATE_CALL', 75)}/s (keep-alive, paced), AMQP ${amqp ? `${num('SOAK_RATE_AMQP', 20)} msg/s via ${q.in}` : 'skipped: nothing on 5672'}`,
  );
  log('');
  log(
    '   t s  primary MiB  workers MiB (each)      total MiB  fds  p99 ms order/proxy/call  req ok/failed (window)  amqp through',
  );

  const primary = primaryPid(dir);
  const samples = [];
  const t0 = Date.now();
  let last = t0;
  let lastSnap = Object.fromEntries(Object.entries(loads).map(([k, l]) => [k, l.snapshot()]));
  const workerPidsSeen = new Set();
  while (Date.now() - t0 < minutes * 60_000) {
    await sleep(Math.max(0, last + sampleS * 1000 - Date.now()));
    const now = Date.now();
    const pids = primary ? [primary, ...descendantsOf(primary)] : [];
    const procs = pids.map((pid) => ({ pid, role: roleOf(pid, primary), rss: rssBytes(pid), fds: fdCount(pid) }));
    const workers = procs.filter((p) => p.role === 'worker');
    for (const w of workers) workerPidsSeen.add(w.pid);
    const p99 = Object.fromEntries(Object.entries(loads).map(([k, l]) => [k, pct(l.latenciesSince(last), 99)]));
    const snap = Object.fromEntries(Object.entries(loads).map(([k, l]) => [k, l.snapshot()]));
    const ok = Object.keys(loads).reduce((a, k) => a + snap[k].ok - lastSnap[k].ok, 0);
    const failed = Object.keys(loads).reduce((a, k) => a + snap[k].failed - lastSnap[k].failed, 0);
    const s = {
      t: (now - t0) / 1000,
      primaryRss: procs.find((p) => p.role === 'primary')?.rss ?? 0,
      workerRss: workers.map((w) => w.rss),
      helperRss: procs.filter((p) => p.role === 'helper').reduce((a, p) => a + p.rss, 0),
      fds: procs.filter((p) => p.role !== 'helper').reduce((a, p) => a + p.fds, 0),
      workerPids: workers.map((w) => w.pid),
      p99,
      ok,
      failed,
      amqpThrough: sink ? sink.counts.size : 0,
    };
    s.total = s.primaryRss + s.workerRss.reduce((a, b) => a + b, 0);
    samples.push(s);
    log(
      `${s.t.toFixed(0).padStart(6)}  ${mib(s.primaryRss).padStart(11)}  ${s.workerRss.map(mib).join(' + ').padEnd(22)}  ${mib(s.total).padStart(9)}  ${String(s.fds).padStart(3)}  ${[p99.order, p99.proxy, p99.call].map(f1).join(' / ').padStart(22)}  ${`${ok}/${failed}`.padStart(22)}  ${s.amqpThrough}`,
    );
    last = now;
    lastSnap = snap;
  }

  const totals = Object.fromEntries(
    await Promise.all(Object.entries(loads).map(async ([k, l]) => [k, await l.stop()])),
  );
  let amqpTally;
  if (pub) {
    pub.pause();
    const lastId = pub.lastId();
    await drain(pub, sink, 1, lastId, 30_000);
    amqpTally = tally(pub, sink, 1, lastId);
  }
  const half = samples.slice(Math.floor(samples.length / 2));
  const hours = half.map((s) => s.t / 3600);
  const rssSlope = slope(
    hours,
    half.map((s) => s.total),
  ); // bytes per hour
  const fdSlope = slope(
    hours,
    half.map((s) => s.fds),
  ); // fds per hour
  const first = samples[0];
  const end = samples.at(-1);
  const maxRss = Math.max(...samples.map((s) => s.total));
  const slopePct = (100 * rssSlope) / first.total;
  const flatRss = slopePct < 5;
  const flatFds = fdSlope < 6;
  const summary = {
    minutes,
    samples: samples.length,
    rssMiB: {
      start: +mib(first.total),
      end: +mib(end.total),
      max: +mib(maxRss),
      slopePerHourMiB: +(rssSlope / 1048576).toFixed(2),
      slopePerHourPctOfStart: +slopePct.toFixed(2),
    },
    fds: { start: first.fds, end: end.fds, slopePerHour: +fdSlope.toFixed(2) },
    p99Ms: { start: first.p99, end: end.p99 },
    requests: Object.fromEntries(
      Object.entries(totals).map(([k, v]) => [k, { sent: v.sent, ok: v.ok, failed: v.failed, byKind: v.byKind }]),
    ),
    amqp: amqpTally ?? 'skipped',
    workerPidsSeen: [...workerPidsSeen],
    verdict: flatRss && flatFds ? 'flat' : 'NOT flat',
    tolerance:
      'RSS (primary + workers) slope over the second half < 5 % of the start RSS per hour; open fds slope over the second half < 6 per hour',
  };
  log('');
  log(
    `RSS primary+workers: start ${summary.rssMiB.start} MiB, end ${summary.rssMiB.end} MiB, max ${summary.rssMiB.max} MiB; slope over the second half ${summary.rssMiB.slopePerHourMiB} MiB/h = ${summary.rssMiB.slopePerHourPctOfStart} % of start per hour`,
  );
  log(
    `open fds (primary+workers): start ${first.fds}, end ${end.fds}, slope over the second half ${summary.fds.slopePerHour}/h`,
  );
  log(
    `p99 ms order/proxy/call: start ${[first.p99.order, first.p99.proxy, first.p99.call].map(f1).join(' / ')}, end ${[end.p99.order, end.p99.proxy, end.p99.call].map(f1).join(' / ')}`,
  );
  log(
    `requests: ${Object.entries(summary.requests)
      .map(([k, v]) => `${k} ${v.sent} sent / ${v.failed} failed${v.failed ? ` ${JSON.stringify(v.byKind)}` : ''}`)
      .join(', ')}`,
  );
  log(
    `AMQP: ${amqpTally ? JSON.stringify(amqpTally) : 'skipped'}; worker pids seen: ${summary.workerPidsSeen.join(', ')}${summary.workerPidsSeen.length > 2 ? ' (a worker was replaced during the run)' : ''}`,
  );
  log(`verdict: ${summary.verdict} (${summary.tolerance})`);
  log('(other work shares this machine: latencies are noisy; a short run gives a rough slope)');
  const out = join(HERE, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'soak.json'),
    `${JSON.stringify({ finishedAt: new Date().toISOString(), machineBusyBefore: busy, summary, samples }, null, 2)}\n`,
  );
  log(`results: ${join(out, 'soak.json')}`);
  return summary.verdict === 'flat' && Object.values(totals).every((v) => v.failed === 0);
}

let ok = false;
try {
  ok = await main();
} catch (e) {
  log(`soak: ${e instanceof Error ? e.stack : String(e)}`);
} finally {
  await cleanup();
}
process.exit(ok ? 0 : 1);
