/**
 * Scenario C — the seed's dispatcher: `invoice.dispatcher` (examples/invoice-dispatcher.ts, deployed
 * as is) with two targets, through Wharf (HTTP JSON channel → service → Swift connection, poolSize ≥
 * concurrency) against a real OpenStack Swift (scripts/swift-aio.sh, tempauth test:tester), versus
 * the same two PUTs issued by a bare pooled undici client. The ESB's own overhead on real I/O.
 *
 * One "dispatch" = one POST to Wharf (which PUTs the invoice into 2 containers) = 2 PUTs by the bare
 * client. Both are driven by bench/lib-extra/loop-load.js (closed loop, c = 8 by default,
 * BENCH_C_CONNECTIONS) pinned to CPU 0; Wharf is pinned to CPU 1; Swift runs where it runs (its
 * processes are not ours). After every run both objects are read back and compared with the body.
 *
 *   node bench/scenario-c.js   (or bench/run.js C)
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { post } from './lib/http.js';
import { freePort, waitQuiet } from './lib/proc.js';
import { fmtInt, fmtMs, fmtRatio, table } from './lib/report.js';
import { cpuWindow, median, onInterrupt, rotate, runWorker } from './lib-extra/measure.js';
import { profiledRun, reportProfile } from './lib-extra/profile-run.js';
import { BENCH, ROOT } from './lib-extra/servers.js';
import { createWharfEnv } from './lib-extra/wharf-env.js';

export const id = 'C';
export const title =
  "The seed's dispatcher: invoice.dispatcher with 2 targets → Swift, vs the same PUTs by a bare pooled undici client";
export const GOAL = 0.9;
export const selfReported = true;

const SERVER_CORE = 1;
const AUTH_URL = process.env.SWIFT_AUTH_URL ?? 'http://127.0.0.1:8080/auth/v1.0';
const USER = process.env.SWIFT_USER ?? 'test:tester';
const KEY = process.env.SWIFT_KEY ?? 'testing';
const CONNECTIONS = Number(process.env.BENCH_C_CONNECTIONS ?? 8);
const OBJECT = 'Invoice';
const CONTAINERS = {
  wharf: ['bench-c-wharf-crm', 'bench-c-wharf-billing'],
  bare: ['bench-c-bare-crm', 'bench-c-bare-billing'],
};
const INVOICE = JSON.stringify({
  id: 'INV-2026-000123',
  issued: '2026-11-28',
  customer: { id: 42, name: 'Example Trading Ltd', vat: 'GB123456789' },
  lines: [
    { sku: 'A-100', description: 'Widget, large', qty: 2, unitPrice: '19.90' },
    { sku: 'B-200', description: 'Service hours', qty: 5, unitPrice: '80.00' },
  ],
  total: '439.80',
  currency: 'EUR',
});

async function auth() {
  const r = await request(AUTH_URL, { headers: { 'x-auth-user': USER, 'x-auth-key': KEY } });
  await r.body.dump();
  if (r.statusCode >= 300) throw new Error(`Swift auth at ${AUTH_URL} answered ${r.statusCode}`);
  return { storageUrl: String(r.headers['x-storage-url']), token: String(r.headers['x-auth-token']) };
}

async function ensureSwift(log) {
  try {
    return await auth();
  } catch (e) {
    log(`Swift does not answer (${e instanceof Error ? e.message : e}); starting it: bash scripts/swift-aio.sh up`);
    const r = spawnSync('bash', [join(ROOT, 'scripts/swift-aio.sh'), 'up'], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0)
      throw new Error(
        `scripts/swift-aio.sh up failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`,
      );
    return auth();
  }
}

async function swiftCall(s, method, path, body) {
  const r = await request(`${s.storageUrl}${path}`, { method, headers: { 'x-auth-token': s.token }, body });
  const text = await r.body.text();
  return { status: r.statusCode, body: text };
}

/** Both objects of a system hold exactly the invoice. */
async function verifyObjects(s, containers) {
  const bad = [];
  for (const c of containers) {
    const r = await swiftCall(s, 'GET', `/${c}/${OBJECT}`);
    if (r.status !== 200 || r.body !== INVOICE) bad.push(`${c}/${OBJECT}: HTTP ${r.status} ${r.body.slice(0, 120)}`);
  }
  return bad;
}

async function resetObjects(s, containers) {
  for (const c of containers) {
    await swiftCall(s, 'PUT', `/${c}`);
    await swiftCall(s, 'DELETE', `/${c}/${OBJECT}`);
  }
}

async function cleanup(s, log) {
  for (const c of [...CONTAINERS.wharf, ...CONTAINERS.bare]) {
    await swiftCall(s, 'DELETE', `/${c}/${OBJECT}`).catch(() => undefined);
    const r = await swiftCall(s, 'DELETE', `/${c}`).catch((e) => ({ status: 0, body: String(e) }));
    if (![204, 404].includes(r.status)) log(`cleanup: DELETE container ${c} → ${r.status} ${r.body.slice(0, 100)}`);
  }
}

export async function run(cfg, log = (l) => process.stdout.write(`${l}\n`)) {
  const result = {
    scenario: 'C',
    title,
    goal: GOAL,
    connections: CONNECTIONS,
    config: { ...cfg },
    bodyBytes: Buffer.byteLength(INVOICE),
    selfReported: true,
  };
  const swift = await ensureSwift(log);
  log(`Swift: ${AUTH_URL} (${USER}), storage ${swift.storageUrl}; invoice ${result.bodyBytes} B; c = ${CONNECTIONS}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/invoice.dispatcher?target=${CONTAINERS.wharf.join('&target=')}`;
  let wharfEnv;
  const unregister = onInterrupt(() => cleanup(swift, () => {}));
  try {
    await resetObjects(swift, [...CONTAINERS.wharf, ...CONTAINERS.bare]);
    let expectBody;
    wharfEnv = await createWharfEnv({
      prefix: 'c',
      port,
      modules: [join(ROOT, 'examples/invoice-dispatcher.ts')],
      yaml: `cloud:
  openstackSwift:
    - name: Invoice Dispatcher
      authUrl: ${AUTH_URL}
      authVersion: 1
      user: ${USER}
      key: ${KEY}
      poolSize: ${Math.max(16, CONNECTIONS * 2)}
      createMissingContainers: true
channels:
  http:
    - name: invoice-dispatcher
      urlPath: /invoice.dispatcher
      method: POST
      service: invoice.dispatcher
      dataFormat: json
`,
      ready: async () => {
        const r = await post(url, INVOICE);
        if (r.status !== 200) throw new Error(`invoice.dispatcher answered ${r.status} ${r.body.slice(0, 300)}`);
        expectBody = r.body;
        const bad = await verifyObjects(swift, CONTAINERS.wharf);
        if (bad.length) throw new Error(`after one dispatch through Wharf: ${bad.join('; ')}`);
      },
      log,
    });
    log(`Wharf answers 200 ${JSON.stringify(expectBody)}; both objects verified in Swift`);

    const W = {
      name: 'wharf',
      label: 'Wharf: HTTP channel → invoice.dispatcher → Swift',
      async start() {
        return wharfEnv.start(SERVER_CORE);
      },
      opts: () => ({ mode: 'http', url, body: INVOICE, expectStatus: 200, expectBody }),
      containers: CONTAINERS.wharf,
    };
    const B = {
      name: 'bare',
      label: 'bare undici Pool: the same 2 PUTs',
      async start() {
        return { pids: () => [], stop: async () => {} };
      },
      opts: async () => {
        const s = await auth();
        return {
          mode: 'swift',
          storageUrl: s.storageUrl,
          token: s.token,
          containers: CONTAINERS.bare,
          object: OBJECT,
          body: INVOICE,
          poolSize: Math.max(16, CONNECTIONS * 2),
        };
      },
      containers: CONTAINERS.bare,
    };
    const rows = [];
    for (let i = 0; i < cfg.rounds; i++) {
      for (const sys of rotate([W, B], i)) {
        const quiet =
          cfg.quietMaxMs > 0 ? await waitQuiet({ threshold: cfg.quietThreshold, maxMs: cfg.quietMaxMs }) : undefined;
        await resetObjects(swift, sys.containers);
        const inst = await sys.start();
        let load;
        let cpu;
        try {
          const win = cpuWindow(inst.pids);
          load = await runWorker(
            join(BENCH, 'lib-extra/loop-load.js'),
            {
              ...(await sys.opts()),
              connections: CONNECTIONS,
              warmupSeconds: cfg.warmupSeconds,
              durationSeconds: cfg.durationSeconds,
            },
            win,
          );
          cpu = win.result();
        } finally {
          await inst.stop();
        }
        const bad = await verifyObjects(swift, sys.containers);
        const m = load.measured;
        const errors = m.errors + (load.warmup?.errors ?? 0) + bad.length;
        rows.push({
          round: i + 1,
          system: sys.name,
          clientCpuUsPerOp: m.clientCpuUsPerOp,
          dispatchesPerSec: m.opsPerSec,
          dispatches: m.ops,
          p50Ms: m.latencyMs.p50,
          p99Ms: m.latencyMs.p99,
          errors,
          errorSamples: [...m.errorSamples, ...(load.warmup?.errorSamples ?? []), ...bad],
          cpu,
          quiet,
        });
        log(
          `round ${i + 1}/${cfg.rounds} ${sys.label}: ${m.opsPerSec.toFixed(0)} dispatches/s (${(2 * m.opsPerSec).toFixed(0)} PUT/s), p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, errors ${errors}` +
            `${cpu && sys.name === 'wharf' ? `; Wharf used ${Math.round(cpu.serverCoreShare * 100)}% of CPU 1 (${((cpu.serverCpuSeconds * 1e6) / Math.max(1, m.ops)).toFixed(0)} µs CPU per dispatch)` : ''}` +
            `; the ${sys.name === 'wharf' ? 'load generator' : 'bare client'} used ${m.clientCpuUsPerOp} µs CPU per dispatch` +
            `${errors ? ` — ${[...m.errorSamples, ...bad].slice(0, 3).join(' | ')}` : ''}`,
        );
      }
    }
    result.rounds = rows;
    const sum = (name) => {
      const rs = rows.filter((r) => r.system === name);
      return {
        system: name,
        label: name === 'wharf' ? W.label : B.label,
        dispatchesPerSec: median(rs.map((r) => r.dispatchesPerSec)),
        rounds: rs.map((r) => Math.round(r.dispatchesPerSec)),
        p50Ms: median(rs.map((r) => r.p50Ms)),
        p99Ms: median(rs.map((r) => r.p99Ms)),
        errorsTotal: rs.reduce((a, r) => a + r.errors, 0),
        wharfCpuUsPerDispatch:
          name === 'wharf'
            ? median(rs.map((r) => (r.cpu ? (r.cpu.serverCpuSeconds * 1e6) / Math.max(1, r.dispatches) : NaN)))
            : undefined,
        clientCpuUsPerDispatch: median(rs.map((r) => r.clientCpuUsPerOp)),
      };
    };
    result.systems = [sum('wharf'), sum('bare')];
    result.ratio = result.systems[0].dispatchesPerSec / result.systems[1].dispatchesPerSec;
    result.ratioRounds = rows
      .filter((r) => r.system === 'wharf')
      .map(
        (w) =>
          +(w.dispatchesPerSec / rows.find((b) => b.system === 'bare' && b.round === w.round).dispatchesPerSec).toFixed(
            3,
          ),
      );
    result.meetsGoal = result.ratio >= GOAL;
    result.errorsTotal = result.systems.reduce((a, s) => a + s.errorsTotal, 0);

    // One profiled Wharf run when it misses its goal (or BENCH_PROFILE=on): where its CPU goes.
    if (cfg.profile === 'on' || (cfg.profile === 'auto' && !result.meetsGoal)) {
      const outDir = resolve(cfg.resultsDir, 'profile-c');
      rmSync(outDir, { recursive: true, force: true });
      log('');
      log(
        `profiling Wharf (NODE_OPTIONS=--import=bench/lib/cpu-profile.js), ${cfg.warmupSeconds}+${cfg.durationSeconds} s; not in the table`,
      );
      await resetObjects(swift, CONTAINERS.wharf);
      result.profile = await profiledRun({
        start: (env) => wharfEnv.start(SERVER_CORE, env),
        drive: async (_inst, hooks) => {
          const load = await runWorker(
            join(BENCH, 'lib-extra/loop-load.js'),
            {
              ...W.opts(),
              connections: CONNECTIONS,
              warmupSeconds: cfg.warmupSeconds,
              durationSeconds: cfg.durationSeconds,
            },
            hooks,
          );
          log(
            `  under the profiler: ${load.measured.opsPerSec.toFixed(0)} dispatches/s, errors ${load.measured.errors}`,
          );
          return { ops: load.measured.ops };
        },
        outDir,
        name: 'wharf-dispatcher',
      });
      reportProfile(result.profile, log, 'dispatch');
    }
    return result;
  } finally {
    unregister();
    if (wharfEnv) await wharfEnv.destroy(cfg.keep);
    await cleanup(swift, log).catch((e) => log(`cleanup failed: ${e}`));
  }
}

export function report(r, log) {
  const ref = r.systems.find((s) => s.system === 'bare');
  log('');
  log(
    table(
      ['scenario', 'system', 'dispatches/s', 'PUT/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'dispatches/s per round'],
      r.systems.map((s) => [
        'C',
        s.label,
        fmtInt(s.dispatchesPerSec),
        fmtInt(2 * s.dispatchesPerSec),
        fmtMs(s.p50Ms),
        fmtMs(s.p99Ms),
        fmtInt(s.errorsTotal),
        fmtRatio(s.dispatchesPerSec / ref.dispatchesPerSec),
        s.rounds.map(fmtInt).join(' / '),
      ]),
      [2, 3, 4, 5, 6, 7],
    ),
  );
  log('');
  log(
    `Wharf / bare undici = ${fmtRatio(r.ratio)} (goal ≥ ${r.goal.toFixed(2)})${r.meetsGoal ? '' : '  — BELOW GOAL'}   [per round: ${r.ratioRounds.map(fmtRatio).join(', ')}]   c = ${r.connections}, medians of ${r.config.rounds} alternated rounds`,
  );
  const w = r.systems.find((s) => s.system === 'wharf');
  const b = r.systems.find((s) => s.system === 'bare');
  if (Number.isFinite(w.wharfCpuUsPerDispatch))
    log(
      `CPU per dispatch: Wharf ${fmtInt(w.wharfCpuUsPerDispatch)} µs (HTTP in, JSON parse, SimpleIO, 2 Swift PUTs with MD5, reply; primary + worker) vs the bare client ${fmtInt(b.clientCpuUsPerDispatch)} µs (2 PUTs with MD5)`,
    );
  log(
    'errors = failed requests (non-200 from Wharf / non-201/202 or wrong ETag from Swift) + objects that did not read back as the invoice after the run',
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { runStandalone } = await import('./lib-extra/main.js');
  await runStandalone({ id, title, run, report });
}
