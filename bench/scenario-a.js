/**
 * Scenario A — the ESB Performance Benchmark (esbperformance.org rounds 6-7): Direct Proxy and
 * Content-Based Routing on the SOAP body, the SOAP header and the transport header, 1 KB SOAP 1.1
 * requests, an echo backend on loopback. Measured in one run, alternating:
 *   - nginx as a reverse proxy, 1 worker          (the reference = 1.00, direct proxy only)
 *   - the client straight to the echo backend     (context: what the load core can do without a proxy)
 *   - a bare Node proxy, node:http + undici         (context: the floor any Node-based proxy works on)
 *   - Node-RED 4.1 (http in → [xml → switch] → http request → http response)
 *   - Wharf (HTTP channels, dataFormat plain → a service using passThrough / xpath / headers)
 *   - Wharf, routes (the same server; CBR by channel configuration: `routes` rules with a header or
 *     an XPath condition, `proxyTo` or a fixed SOAP Fault, no service; as Node-RED's switch node)
 * The system under test is pinned to CPU 1; autocannon (bench/lib/load.js) and the echo backend
 * share CPU 0. Every response body is compared (echo = the request; refused = the SOAP Fault).
 *
 *   node bench/scenario-a.js               (or through bench/run.js A)
 *   BENCH_FULL=1 adds c = 40, 80, 320 to c = 20, 160; BENCH_ECHO=node|nginx picks the backend
 *   (default nginx + echo module when installable, else Node); BENCH_A_SYSTEMS=nginx,wharf,... a subset;
 *   BENCH_A_PROFILE_KEYS=direct,transport,routes:transport: what is profiled (BENCH_PROFILE=on, or auto on
 *   a miss; `routes:` = the routes system).
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { post } from './lib/http.js';
import { analyseProfile } from './lib/profile.js';
import { describePids, freePort, sleep, waitQuiet } from './lib/proc.js';
import { fmtInt, fmtMs, fmtRatio, table } from './lib/report.js';
import { FAULT_BODY, FAULT_ROUTING, HEADERS, PAYLOAD, ROUTING, SCENARIOS, samplesFor } from './lib-extra/esb.js';
import {
  cpuWindow,
  errorsOf,
  LOAD_CORE,
  onInterrupt,
  median,
  rotate,
  runAutocannon,
  SERVER_CORE,
  sumErrors,
} from './lib-extra/measure.js';
import {
  ensureNginx,
  ensureNodeRed,
  FIXTURES,
  nodeRedInstalled,
  startNginx,
  startNodeEcho,
  startNodeProxy,
  startNodeRed,
} from './lib-extra/servers.js';
import { createWharfEnv } from './lib-extra/wharf-env.js';

export const id = 'A';
export const title =
  'ESB Performance Benchmark: direct proxy and CBR (SOAP body, SOAP header, transport header), 1 KB SOAP 1.1';
export const GOALS = { direct: 0.6, cbr: 0.5, vsNodeRed: 10 };
/** bench/run.js: this scenario prints its own tables and goal lines. */
export const selfReported = true;

const HERE = import.meta.dirname;
const LEVELS = process.env.BENCH_FULL === '1' ? [20, 40, 80, 160, 320] : [20, 160];
const NEXT_WARMUP_S = 2;

async function checkSamples(base, sys, keys) {
  const failed = [];
  let total = 0;
  for (const key of keys) {
    for (const s of samplesFor(key)) {
      total++;
      const path = pathOf(sys, key);
      try {
        const r = await post(`${base}${path}`, s.body, s.headers);
        if (r.status !== s.status || r.body !== s.expect)
          failed.push({
            scenario: key,
            case: s.name,
            want: `${s.status} ${s.expect.slice(0, 80)}…`,
            got: `${r.status} ${r.body.slice(0, 300)}`,
          });
      } catch (e) {
        failed.push({
          scenario: key,
          case: s.name,
          want: String(s.status),
          got: e instanceof Error ? e.message : String(e),
        });
      }
    }
  }
  return { total, failed };
}

// ---------------------------------------------------------------------------------------------
// Systems: start() → { pids(), stop() }; `paths` = scenario key → URL path on that system

function systems(ctx) {
  const all = [
    {
      name: 'nginx',
      label: 'nginx reverse proxy (1 worker)',
      keys: ['direct'],
      port: ctx.ports.nginx,
      start: () =>
        startNginx({
          template: 'nginx-proxy.conf',
          dir: join(ctx.tmp, 'nginx-proxy'),
          port: ctx.ports.nginx,
          echoPort: ctx.ports.echo,
          core: SERVER_CORE,
          nginx: ctx.nginx,
        }),
    },
    {
      name: 'backend',
      label: 'client → echo backend (no proxy)',
      keys: ['direct'],
      port: ctx.ports.echo,
      pathOf: () => '/echo',
      serverCore: LOAD_CORE,
      start: async () => ({ pids: () => ctx.echo.pids(), stop: async () => {} }),
    },
    {
      name: 'wharf',
      label: 'Wharf (1 worker)',
      keys: SCENARIOS.map((s) => s.key),
      port: ctx.ports.wharf,
      start: (extraEnv) => ctx.wharfEnv.start(SERVER_CORE, extraEnv),
    },
    {
      // The same Wharf environment; CBR by channel configuration (`routes`), no service: see ROUTES_YAML.
      name: 'wharf-routes',
      label: 'Wharf, routes (1 worker)',
      keys: SCENARIOS.filter((s) => s.key !== 'direct').map((s) => s.key),
      port: ctx.ports.wharf,
      pathOf: (key) => `/routes${SCENARIOS.find((s) => s.key === key).path}`,
      start: (extraEnv) => ctx.wharfEnv.start(SERVER_CORE, extraEnv),
    },
    {
      name: 'nodered',
      label: `Node-RED ${ctx.nodeRedVersion ?? ''}`.trim(),
      keys: SCENARIOS.map((s) => s.key),
      port: ctx.ports.nodered,
      skip: ctx.nodeRedVersion
        ? undefined
        : 'not installed (npm install --prefix bench/.peers node-red@4.1 failed or BENCH_NO_INSTALL=1)',
      start: () =>
        startNodeRed({
          dir: join(ctx.tmp, 'node-red'),
          port: ctx.ports.nodered,
          core: SERVER_CORE,
          flowsTemplate: 'node-red-flows.json',
          replacements: { ECHO_URL: `http://127.0.0.1:${ctx.ports.echo}/echo`, ROUTING, FAULT_BODY, FAULT_ROUTING },
          readyPath: '/proxy',
        }),
    },
    {
      name: 'nodeproxy',
      label: 'bare Node proxy (node:http + undici)',
      keys: ['direct'],
      port: ctx.ports.nodeproxy,
      start: () =>
        startNodeProxy({
          port: ctx.ports.nodeproxy,
          echoPort: ctx.ports.echo,
          core: SERVER_CORE,
          poolSize: Math.max(64, Math.max(...LEVELS)),
        }),
    },
  ];
  const only = process.env.BENCH_A_SYSTEMS?.split(',').map((s) => s.trim());
  return all.filter((s) => !only || only.includes(s.name) || s.name === 'nginx');
}

/** Scenario A's CBR as channel configuration: the first rule forwards, the second answers the Fault. */
const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const ROUTE_RULES = {
  body: { when: { xpath: '//order[1]/symbol', equals: 'IBM' }, fault: FAULT_BODY },
  soapheader: {
    when: {
      xpath: '/s:Envelope/s:Header/r:routing',
      namespaces: { s: SOAP11_NS, r: 'http://someuri' },
      equals: ROUTING,
    },
    fault: FAULT_ROUTING,
  },
  transport: { when: { header: 'routing', equals: ROUTING }, fault: FAULT_ROUTING },
};
const ROUTES_YAML = Object.entries(ROUTE_RULES)
  .map(([key, r]) => {
    const routes = [
      { when: r.when, proxyTo: 'echo-backend' },
      { reject: { status: 500, contentType: 'text/xml; charset=utf-8', body: r.fault } },
    ];
    return `    - name: esb-routes-${key}\n      urlPath: /routes${SCENARIOS.find((s) => s.key === key).path}\n      method: POST\n      dataFormat: plain\n      routes: ${JSON.stringify(routes)}\n`;
  })
  .join('');

const pathOf = (sys, key) => (sys.pathOf ? sys.pathOf(key) : SCENARIOS.find((s) => s.key === key).path);

async function measureOne(sys, key, c, warmupSeconds, cfg, inst) {
  const url = `http://127.0.0.1:${sys.port}${pathOf(sys, key)}`;
  const win = cpuWindow(inst.pids, sys.serverCore ?? SERVER_CORE);
  const load = await runAutocannon(
    {
      url,
      method: 'POST',
      headers: HEADERS,
      body: PAYLOAD,
      connections: c,
      warmupSeconds,
      durationSeconds: cfg.durationSeconds,
      expectBody: PAYLOAD,
    },
    win,
  );
  const cpu = win.result();
  const after = await post(url, PAYLOAD, HEADERS).catch((e) => ({ status: 0, body: String(e) }));
  const m = load.measured;
  return {
    system: sys.name,
    scenario: key,
    connections: c,
    reqPerSec: m.reqPerSec,
    p50Ms: m.latencyMs.p50,
    p99Ms: m.latencyMs.p99,
    requests: m.requests,
    errors: errorsOf(load),
    postLoadSampleOk: after.status === 200 && after.body === PAYLOAD,
    cpu,
    reqPerServerCpuSecond: cpu && cpu.serverCpuSeconds > 0 ? m.requests / cpu.serverCpuSeconds : NaN,
  };
}

async function round(sys, cfg, log, rIndex) {
  const quiet =
    cfg.quietMaxMs > 0 ? await waitQuiet({ threshold: cfg.quietThreshold, maxMs: cfg.quietMaxMs }) : undefined;
  const inst = await sys.start();
  const out = [];
  try {
    const checks = await checkSamples(
      `http://127.0.0.1:${sys.port}`,
      sys,
      sys.keys.filter(() => sys.name !== 'backend'),
    );
    if (sys.name === 'backend') {
      const r = await post(`http://127.0.0.1:${sys.port}/echo`, PAYLOAD, HEADERS).catch((e) => ({
        status: 0,
        body: String(e),
      }));
      checks.total++;
      if (r.status !== 200 || r.body !== PAYLOAD)
        checks.failed.push({ scenario: 'direct', case: 'echo', got: `${r.status} ${r.body.slice(0, 200)}` });
    }
    log(
      `  ${sys.label}: ${quiet ? `machine ${Math.round(quiet.busy * 100)}% busy before start; ` : ''}sample checks ${checks.total - checks.failed.length}/${checks.total}${checks.failed.length ? ` FAILED: ${JSON.stringify(checks.failed.slice(0, 3))}` : ''}`,
    );
    let first = true;
    for (const key of sys.keys) {
      for (const c of LEVELS) {
        const r = await measureOne(
          sys,
          key,
          c,
          first ? cfg.warmupSeconds : Math.min(NEXT_WARMUP_S, cfg.warmupSeconds),
          cfg,
          inst,
        );
        first = false;
        r.round = rIndex;
        r.checksFailed = checks.failed.filter((f) => f.scenario === key);
        out.push(r);
        log(
          `    ${key.padEnd(10)} c=${String(c).padStart(3)}: ${fmtInt(r.reqPerSec).padStart(7)} req/s, p50 ${fmtMs(r.p50Ms)} ms, p99 ${fmtMs(r.p99Ms)} ms, errors ${sumErrors(r.errors)}` +
            `${r.postLoadSampleOk ? '' : ' (post-load sample WRONG)'}; server ${r.cpu ? Math.round(r.cpu.serverCoreShare * 100) : '?'}% of CPU ${sys.serverCore ?? SERVER_CORE} (others ${r.cpu ? Math.round(r.cpu.otherOnServerCore * 100) : '?'}%), ${fmtInt(r.reqPerServerCpuSecond)} req/CPU-s`,
        );
      }
    }
  } finally {
    await inst.stop();
  }
  return out;
}

function summarise(rows, sys, key, c) {
  const rs = rows.filter((r) => r.system === sys && r.scenario === key && r.connections === c);
  if (!rs.length) return undefined;
  const errs = rs.reduce(
    (a, r) => ({
      non2xx: a.non2xx + r.errors.non2xx,
      errors: a.errors + r.errors.errors,
      timeouts: a.timeouts + r.errors.timeouts,
      mismatches: a.mismatches + r.errors.mismatches,
    }),
    { non2xx: 0, errors: 0, timeouts: 0, mismatches: 0 },
  );
  const checksFailed = rs.flatMap((r) => r.checksFailed);
  const badSamples = rs.filter((r) => !r.postLoadSampleOk).length;
  return {
    system: sys,
    scenario: key,
    connections: c,
    reqPerSec: median(rs.map((r) => r.reqPerSec)),
    reqPerSecRounds: rs.map((r) => Math.round(r.reqPerSec)),
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    reqPerServerCpuSecond: median(rs.map((r) => r.reqPerServerCpuSecond)),
    serverCoreShare: median(rs.map((r) => r.cpu?.serverCoreShare)),
    otherOnServerCore: median(rs.map((r) => r.cpu?.otherOnServerCore)),
    errorCounts: errs,
    checksFailed,
    postLoadSamplesBad: badSamples,
    errorsTotal: sumErrors(errs) + checksFailed.length + badSamples,
  };
}

/** One extra Wharf run under the V8 sampling profiler (bench/lib/cpu-profile.js), scenario `key` at c. */
async function profileWharf(sys, key, c, cfg, outDir, log) {
  mkdirSync(outDir, { recursive: true });
  const preload = pathToFileURL(join(HERE, 'lib/cpu-profile.js')).href;
  log(`profiling Wharf on ${key} at c=${c}: NODE_OPTIONS=--import=${preload}; not in the table`);
  const inst = await sys.start({
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(),
    BENCH_CPU_PROF_DIR: outDir,
  });
  let target;
  let load;
  let win;
  try {
    target = inst.pids().find((p) => /worker-main/.test(describePids([p])[0].cmd));
    if (!target) return { error: 'no worker process found' };
    const mark = () => process.kill(target, 'SIGUSR2');
    win = cpuWindow(() => [target]);
    load = await runAutocannon(
      {
        url: `http://127.0.0.1:${sys.port}${pathOf(sys, key)}`,
        method: 'POST',
        headers: HEADERS,
        body: PAYLOAD,
        connections: c,
        warmupSeconds: cfg.warmupSeconds,
        durationSeconds: cfg.durationSeconds,
        expectBody: PAYLOAD,
      },
      { start: () => (mark(), win.start()), end: () => (mark(), win.end()) },
    );
    const deadline = Date.now() + 15_000;
    while (!existsSync(join(outDir, `CPU.${target}.2.cpuprofile`)) && Date.now() < deadline) await sleep(100);
  } finally {
    await inst.stop();
  }
  const file = join(outDir, `CPU.${target}.2.cpuprofile`);
  if (!existsSync(file)) return { error: `no profile of the measured window in ${outDir}` };
  rmSync(join(outDir, `CPU.${target}.1.cpuprofile`), { force: true });
  const renamed = join(outDir, `${sys.name}-${key}-c${c}.cpuprofile`);
  renameSync(file, renamed);
  const a = analyseProfile(renamed, 20);
  const cpu = win.result();
  const cpuUsPerRequest = cpu ? (cpu.serverCpuSeconds * 1e6) / load.measured.requests : NaN;
  return {
    scenario: key,
    connections: c,
    reqPerSecUnderProfiler: load.measured.reqPerSec,
    cpuUsPerRequest: +cpuUsPerRequest.toFixed(2),
    ...a,
    buckets: a.buckets.map((b) => ({ ...b, usPerRequest: +((b.selfPct / 100) * cpuUsPerRequest).toFixed(2) })),
  };
}

export async function run(cfg, log = (l) => process.stdout.write(`${l}\n`)) {
  const tmp = mkdtempSync(join(tmpdir(), 'wharf-bench-a-'));
  const result = {
    scenario: 'A',
    title,
    goals: GOALS,
    levels: LEVELS,
    config: { ...cfg },
    payloadBytes: Buffer.byteLength(PAYLOAD),
    selfReported: true,
  };
  let echo;
  let wharfEnv;
  const unregister = onInterrupt(() => rmSync(tmp, { recursive: true, force: true }));
  try {
    // --- peers
    const ng = ensureNginx({ echoModule: process.env.BENCH_ECHO !== 'node', log });
    if (!ng.nginx)
      throw new Error(
        `nginx is not installed and could not be installed${ng.note ? ` (${ng.note})` : ''}: it is scenario A's reference`,
      );
    const nodeRedVersion = ensureNodeRed({ log }) ?? nodeRedInstalled();
    const ports = {
      echo: await freePort(),
      nginx: await freePort(),
      wharf: await freePort(),
      nodered: await freePort(),
      nodeproxy: await freePort(),
    };
    const echoKind = process.env.BENCH_ECHO === 'node' || !ng.echoModule ? 'node' : 'nginx';
    echo =
      echoKind === 'nginx'
        ? await startNginx({
            template: 'nginx-echo.conf',
            dir: join(tmp, 'nginx-echo'),
            port: ports.echo,
            core: LOAD_CORE,
            nginx: ng.nginx,
          })
        : await startNodeEcho({ port: ports.echo, core: LOAD_CORE });
    result.echoBackend =
      echoKind === 'nginx'
        ? 'nginx + echo module (echo_read_request_body; echo -n $request_body), 1 worker, CPU 0'
        : 'Node http echo server (bench/lib-extra/echo-server.js), CPU 0';
    log(
      `echo backend: ${result.echoBackend}, port ${ports.echo}; payload ${result.payloadBytes} bytes; c = ${LEVELS.join(', ')}`,
    );

    // --- Wharf environment through the CLI
    const maxC = Math.max(...LEVELS);
    wharfEnv = await createWharfEnv({
      prefix: 'a',
      port: ports.wharf,
      modules: [join(FIXTURES, 'wharf-esb-services.js')],
      yaml: `outgoing:
  http:
    - name: echo-backend
      address: http://127.0.0.1:${ports.echo}
      path: /echo
      method: POST
      dataFormat: raw
      poolSize: ${Math.max(64, maxC)}
      timeoutMs: 10000
channels:
  http:
${SCENARIOS.map((s) => `    - name: esb-${s.key}\n      urlPath: ${s.path}\n      method: POST\n      ${s.key === 'direct' ? 'proxyTo: echo-backend' : `service: ${{ body: 'esb.cbr.body', soapheader: 'esb.cbr.soapheader', transport: 'esb.cbr.transport' }[s.key]}`}\n      dataFormat: plain\n`).join('')}${ROUTES_YAML}`,
      log,
    });
    const ctx = { tmp, ports, nginx: ng.nginx, echo, wharfEnv, nodeRedVersion };
    const syss = systems(ctx);
    const active = syss.filter((s) => !s.skip);
    for (const s of syss.filter((x) => x.skip)) log(`${s.label}: skipped — ${s.skip}`);

    const rows = [];
    for (let i = 0; i < cfg.rounds; i++) {
      for (const sys of rotate(active, i)) {
        log(`round ${i + 1}/${cfg.rounds}: ${sys.label}`);
        rows.push(...(await round(sys, cfg, log, i + 1)));
      }
    }
    result.rounds = rows;
    const sums = [];
    for (const sys of active)
      for (const key of sys.keys) for (const c of LEVELS) sums.push(summarise(rows, sys.name, key, c));
    result.systems = sums.filter(Boolean).map((s) => ({ ...s, label: syss.find((x) => x.name === s.system).label }));
    result.skipped = syss.filter((s) => s.skip).map((s) => ({ system: s.name, reason: s.skip }));

    // --- goals
    const get = (sys, key, c) =>
      result.systems.find((s) => s.system === sys && s.scenario === key && s.connections === c);
    const goals = [];
    for (const c of LEVELS) {
      const ngx = get('nginx', 'direct', c);
      for (const sc of SCENARIOS) {
        const nr = get('nodered', sc.key, c);
        for (const [sys, how] of [
          ['wharf', sc.key === 'direct' ? '' : ' (service)'],
          ['wharf-routes', ' (routes)'],
        ]) {
          const w = get(sys, sc.key, c);
          if (!w) continue;
          const goal = sc.key === 'direct' ? GOALS.direct : GOALS.cbr;
          if (ngx)
            goals.push({
              what: `${sc.label}: Wharf${how} / nginx direct`,
              connections: c,
              ratio: w.reqPerSec / ngx.reqPerSec,
              goal,
              perCpu: w.reqPerServerCpuSecond / ngx.reqPerServerCpuSecond,
            });
          if (nr)
            goals.push({
              what: `${sc.label}: Wharf${how} / Node-RED`,
              connections: c,
              ratio: w.reqPerSec / nr.reqPerSec,
              goal: GOALS.vsNodeRed,
              perCpu: w.reqPerServerCpuSecond / nr.reqPerServerCpuSecond,
            });
        }
      }
    }
    for (const g of goals) g.met = g.ratio >= g.goal;
    result.goalChecks = goals;
    result.meetsGoals = goals.every((g) => g.met);
    result.errorsTotal = result.systems.reduce((a, s) => a + s.errorsTotal, 0);

    // --- profile when Wharf misses a goal against nginx (or BENCH_PROFILE=on)
    const missed = goals.filter((g) => !g.met && g.what.includes('nginx'));
    if (cfg.profile === 'on' || (cfg.profile === 'auto' && missed.length)) {
      const dir = resolve(cfg.resultsDir, 'profile-a');
      rmSync(dir, { recursive: true, force: true });
      const prof = [];
      const c = LEVELS.includes(160) ? 160 : LEVELS[LEVELS.length - 1];
      // `routes:transport` profiles the routes system; a bare key, the services.
      for (const k of (process.env.BENCH_A_PROFILE_KEYS ?? 'direct,body').split(',').map((x) => x.trim())) {
        const [name, key] = k.startsWith('routes:') ? ['wharf-routes', k.slice(7)] : ['wharf', k];
        const wsys = active.find((s) => s.name === name && s.keys.includes(key));
        prof.push(
          wsys
            ? await profileWharf(wsys, key, c, cfg, dir, log)
            : { error: `${k}: no active Wharf system measures it (BENCH_A_SYSTEMS)` },
        );
      }
      result.profiles = prof;
      reportProfiles(prof, log);
    }
    return result;
  } finally {
    unregister();
    if (echo) await echo.stop();
    if (wharfEnv) await wharfEnv.destroy(cfg.keep);
    if (!cfg.keep) rmSync(tmp, { recursive: true, force: true });
  }
}

export function report(r, log) {
  const ref = (c) => r.systems.find((s) => s.system === 'nginx' && s.scenario === 'direct' && s.connections === c);
  const rows = [];
  for (const c of r.levels) {
    for (const sc of SCENARIOS) {
      for (const s of r.systems.filter((x) => x.scenario === sc.key && x.connections === c)) {
        const n = ref(c);
        rows.push([
          `A ${sc.label}`,
          String(c),
          s.label,
          fmtInt(s.reqPerSec),
          fmtMs(s.p50Ms),
          fmtMs(s.p99Ms),
          fmtInt(s.errorsTotal),
          n ? fmtRatio(s.reqPerSec / n.reqPerSec) : '-',
          fmtInt(s.reqPerServerCpuSecond),
          s.system === 'backend'
            ? 'n/a'
            : `${Math.round(s.serverCoreShare * 100)}%/${Math.round(s.otherOnServerCore * 100)}%`,
          s.reqPerSecRounds.map(fmtInt).join(' / '),
        ]);
      }
    }
  }
  for (const s of r.skipped ?? []) rows.push(['A', '', s.system, 'skipped', '', '', '', '', '', '', s.reason]);
  log('');
  log(
    table(
      [
        'scenario',
        'c',
        'system',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'ratio',
        'req/CPU-s',
        'core/others',
        'req/s per round',
      ],
      rows,
      [1, 3, 4, 5, 6, 7, 8],
    ),
  );
  log('');
  log(
    `ratio = req/s ÷ nginx direct proxy req/s at the same c (medians of ${r.config.rounds} alternated rounds); echo backend: ${r.echoBackend}; request ${r.payloadBytes} B SOAP 1.1`,
  );
  log(
    'core/others = share of CPU 1 the server used / share other processes took during the measured window (the client → echo row runs on CPU 0 with autocannon)',
  );
  for (const g of r.goalChecks)
    log(
      `${g.what} at c=${g.connections} = ${fmtRatio(g.ratio)} (goal ≥ ${g.goal.toFixed(2)})${g.met ? '' : '  — BELOW GOAL'}   [per server CPU-second: ${fmtRatio(g.perCpu)}]`,
    );
  log(r.meetsGoals ? 'all scenario A goals met' : 'scenario A: some goals NOT met');
  const bad = r.systems.filter((s) => s.errorsTotal > 0);
  for (const s of bad)
    log(
      `  errors ${s.label} ${s.scenario} c=${s.connections}: ${JSON.stringify(s.errorCounts)}${s.checksFailed.length ? `; failed checks: ${JSON.stringify(s.checksFailed.slice(0, 3))}` : ''}${s.postLoadSamplesBad ? `; bad post-load samples: ${s.postLoadSamplesBad}` : ''}`,
    );
  log(
    'errors = non-2xx + socket errors + timeouts + body mismatches (every body compared with the echoed request) + failed sample checks (IBM → echo, non-IBM / wrong routing → SOAP Fault 500), warm-up included',
  );
}

function reportProfiles(profiles, log) {
  for (const p of profiles) {
    log('');
    if (p.error) {
      log(`profile: ${p.error}`);
      continue;
    }
    log(
      `Profile of the Wharf worker, ${p.scenario} at c=${p.connections}: ${fmtInt(p.reqPerSecUnderProfiler)} req/s under the profiler, ${fmtMs(p.cpuUsPerRequest)} µs CPU per request: ${p.file}`,
    );
    log(
      table(
        ['bucket', 'self ms', 'self %', 'µs/req'],
        p.buckets
          .slice(0, 10)
          .map((b) => [b.bucket, b.selfMs.toFixed(1), b.selfPct.toFixed(1), b.usPerRequest.toFixed(2)]),
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
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { runStandalone } = await import('./lib-extra/main.js');
  await runStandalone({ id, title, run, report });
}
