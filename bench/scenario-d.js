#!/usr/bin/env node
/**
 * Scenario D — operations of a cluster (2 servers on PostgreSQL + Redis behind HAProxy, 1 worker
 * each), driven through the CLI and the admin API as a user would:
 *   1. start to first 200: `wharf start ENV` (ODB/Redis/HAProxy checks, both servers, the LB) →
 *      first 200 with the expected body through HAProxy (goal ≤ 3 s; issue 14);
 *   2. config change on server 1 → effective on server 2: PATCH a channel's urlPath through
 *      server1's admin API, poll server2 until the new path answers (p50/p99; goal p99 ≤ 50 ms);
 *   3. hot deploy → live on every server: deploy a new version of a module through server1's admin
 *      API, poll both servers until both answer with the new version (goal ≤ 500 ms);
 *   4. throughput through HAProxy with 2 servers vs 1 server directly (autocannon, its own process).
 *
 *   node bench/scenario-d.js            (needs `npm run build`, PostgreSQL 5432, Redis 6379, haproxy)
 * Environment: BENCH_D_ITER (config changes, default 100), BENCH_D_DEPLOYS (default 20),
 * BENCH_DURATION (s per throughput run, default 10), BENCH_CONNECTIONS (default 50), BENCH_KEEP=1.
 * Also exports `run(cfg, log)` / `report(result, log)` for bench/run.js.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from './lib/proc.js';
import { fmtInt, fmtMs, fmtRatio, median, table } from './lib/report.js';
import { BIN, ROOT, wharf } from './lib/wharf.js';

export const id = 'D';
export const title =
  'Operations: start to first 200, config change and hot deploy across servers, throughput via HAProxy';
export const GOALS = { startMs: 3000, configP99Ms: 50, deployMaxMs: 500 };

const HERE = import.meta.dirname;

function num(name, def) {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : def;
}

function pct(xs, p) {
  const v = [...xs].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)];
}

/** GET with a keep-alive agent per target; resolves { status, body }. */
const agents = new Map();
async function httpGet(url, timeoutMs = 2000) {
  const { Agent } = await import('node:http');
  const u = new URL(url);
  const key = u.host;
  if (!agents.has(key)) agents.set(key, new Agent({ keepAlive: true, maxSockets: 4 }));
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: agents.get(key), timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function until(fn, timeoutMs, what) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return performance.now();
    } catch {
      /* not yet */
    }
    if (performance.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(1);
  }
}

async function pgDatabase() {
  const pg = (await import('pg')).default;
  const name = `wharf_bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  return {
    name,
    async drop() {
      const d = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}

function versionModule(v) {
  return `import { service } from 'wharf';\nexport class Ver extends service({ name: 'bench.ver' }) {\n  async handle() {\n    return { v: ${v} };\n  }\n}\n`;
}
const PING = `import { service, text } from 'wharf';\nexport class Hello extends service({ name: 'bench.hello', input: { name: text().optional() } }) {\n  async handle() {\n    return { hello: this.input.name ?? 'world' };\n  }\n}\n`;
const HELLO_BODY = '{"hello":"world"}';

function autocannon(url, cfg) {
  const opts = {
    url,
    method: 'GET',
    connections: cfg.connections,
    warmupSeconds: cfg.warmupSeconds,
    durationSeconds: cfg.durationSeconds,
    expectBody: HELLO_BODY,
  };
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(HERE, 'lib/load.js'), JSON.stringify(opts)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) return rej(new Error(`load generator exited ${code}: ${err}`));
      try {
        res(JSON.parse(out.trim().split('\n').pop()).measured);
      } catch {
        rej(new Error(`unreadable load output: ${out}`));
      }
    });
  });
}

export async function run(cfg, log) {
  const iters = num('BENCH_D_ITER', 100);
  const deploys = num('BENCH_D_DEPLOYS', 20);
  const db = await pgDatabase();
  const parent = mkdtempSync(join(tmpdir(), 'wharf-bench-d-'));
  const dir = join(parent, 'env');
  const lbPort = await freePort();
  let basePort = await freePort();
  while (basePort + 1 === lbPort) basePort = await freePort();
  const result = { scenario: 'D', title, goals: GOALS, servers: 2, workersPerServer: 1 };
  try {
    const qs = await wharf(
      [
        'quickstart',
        'create',
        dir,
        'postgresql',
        '127.0.0.1',
        '5432',
        'postgres',
        db.name,
        '127.0.0.1',
        '6379',
        '--base-port',
        String(basePort),
        '--lb-port',
        String(lbPort),
        '--workers',
        '1',
        '--web-admin-port',
        String(await freePort()),
        '--cluster-name',
        `bench-${randomBytes(2).toString('hex')}`,
      ],
      {
        env: { ...process.env, WHARF_ODB_PASSWORD: '', WHARF_KVDB_PASSWORD: '' },
      },
    );
    const password = /password:\[([^\]]+)\]/.exec(qs.stdout)[1];
    const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    const s1 = `http://127.0.0.1:${basePort}`;
    const s2 = `http://127.0.0.1:${basePort + 1}`;
    const lb = `http://127.0.0.1:${lbPort}`;
    const admin = async (base, method, path, body) => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const t = await r.text();
      if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${t}`);
      return JSON.parse(t);
    };

    // Content, then a cold start measured from `wharf start` to the first 200 through HAProxy.
    await wharf(['start', dir, '--quiet']);
    await admin(s1, 'POST', '/wharf/admin/services', { name: 'hello.ts', source: PING });
    await admin(s1, 'POST', '/wharf/admin/services', { name: 'ver.ts', source: versionModule(0) });
    await admin(s1, 'POST', '/wharf/admin/config/channels.http', {
      name: 'hello',
      urlPath: '/hello',
      service: 'bench.hello',
      method: 'GET',
    });
    await admin(s1, 'POST', '/wharf/admin/config/channels.http', {
      name: 'ver',
      urlPath: '/ver',
      service: 'bench.ver',
      method: 'GET',
    });
    await admin(s1, 'POST', '/wharf/admin/config/channels.http', {
      name: 'probe',
      urlPath: '/probe/0',
      service: 'bench.hello',
      method: 'GET',
    });
    await wharf(['stop', dir]);
    const t0 = performance.now();
    const starting = spawn(process.execPath, [BIN, 'start', dir, '--quiet'], { cwd: ROOT, stdio: 'ignore' });
    const first200 = await until(
      async () => {
        const r = await httpGet(`${lb}/hello`, 1000);
        return r.status === 200 && r.body === HELLO_BODY;
      },
      120_000,
      'first 200 through HAProxy',
    );
    result.startToFirst200Ms = first200 - t0;
    await new Promise((r) => starting.on('exit', r));
    result.startReturnedMs = performance.now() - t0;
    log(
      `start to first 200 through HAProxy: ${fmtMs(result.startToFirst200Ms)} ms (goal ≤ ${GOALS.startMs} ms: ${result.startToFirst200Ms <= GOALS.startMs ? 'ok' : 'MISSED'}); \`wharf start\` returned after ${fmtMs(result.startReturnedMs)} ms`,
    );
    // Every server up behind HAProxy before measuring.
    await until(async () => (await httpGet(`${s2}/hello`)).status === 200, 30_000, 'server2');
    await sleep(1000);

    // Config change on server 1 → effective on server 2.
    const config = [];
    const adminMs = [];
    for (let i = 1; i <= iters; i++) {
      const path = `/probe/${i}`;
      const t = performance.now();
      const patched = admin(s1, 'PATCH', '/wharf/admin/config/channels.http/probe', { urlPath: path }).then(() =>
        adminMs.push(performance.now() - t),
      );
      const seen = await until(
        async () => (await httpGet(`${s2}${path}`)).status === 200,
        5000,
        `config change ${i} on server2`,
      );
      config.push(seen - t);
      await patched;
    }
    result.configChange = {
      n: iters,
      p50Ms: pct(config, 50),
      p99Ms: pct(config, 99),
      maxMs: Math.max(...config),
      adminCallP50Ms: pct(adminMs, 50),
    };
    log(
      `config change on server1 → effective on server2: p50 ${fmtMs(result.configChange.p50Ms)} ms, p99 ${fmtMs(result.configChange.p99Ms)} ms, max ${fmtMs(result.configChange.maxMs)} ms (n=${iters}; admin call itself p50 ${fmtMs(result.configChange.adminCallP50Ms)} ms)`,
    );

    // Hot deploy → live on every server.
    const dep = [];
    for (let v = 1; v <= deploys; v++) {
      const want = `{"v":${v}}`;
      const t = performance.now();
      const deployed = admin(s1, 'POST', '/wharf/admin/services', { name: 'ver.ts', source: versionModule(v) });
      const both = await Promise.all(
        [s1, s2].map((s) =>
          until(async () => (await httpGet(`${s}/ver`)).body === want, 10_000, `deploy ${v} on ${s}`),
        ),
      );
      dep.push(Math.max(...both) - t);
      await deployed;
    }
    result.hotDeploy = { n: deploys, p50Ms: pct(dep, 50), p99Ms: pct(dep, 99), maxMs: Math.max(...dep) };
    log(
      `hot deploy → live on both servers: p50 ${fmtMs(result.hotDeploy.p50Ms)} ms, max ${fmtMs(result.hotDeploy.maxMs)} ms (n=${deploys})`,
    );

    // Throughput: through HAProxy to 2 servers vs one server directly.
    const lbRun = await autocannon(`${lb}/hello`, cfg);
    const directRun = await autocannon(`${s1}/hello`, cfg);
    result.throughput = {
      viaHaprox2Servers: {
        reqPerSec: lbRun.reqPerSec,
        p50Ms: lbRun.latencyMs.p50,
        p99Ms: lbRun.latencyMs.p99,
        errors: lbRun.errors + lbRun.non2xx + lbRun.timeouts + lbRun.mismatches,
      },
      direct1Server: {
        reqPerSec: directRun.reqPerSec,
        p50Ms: directRun.latencyMs.p50,
        p99Ms: directRun.latencyMs.p99,
        errors: directRun.errors + directRun.non2xx + directRun.timeouts + directRun.mismatches,
      },
    };
    result.throughput.ratio = lbRun.reqPerSec / directRun.reqPerSec;
    result.meetsGoal =
      result.startToFirst200Ms <= GOALS.startMs &&
      result.configChange.p99Ms <= GOALS.configP99Ms &&
      result.hotDeploy.maxMs <= GOALS.deployMaxMs;
    return result;
  } finally {
    for (const a of agents.values()) a.destroy();
    agents.clear();
    await wharf(['stop', dir], { allowFail: true }).catch(() => undefined);
    if (process.env.BENCH_KEEP !== '1') {
      await db.drop().catch(() => undefined);
      rmSync(parent, { recursive: true, force: true });
    } else log(`kept: ${dir} (database ${db.name})`);
  }
}

export function report(r, log) {
  log('');
  log(
    table(
      ['measure', 'p50 ms', 'p99 ms', 'max ms', 'n', 'goal'],
      [
        [
          'config change server1 → server2',
          fmtMs(r.configChange.p50Ms),
          fmtMs(r.configChange.p99Ms),
          fmtMs(r.configChange.maxMs),
          String(r.configChange.n),
          `p99 ≤ ${GOALS.configP99Ms} ms ${r.configChange.p99Ms <= GOALS.configP99Ms ? 'MET' : 'MISSED'}`,
        ],
        [
          'hot deploy → live on both servers',
          fmtMs(r.hotDeploy.p50Ms),
          fmtMs(r.hotDeploy.p99Ms),
          fmtMs(r.hotDeploy.maxMs),
          String(r.hotDeploy.n),
          `≤ ${GOALS.deployMaxMs} ms ${r.hotDeploy.maxMs <= GOALS.deployMaxMs ? 'MET' : 'MISSED'}`,
        ],
        [
          'start → first 200 via HAProxy',
          fmtMs(r.startToFirst200Ms),
          '',
          '',
          '1',
          `≤ ${GOALS.startMs} ms ${r.startToFirst200Ms <= GOALS.startMs ? 'MET' : 'MISSED'}`,
        ],
      ],
      [1, 2, 3, 4],
    ),
  );
  log('');
  const t = r.throughput;
  log(
    table(
      ['system', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio'],
      [
        [
          'HAProxy → 2 servers (1 worker each)',
          fmtInt(t.viaHaprox2Servers.reqPerSec),
          fmtMs(t.viaHaprox2Servers.p50Ms),
          fmtMs(t.viaHaprox2Servers.p99Ms),
          fmtInt(t.viaHaprox2Servers.errors),
          fmtRatio(t.ratio),
        ],
        [
          'server1 directly (1 worker)',
          fmtInt(t.direct1Server.reqPerSec),
          fmtMs(t.direct1Server.p50Ms),
          fmtMs(t.direct1Server.p99Ms),
          fmtInt(t.direct1Server.errors),
          '1.00',
        ],
      ],
      [1, 2, 3, 4, 5],
    ),
  );
  log(
    "NOTE: everything (2 servers, HAProxy, PostgreSQL, Redis, the load generator) shares this machine's CPUs: the HAProxy ratio shows the cost of the extra hop here, not the scaling of separate machines.",
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const log = (l) => process.stdout.write(`${l}\n`);
  const cfg = {
    durationSeconds: num('BENCH_DURATION', 10),
    warmupSeconds: num('BENCH_WARMUP', 3),
    connections: num('BENCH_CONNECTIONS', 50),
  };
  log(`== Scenario D: ${title}`);
  const r = await run(cfg, log);
  report(r, log);
  const out = join(HERE, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'scenario-d.json'),
    `${JSON.stringify({ ...r, finishedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  log(`results: ${join(out, 'scenario-d.json')}`);
  process.exit(r.meetsGoal ? 0 : 1);
}

void median;
