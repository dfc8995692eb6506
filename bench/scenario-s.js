/**
 * Scenario S — start-up, stop and memory (issue 14 items 2–4), with bare Fastify 5 as the reference,
 * all in one run, medians of BENCH_S_ROUNDS (default 5):
 *   - `wharf start ENV --fg` (one server, one worker) → first 200 on a deployed service's JSON
 *     channel, vs `node fastify-order.js` → first 200 (both pinned to the server core);
 *     detached `wharf start ENV` → first 200 and → the CLI's return;
 *   - idle RSS of primary + worker (helpers such as esbuild's service apart) vs Fastify's process;
 *   - `wharf stop ENV` of the idle environment (CLI spawn → exit, every server process gone);
 *   - CLI latency of `wharf --help` and `wharf channel http list ENV` (reference: `node -e 0`);
 *   - a worker killed with SIGKILL → a new worker serves the channel again;
 *   - 1,000 generated services (one module each) deployed as a directory is (`wharf service deploy
 *     ENV DIR`: one bulk POST /wharf/admin/services): deploy-all time, the same again (unchanged),
 *     then BENCH_S_SINGLE_DEPLOYS (default 100) single-module deploys as an info line (ms each),
 *     a sample invoked, the worker's RSS growth, start → first 200 with them (compile cache warm).
 * BENCH_S_SERVICES changes the 1,000.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFirst200 } from './lib/http.js';
import { describePids, freePort, isAlive, pinned, rssBytes, run as runCmd, sleep } from './lib/proc.js';
import { fmtMiB, fmtMs, fmtRatio, median, table } from './lib/report.js';
import { SERVER_CORE } from './lib-extra/measure.js';
import { BIN, ROOT, primaryPid, serverPids, stopEnv, wharf } from './lib/wharf.js';
import { EXPECTED, PAYLOAD } from './scenario-b.js';

export const id = 'S';
export const title =
  'Start-up, stop and memory: wharf start --fg / detached, idle RSS, wharf stop, CLI latency, worker replacement, 1,000 services';

const PATH = '/bench/order';
const HERE = import.meta.dirname;
const GOALS = {
  startRatio: 1.5,
  rssRatio: 2,
  stopMs: 1000,
  cliMs: 300,
  deployAllMs: 1000,
  rssPerWorkerMiB: 60,
  startWith1000ExtraMs: 500,
  replaceMs: 2000,
};

function envInt(name, def) {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : def;
}

/** Serving processes vs helpers (esbuild's service): RSS of each group. */
function footprint(pids) {
  const procs = describePids(pids);
  const helpers = procs.filter((p, i) => i > 0 && /esbuild/.test(p.cmd));
  const server = procs.filter((p) => !helpers.includes(p));
  return {
    rssBytes: server.reduce((s, p) => s + p.rssBytes, 0),
    helperRssBytes: helpers.reduce((s, p) => s + p.rssBytes, 0),
    workers: server.filter((p) => /worker-main/.test(p.cmd)).map((p) => p.rssBytes),
  };
}

async function waitGone(pids, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(10);
  return !pids.some(isAlive);
}

/** `wharf start ENV --fg` pinned: resolves { t0, child, pid, exited() }. */
function startFg(envDir) {
  const [cmd, args] = pinned(SERVER_CORE, process.execPath, [BIN, 'start', envDir, '--fg']);
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  let exited = false;
  child.stderr.on('data', (d) => (err += d));
  child.on('exit', () => (exited = true));
  return { t0, child, exited: () => exited, stderr: () => err };
}

function startFastify(port) {
  const [cmd, args] = pinned(SERVER_CORE, process.execPath, [join(HERE, 'lib/fastify-order.js'), String(port)]);
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  return { t0, child, exited: () => exited };
}

/** Wall time of a command to its exit (ms); throws unless it exits 0. */
async function timed(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = await runCmd(cmd, args, { cwd: ROOT, timeoutMs: 120_000, pin: opts.pin });
  const ms = performance.now() - t0;
  if (r.code !== 0 && !opts.allowFail)
    throw new Error(`${cmd} ${args.join(' ')} → exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return ms;
}

function adminCall(port, auth, method, path, body) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        timeout: 60_000,
        headers: {
          authorization: auth,
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

export function generatedModule(i) {
  return `import { int, service } from 'wharf';\nexport class Gen${i} extends service({ name: 'gen.s${i}', input: { x: int() }, output: { y: int() } }) {\n  async handle() {\n    return { y: this.input.x + ${i} };\n  }\n}\n`;
}

/** Time from SIGKILL of the worker to the channel's next 200 (served by its replacement). */
async function replaceWorker(envDir, url) {
  const workers = () =>
    describePids(serverPids(envDir))
      .filter((p) => /worker-main/.test(p.cmd))
      .map((p) => p.pid);
  const [worker] = workers();
  if (!worker) throw new Error('no worker to kill');
  const t0 = performance.now();
  process.kill(worker, 'SIGKILL');
  while (isAlive(worker)) await sleep(2);
  const ms = await waitFirst200(url, PAYLOAD, EXPECTED, t0, { timeoutMs: 60_000, intervalMs: 5 });
  if (workers().includes(worker)) throw new Error('the killed worker still runs');
  return ms;
}

async function wharfRound(envDir, url, log, i, withExtras) {
  const s = startFg(envDir);
  let firstMs;
  try {
    firstMs = await waitFirst200(url, PAYLOAD, EXPECTED, s.t0, { timeoutMs: 120_000, isDead: s.exited });
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${s.stderr()}`);
  }
  await sleep(envInt('BENCH_IDLE_MS', 2000));
  const pids = serverPids(envDir);
  const fp = footprint(pids);
  const extras = {};
  if (withExtras) {
    extras.channelListMs = await timed(process.execPath, [BIN, 'channel', 'http', 'list', envDir], {
      allowFail: false,
    });
    extras.replaceMs = await replaceWorker(envDir, url);
    await sleep(500);
  }
  const all = serverPids(envDir);
  const stopMs = await timed(process.execPath, [BIN, 'stop', envDir]);
  const gone = await waitGone([...all, s.child.pid]);
  log(
    `  wharf round ${i}: --fg first 200 ${fmtMs(firstMs)} ms, idle RSS ${fmtMiB(fp.rssBytes)} MiB (+${fmtMiB(fp.helperRssBytes)} helpers), stop ${fmtMs(stopMs)} ms${gone ? '' : ' (PROCESSES LEFT)'}` +
      (withExtras
        ? `, channel http list ${fmtMs(extras.channelListMs)} ms, SIGKILLed worker serving again after ${fmtMs(extras.replaceMs)} ms`
        : ''),
  );
  return {
    firstMs,
    rssBytes: fp.rssBytes,
    helperRssBytes: fp.helperRssBytes,
    workerRss: fp.workers,
    stopMs,
    gone,
    ...extras,
  };
}

async function detachedRound(envDir, url) {
  const [cmd, args] = pinned(SERVER_CORE, process.execPath, [BIN, 'start', envDir, '--server', 'server1', '--quiet']);
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: 'ignore' });
  let cliMs;
  const cliDone = new Promise((resolve) =>
    child.on('exit', (code) => ((cliMs = performance.now() - t0), resolve(code))),
  );
  const firstMs = await waitFirst200(url, PAYLOAD, EXPECTED, t0, { timeoutMs: 120_000 });
  const code = await cliDone;
  if (code !== 0) throw new Error(`wharf start exited ${code}`);
  await stopEnv(envDir);
  return { firstMs, cliMs };
}

async function fastifyRound(port, url, log, i) {
  const f = startFastify(port);
  const firstMs = await waitFirst200(url, PAYLOAD, EXPECTED, f.t0, { timeoutMs: 60_000, isDead: f.exited });
  await sleep(envInt('BENCH_IDLE_MS', 2000));
  const rss = rssBytes(f.child.pid);
  const t0 = performance.now();
  f.child.kill('SIGTERM');
  await waitGone([f.child.pid]);
  const stopMs = performance.now() - t0;
  log(
    `  fastify round ${i}: first 200 ${fmtMs(firstMs)} ms, idle RSS ${fmtMiB(rss)} MiB, SIGTERM → exit ${fmtMs(stopMs)} ms`,
  );
  return { firstMs, rssBytes: rss, stopMs };
}

/** The bulk request `wharf service deploy ENV DIR` sends: every module of the directory at once. */
function bulkBody(dir, names) {
  return {
    modules: names.map((name) => ({
      name,
      source: readFileSync(join(dir, name), 'utf8'),
      from: `cli:${join(dir, name)}`,
    })),
  };
}

async function deployMany(envDir, port, n, log) {
  const creds = JSON.parse(readFileSync(join(envDir, 'cli-credentials.json'), 'utf8'));
  const auth = `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`;
  // A directory of n modules, deployed as a user would (`wharf service deploy ENV DIR`: one bulk request).
  const dir = join(envDir, '..', 'generated-services');
  mkdirSync(dir, { recursive: true });
  const names = Array.from({ length: n }, (_, i) => `gen-${i}.js`);
  names.forEach((name, i) => writeFileSync(join(dir, name), generatedModule(i)));
  const t0 = performance.now();
  const r = await adminCall(port, auth, 'POST', '/wharf/admin/services', bulkBody(dir, names));
  const deployMs = performance.now() - t0;
  if (r.status !== 200 || r.json?.deployed !== n)
    throw new Error(`bulk deploy of ${n} modules: ${r.status} ${r.text.slice(0, 300)}`);
  // The same directory again: every module unchanged (hashes compared, nothing compiled or written).
  const t1 = performance.now();
  const again = await adminCall(port, auth, 'POST', '/wharf/admin/services', bulkBody(dir, names));
  const unchangedMs = performance.now() - t1;
  if (again.json?.unchanged !== n) throw new Error(`redeploy: ${again.status} ${again.text.slice(0, 300)}`);
  // The single-module path (info): SINGLE changed modules one request at a time, with n stored.
  const singles = Math.min(envInt('BENCH_S_SINGLE_DEPLOYS', 100), n);
  const t2 = performance.now();
  for (let i = 0; i < singles; i++) {
    const s = await adminCall(port, auth, 'POST', '/wharf/admin/services', {
      name: `gen-${i}.js`,
      source: `${generatedModule(i)}// single deploy\n`,
    });
    if (s.status !== 200) throw new Error(`single deploy gen-${i}.js: ${s.status} ${s.text.slice(0, 200)}`);
  }
  const singleMs = singles > 0 ? (performance.now() - t2) / singles : 0;
  // A sample answers (invoked through the admin API).
  const sample = [0, n - 1, ...Array.from({ length: 18 }, () => Math.floor(Math.random() * n))];
  let ok = 0;
  for (const i of sample) {
    const x = await adminCall(port, auth, 'POST', `/wharf/admin/services/gen.s${i}/invoke`, { input: { x: 1 } });
    if (x.status === 200 && x.json?.output?.y === i + 1) ok++;
  }
  log(
    `  ${n} services deployed as a directory (one bulk request) in ${fmtMs(deployMs)} ms; the same again (all unchanged) ${fmtMs(unchangedMs)} ms; ` +
      `${singles} single deploys (one module per request, ${n} stored) ${fmtMs(singleMs)} ms each; sample ${ok}/${sample.length} answered correctly`,
  );
  return { deployMs, unchangedMs, singles, singleMs, sampleOk: ok, sampleSize: sample.length };
}

export async function run(cfg, log = (l) => process.stdout.write(`${l}\n`)) {
  const rounds = envInt('BENCH_S_ROUNDS', 5);
  const nServices = envInt('BENCH_S_SERVICES', 1000);
  const parent = mkdtempSync(join(tmpdir(), 'wharf-bench-s-'));
  const envDir = join(parent, 'env');
  const port = await freePort();
  const fastifyPort = await freePort();
  const url = `http://127.0.0.1:${port}${PATH}`;
  const fastifyUrl = `http://127.0.0.1:${fastifyPort}${PATH}`;
  const result = { scenario: 'S', title, goals: GOALS, rounds, services: nServices };
  try {
    log(`setup: wharf quickstart create (port ${port}, 1 worker), deploy bench.order, channel ${PATH}`);
    await wharf([
      'quickstart',
      'create',
      envDir,
      '--port',
      String(port),
      '--workers',
      '1',
      '--web-admin-port',
      String(await freePort()),
    ]);
    await wharf(['start', envDir, '--server', 'server1', '--quiet']);
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
      await waitFirst200(url, PAYLOAD, EXPECTED, performance.now(), { timeoutMs: 15_000 });
    } finally {
      await stopEnv(envDir);
    }
    // One unmeasured start: the compile cache and the OS file cache are warm for every system alike.
    await wharfRound(envDir, url, () => {}, 0, false);
    await fastifyRound(fastifyPort, fastifyUrl, () => {}, 0);

    const W = [];
    const F = [];
    const D = [];
    const nodeMs = [];
    const helpMs = [];
    for (let i = 1; i <= rounds; i++) {
      W.push(await wharfRound(envDir, url, log, i, true));
      F.push(await fastifyRound(fastifyPort, fastifyUrl, log, i));
      D.push(await detachedRound(envDir, url));
      nodeMs.push(await timed(process.execPath, ['-e', '0'], { pin: SERVER_CORE }));
      helpMs.push(await timed(process.execPath, [BIN, '--help'], { pin: SERVER_CORE }));
    }
    const m = (xs, k) => median(xs.map((x) => x[k]));
    result.wharf = {
      firstMs: m(W, 'firstMs'),
      rssBytes: m(W, 'rssBytes'),
      helperRssBytes: m(W, 'helperRssBytes'),
      stopMs: m(W, 'stopMs'),
      allGone: W.every((w) => w.gone),
      channelListMs: m(W, 'channelListMs'),
      replaceMs: m(W, 'replaceMs'),
      detachedFirstMs: m(D, 'firstMs'),
      detachedCliMs: m(D, 'cliMs'),
      helpMs: median(helpMs),
      workerRssBytes: median(W.map((w) => w.workerRss[0])),
    };
    result.fastify = { firstMs: m(F, 'firstMs'), rssBytes: m(F, 'rssBytes'), stopMs: m(F, 'stopMs') };
    result.nodeMs = median(nodeMs);
    result.rawRounds = { wharf: W, fastify: F, detached: D, nodeMs, helpMs };

    log(`${nServices} generated services:`);
    await wharf(['start', envDir, '--server', 'server1', '--quiet']);
    try {
      result.many = await deployMany(envDir, port, nServices, log);
    } finally {
      await stopEnv(envDir);
    }
    // Starts with them: the first compiles nothing new (the deploys filled the compile cache).
    const M = [];
    for (let i = 1; i <= Math.min(rounds, 3); i++) M.push(await wharfRound(envDir, url, log, i, false));
    result.many.firstMs = m(M, 'firstMs');
    result.many.workerRssBytes = median(M.map((w) => w.workerRss[0]));
    result.many.rssGrowthPerWorkerBytes = result.many.workerRssBytes - result.wharf.workerRssBytes;
    result.many.stopMs = m(M, 'stopMs');
    return result;
  } finally {
    if (primaryPid(envDir)) await stopEnv(envDir);
    if (!cfg.keep) rmSync(parent, { recursive: true, force: true });
    else log(`kept the environment in ${envDir}`);
  }
}

export function report(r, log) {
  const w = r.wharf;
  const f = r.fastify;
  const g = r.goals;
  const mi = (b) => `${fmtMiB(b)} MiB`;
  const ms = (x) => `${fmtMs(x)} ms`;
  const ok = (b) => (b ? 'ok' : 'MISSED');
  const rows = [
    [
      'start --fg → first 200',
      ms(w.firstMs),
      `Fastify ${ms(f.firstMs)}`,
      `${fmtRatio(w.firstMs / f.firstMs)}× (≤ ${g.startRatio}×)`,
      ok(w.firstMs <= g.startRatio * f.firstMs),
    ],
    [
      'start (detached) → first 200',
      ms(w.detachedFirstMs),
      `Fastify ${ms(f.firstMs)}`,
      `${fmtRatio(w.detachedFirstMs / f.firstMs)}×`,
      'info',
    ],
    [
      'start (detached) → CLI returns',
      ms(w.detachedCliMs),
      `first 200 ${ms(w.detachedFirstMs)}`,
      'returns once it answers',
      'info',
    ],
    [
      'idle RSS primary + worker',
      mi(w.rssBytes),
      `Fastify ${mi(f.rssBytes)}`,
      `${fmtRatio(w.rssBytes / f.rssBytes)}× (≤ ${g.rssRatio}×)`,
      ok(w.rssBytes <= g.rssRatio * f.rssBytes),
    ],
    ['  helpers (esbuild service)', mi(w.helperRssBytes), '', 'not counted above', 'info'],
    [
      'wharf stop (idle) CLI → exit',
      ms(w.stopMs),
      `Fastify SIGTERM→exit ${ms(f.stopMs)}`,
      `≤ ${g.stopMs} ms`,
      ok(w.stopMs <= g.stopMs && w.allGone),
    ],
    ['  no process left after stop', w.allGone ? 'yes' : 'NO', '', '', ok(w.allGone)],
    ['wharf --help', ms(w.helpMs), `node -e 0 ${ms(r.nodeMs)}`, `≤ ${g.cliMs} ms`, ok(w.helpMs <= g.cliMs)],
    [
      'wharf channel http list ENV',
      ms(w.channelListMs),
      `node -e 0 ${ms(r.nodeMs)}`,
      `≤ ${g.cliMs} ms`,
      ok(w.channelListMs <= g.cliMs),
    ],
    [
      'SIGKILLed worker → serving again',
      ms(w.replaceMs),
      `Fastify start ${ms(f.firstMs)}`,
      `≤ ${g.replaceMs} ms`,
      ok(w.replaceMs <= g.replaceMs),
    ],
  ];
  if (r.many) {
    const goalStart = g.startRatio * f.firstMs + g.startWith1000ExtraMs;
    rows.push(
      [
        `deploy ${r.services} services (a directory, one bulk request)`,
        ms(r.many.deployMs),
        `sample ${r.many.sampleOk}/${r.many.sampleSize} answered`,
        `≤ ${g.deployAllMs} ms`,
        ok(r.many.deployMs <= g.deployAllMs && r.many.sampleOk === r.many.sampleSize),
      ],
      [`  same directory again (all unchanged)`, ms(r.many.unchangedMs), 'info', '', ''],
      [
        `  single deploy (1 module/request, ${r.services} stored)`,
        ms(r.many.singleMs),
        `${r.many.singles} deploys, ms each`,
        'info',
        '',
      ],
      [
        `worker RSS growth, ${r.services} services`,
        mi(r.many.rssGrowthPerWorkerBytes),
        `worker ${mi(r.many.workerRssBytes)} vs ${mi(w.workerRssBytes)}`,
        `≤ ${g.rssPerWorkerMiB} MiB`,
        ok(r.many.rssGrowthPerWorkerBytes <= g.rssPerWorkerMiB * 1048576),
      ],
      [
        `start --fg → first 200, ${r.services} services`,
        ms(r.many.firstMs),
        `Fastify ${ms(f.firstMs)}`,
        `≤ ${ms(goalStart)}`,
        ok(r.many.firstMs <= goalStart),
      ],
    );
  }
  log('');
  log(table(['figure', 'Wharf', 'reference', 'goal', ''], rows));
  log('');
  log(
    `medians of ${r.rounds} rounds (1,000-service starts: ${Math.min(r.rounds, 3)}); server pinned to CPU ${SERVER_CORE}; shared machine: compare ratios of one run.`,
  );
}
