#!/usr/bin/env node
/**
 * `npm run chaos`: a real cluster (2 servers × 2 workers on PostgreSQL + Redis, HAProxy in front,
 * made with the CLI's quickstart cluster form) under a steady keep-alive HTTP load through HAProxy
 * and a steady, countable AMQP flow; then, one after the other: kill -9 a worker, kill -9 a server's
 * primary, a blocked service, restart Redis, restart RabbitMQ's app, stop Swift for 10 s, restart the
 * ODB's PostgreSQL. Prints a table (HTTP failed, AMQP lost/duplicated, time to recover, config drift,
 * goals) and writes bench/results/chaos.json.
 *
 * Redis, PostgreSQL and RabbitMQ are private instances on free loopback ports (bench/lib-chaos/
 * private-services.js): the machine's shared servers are never restarted.
 *
 *   npm run build && npm run chaos
 *   node bench/chaos.js --only worker-kill      (one event; repeatable flag)
 * Environment: CHAOS_CONCURRENCY (HTTP loops, default 8), CHAOS_RATE (AMQP messages/s, default 50),
 * CHAOS_BLOCKED_MS (the watchdog limit written to each server.yaml, default 5000), CHAOS_KEEP=1,
 * CHAOS_SPARE=1|0 (watchdog.spare: a pre-started spare worker takes a dead worker's place; default on
 * when blocked-service is among the events, so `node bench/chaos.js --only blocked-service` measures it).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declareQueues, drain, startPublisher, startSink, tally } from './lib-chaos/amqp-flow.js';
import {
  admin,
  createCluster,
  deployContent,
  drift,
  getFresh,
  primaryOf,
  readySpare,
  servedBy,
  spareConfigurable,
  startHasSupervise,
  until,
  watchdogConfigurable,
  workersOf,
} from './lib-chaos/cluster.js';
import { delta, startHttpLoad } from './lib-chaos/load-client.js';
import { startPostgres, startRabbit, startRedis, startSwift, swiftInstalled } from './lib-chaos/private-services.js';
import { cpuSeconds, isAlive, machineBusy, sleep, startedAtBoot, uptimeSeconds } from './lib/proc.js';
import { table } from './lib/report.js';
import { wharf } from './lib/wharf.js';

const HERE = import.meta.dirname;
const EVENTS = [
  'worker-kill',
  'server-kill',
  'blocked-service',
  'redis-restart',
  'rabbitmq-restart',
  'swift-stop',
  'postgres-restart',
];
const num = (name, def) =>
  Number.isFinite(Number(process.env[name])) && Number(process.env[name]) > 0 ? Number(process.env[name]) : def;
const log = (l) => process.stdout.write(`${l}\n`);
const stamp = () => new Date().toISOString().slice(11, 23);

function parseArgs(argv) {
  const only = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') only.push(argv[++i]);
    else if (argv[i] === '--help' || argv[i] === '-h') {
      log(`usage: node bench/chaos.js [--only EVENT]...\nevents: ${EVENTS.join(', ')}`);
      process.exit(0);
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  for (const e of only) if (!EVENTS.includes(e)) throw new Error(`--only ${e}: events are ${EVENTS.join(', ')}`);
  return { events: only.length ? EVENTS.filter((e) => only.includes(e)) : EVENTS };
}

// ---- cleanup, also on Ctrl-C / SIGTERM / a crash
const cleanups = [];
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    for (const f of cleanups.reverse()) {
      try {
        await f();
      } catch (e) {
        log(`cleanup: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`\n${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

/** Every process whose command line mentions `dir` (servers, workers, supervisors, HAProxy, web admin). */
function processesUnder(dir) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(dir)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

// ---- the events. Each resolves { recoveryMs, recoveryWhat, goal?, met?, notes[] }.
const ev = {};

/** After a worker of server i died: when its replacement was forked, listed by the admin API, first served the probe. */
async function replacement(c, i, oldPids, t0, bootAtKill, timeoutMs) {
  const base = c.servers[i];
  let fresh;
  const listed = await until(async () => {
    const w = (await workersOf(c, base, 1000)).items;
    fresh = w.find((x) => !oldPids.includes(x.pid));
    return w.length === oldPids.length && !w.some((x) => !isAlive(x.pid)) && fresh;
  }, timeoutMs);
  if (!listed) return { notes: ['no replacement worker listed'] };
  // A spare worker (watchdog.spare) was forked before the event: negative, it counts as at once.
  const forkedMs = Math.round((startedAtBoot(fresh.pid) - bootAtKill) * 1000) + (t0.kill - t0.start);
  const cpu = cpuSeconds(fresh.pid);
  const served = await servedBy(base, fresh.pid, 30_000);
  return {
    forkedMs,
    servedMs: served ? served - t0.start : undefined,
    notes: [
      `replacement pid ${fresh.pid}: forked ${forkedMs < 0 ? `${-forkedMs} ms before the event (the spare worker)` : `${forkedMs} ms`}, listed by cluster/workers ${listed - t0.start} ms (it had used ${cpu.toFixed(1)} s of CPU by then), first probe answered by it ${served ? served - t0.start : 'never'} ms after the event`,
    ],
  };
}

ev['worker-kill'] = async ({ c }) => {
  const before = (await workersOf(c, c.servers[0])).items;
  const victim = before[0];
  const t0 = Date.now();
  const bootAtKill = uptimeSeconds();
  process.kill(victim.pid, 'SIGKILL');
  const r = await replacement(
    c,
    0,
    before.map((w) => w.pid),
    { start: t0, kill: t0 },
    bootAtKill,
    60_000,
  );
  return {
    t0,
    recoveryMs: r.servedMs,
    recoveryWhat: `w${victim.worker} (pid ${victim.pid}) of server1 killed → its replacement serving`,
    failGoal: 0.1,
    notes: r.notes,
  };
};

ev['server-kill'] = async ({ c, supervised }) => {
  const pid = primaryOf(c, 'server2');
  if (!pid) throw new Error('server2 has no live primary');
  const workers = (await workersOf(c, c.servers[1])).items.map((w) => w.pid);
  const t0 = Date.now();
  process.kill(pid, 'SIGKILL');
  const notes = [];
  if (!supervised) {
    // Nothing restarts a dead primary: do what an operator would, `wharf start ENV --server server2`.
    await until(() => [pid, ...workers].every((p) => !isAlive(p)), 30_000, 20);
    const r = await wharf(['start', c.dir, '--server', 'server2', '--quiet'], { allowFail: true });
    notes.push(`restarted by \`wharf start --server server2\` (no --supervise in this build): exit ${r.code}`);
  } else notes.push('restarted by its supervisor (wharf start --supervise)');
  const gone = await until(() => [pid, ...workers].every((p) => !isAlive(p)), 30_000, 20);
  notes.push(`old primary and its workers gone ${gone ? gone - t0 : 'never'} ms after the kill`);
  let np;
  const pinged = await until(
    async () => {
      np = primaryOf(c, 'server2');
      return np && np !== pid && (await getFresh(`${c.servers[1]}/wharf/ping`, 1000)).status === 200;
    },
    90_000,
    50,
  );
  const ready = await until(
    async () =>
      (await workersOf(c, c.servers[1], 1000)).items.length === workers.length &&
      (await getFresh(`${c.servers[1]}/chaos/probe`, 1000)).status === 200,
    60_000,
    100,
  );
  notes.push(
    `new primary pid ${np}: /wharf/ping ${pinged ? pinged - t0 : 'never'} ms, ${workers.length} workers and the probe ${ready ? ready - t0 : 'never'} ms after the kill`,
  );
  return {
    t0,
    recoveryMs: ready ? ready - t0 : undefined,
    recoveryWhat: `server2's primary killed → server2 serving again with ${workers.length} workers`,
    failGoal: 0.1,
    notes,
  };
};

ev['blocked-service'] = async ({ c, blockedMs, spare }) => {
  const before = (await workersOf(c, c.servers[0])).items.map((w) => w.pid);
  const notes = [];
  if (spare) {
    // The spare is forked once the workers are ready (and again after it took a place): wait for it.
    let sparePid;
    await until(() => (sparePid = readySpare(c, c.names[0], before)) !== undefined, 60_000, 200);
    notes.push(
      sparePid
        ? `spare worker pid ${sparePid} ready before the call`
        : 'no spare worker ready within 60 s (a fork replaces)',
    );
  }
  const t0 = Date.now();
  const bootAt = uptimeSeconds();
  const call = fetch(`${c.servers[0]}/chaos/block`, { signal: AbortSignal.timeout(120_000) }).then(
    async (r) => `HTTP ${r.status} after ${Date.now() - t0} ms`,
    (e) => `${e.cause?.code ?? e.name} after ${Date.now() - t0} ms`,
  );
  const bound = (blockedMs ?? 35_000) + 30_000;
  let victim;
  const dead = await until(() => (victim = before.find((p) => !isAlive(p))) !== undefined, bound, 20);
  let r = { notes: [] };
  if (dead) {
    notes.push(
      `worker pid ${victim} (the blocked one) killed ${dead - t0} ms after the call (watchdog limit ${blockedMs ?? 'default'} ms)`,
    );
    r = await replacement(c, 0, before, { start: t0, kill: t0 }, bootAt, 60_000);
  } else {
    // Not replaced: find the spinning worker (the one burning CPU) and kill it ourselves.
    const cpu0 = before.map(cpuSeconds);
    await sleep(3000);
    const burned = before.map((p, i) => cpuSeconds(p) - cpu0[i]);
    victim = before[burned.indexOf(Math.max(...burned))];
    notes.push(
      `NOT replaced within ${bound} ms: pid ${victim} (CPU over 3 s: ${burned.map((b) => b.toFixed(2)).join(' / ')} s) killed by the chaos run`,
    );
    process.kill(victim, 'SIGKILL');
    await until(async () => (await workersOf(c, c.servers[0], 1000)).items.length === before.length, 60_000);
  }
  notes.push(
    ...r.notes,
    `the blocked call ended: ${await Promise.race([call, sleep(5000).then(() => 'still open 5 s later')])}`,
  );
  const limit = blockedMs === undefined ? undefined : blockedMs + 2000;
  const recoveryMs = dead ? r.servedMs : undefined;
  const within = (ms) => ms !== undefined && (limit === undefined || ms <= limit);
  return {
    t0,
    recoveryMs,
    recoveryWhat: 'GET of a service spinning while(true){} → the blocked worker replaced and its replacement serving',
    goals: [
      {
        goal: `blocked worker killed, replacement forked ${limit === undefined ? '' : `≤ ${limit} ms`}`,
        met: within(r.forkedMs),
      },
      { goal: `replacement serving ${limit === undefined ? '' : `≤ ${limit} ms`}`, met: within(recoveryMs) },
    ],
    notes,
  };
};

/** PATCH a channel on server1, then time until every worker of every server applied that version. */
async function convergence(c, label) {
  const t0 = Date.now();
  let patchTries = 0;
  let patched;
  while (!patched && Date.now() - t0 < 30_000) {
    patchTries++;
    try {
      patched = await admin(
        c,
        c.servers[0],
        'PATCH',
        '/wharf/admin/config/channels.http/chaos-version',
        { urlPath: `/chaos/v/${label}` },
        5000,
      );
    } catch {
      await sleep(50);
    }
  }
  if (!patched) return { ms: undefined, patchTries };
  const tPatched = Date.now();
  const { version } = await admin(c, c.servers[0], 'GET', '/wharf/admin/version');
  const done = await until(
    async () => {
      for (const base of c.servers) {
        const w = (await workersOf(c, base, 1000)).items;
        if (w.length === 0 || w.some((x) => x.configVersion < version)) return false;
      }
      return true;
    },
    30_000,
    10,
  );
  return { ms: done ? done - t0 : undefined, patchMs: tPatched - t0, patchTries, version };
}

ev['redis-restart'] = async ({ c, redis }) => {
  // The same measure with Redis healthy first: what convergence costs on this machine right now.
  const baseline = await convergence(c, `b${Date.now()}`);
  await sleep(1000);
  const t0 = Date.now();
  await redis.restart(2000);
  const back = Date.now();
  const conv = await convergence(c, `r${back}`);
  const notes = [
    `Redis down ${back - t0} ms (shutdown nosave, 2 s, same port and arguments)`,
    `config change right after Redis returned: admin PATCH took ${conv.patchMs} ms (${conv.patchTries} tries), v${conv.version} on every worker of both servers after ${conv.ms ?? '-'} ms`,
    `baseline (the same change with Redis up, just before): ${baseline.ms ?? '-'} ms`,
  ];
  return {
    t0,
    recoveryMs: conv.ms,
    recoveryWhat: 'config change after Redis returned → on every worker',
    goal: '≤ 1000 ms',
    met: conv.ms !== undefined && conv.ms <= 1000,
    notes,
  };
};

ev['rabbitmq-restart'] = async ({ rabbit, pub, sink }) => {
  const t0 = Date.now();
  await rabbit.restartApp(0);
  const back = Date.now();
  const lastBefore = pub.lastId();
  const first = await until(
    () => [...sink.counts.keys()].some((id) => typeof id === 'number' && id > lastBefore),
    60_000,
    50,
  );
  return {
    t0,
    recoveryMs: first ? first - t0 : undefined,
    recoveryWhat: 'first new message through Wharf at the sink',
    notes: [
      `stop_app … start_app took ${back - t0} ms; first message published after it reached the sink ${first ? first - back : '-'} ms after start_app returned`,
    ],
  };
};

ev['swift-stop'] = async ({ c, swift }) => {
  if (!swift) return { skipped: swiftInstalled() ? 'not started' : 'Swift not installed here' };
  const sw = startHttpLoad({
    url: `${c.lb}/chaos/swift`,
    concurrency: 2,
    rate: 10,
    expect: '"ok":true',
    timeoutMs: 20_000,
  });
  try {
    await sleep(3000);
    const s0 = sw.snapshot();
    const t0 = Date.now();
    await swift.stopFor(10_000);
    const back = Date.now();
    const okBefore = sw.snapshot().ok;
    const first = await until(() => sw.snapshot().ok > okBefore, 60_000, 20);
    await sleep(2000);
    const d = delta(s0, sw.snapshot());
    return {
      t0,
      recoveryMs: first ? first - back : undefined,
      recoveryWhat: 'Swift back (swift-aio up returned) → first 200 of the Swift-writing service',
      notes: [
        `Swift down ${back - t0} ms (swift-aio.sh down, 10 s, up)`,
        `Swift-writing service (GET /chaos/swift via HAProxy, 10/s): ${d.sent} sent, ${d.failed} failed ${JSON.stringify(d.byKind)} (expected while Swift is down); the table's HTTP columns are the probe load`,
      ],
    };
  } finally {
    await sw.stop();
  }
};

ev['postgres-restart'] = async ({ c, pg }) => {
  const t0 = Date.now();
  await pg.restart();
  const back = Date.now();
  const conv = await convergence(c, `p${back}`);
  return {
    t0,
    recoveryMs: conv.ms,
    recoveryWhat: 'admin config change accepted and on every worker',
    notes: [
      `pg_ctl restart -m fast took ${back - t0} ms; the first admin write after it: ${conv.patchTries} tries, ${conv.patchMs} ms`,
    ],
  };
};

// ---- one event under load, with its figures
async function runEvent(name, ctx) {
  const { c, load, pub, sink } = ctx;
  log(`[${stamp()}] == ${name}`);
  await sleep(3000);
  const loadAvg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const s0 = load.snapshot();
  const idFrom = pub.lastId() + 1;
  const tStart = Date.now();
  let r;
  try {
    r = await ev[name](ctx);
  } catch (e) {
    r = { error: e instanceof Error ? e.message : String(e), notes: [] };
  }
  if (r.skipped) {
    log(`   skipped: ${r.skipped}`);
    return { event: name, skipped: r.skipped };
  }
  await sleep(5000); // settle: failures that follow the recovery still count
  const s1 = load.snapshot();
  const idTo = pub.lastId();
  const tEnd = Date.now();
  const drained = await drain(pub, sink, idFrom, idTo, 60_000);
  const amqp = tally(pub, sink, idFrom, idTo);
  let dr = await drift(c, ctx.workers);
  const tDrift = Date.now();
  if (!dr.ok) {
    const ok = await until(async () => (dr = await drift(c, ctx.workers)).ok, 20_000, 250);
    if (ok) dr = { ...dr, detail: `${dr.detail}, after ${ok - tDrift} ms more` };
  }
  const http = delta(s0, s1);
  const fails = load.failuresBetween(tStart, tEnd);
  const failPct = http.sent ? (100 * http.failed) / http.sent : 0;
  const out = {
    event: name,
    loadAvg,
    error: r.error,
    http: {
      ...http,
      failedPct: failPct,
      failWindowMs: fails.length ? [fails[0][0] - (r.t0 ?? tStart), fails.at(-1)[0] - (r.t0 ?? tStart)] : null,
    },
    amqp: { ...amqp, drainWaitMs: drained.waitedMs, idFrom, idTo },
    recoveryMs: r.recoveryMs,
    recoveryWhat: r.recoveryWhat,
    drift: dr,
    goals: [],
    notes: r.notes,
  };
  if (r.failGoal !== undefined) out.goals.push({ goal: `HTTP failed < ${r.failGoal} %`, met: failPct < r.failGoal });
  if (r.goal) out.goals.push({ goal: `recovery ${r.goal}`, met: !!r.met });
  if (r.goals) out.goals.push(...r.goals);
  out.goals.push({ goal: 'no AMQP message lost', met: amqp.lost === 0 && drained.missing === 0 });
  out.goals.push({ goal: 'no config drift', met: dr.ok });
  if (r.error) out.goals.push({ goal: 'event ran', met: false });
  log(
    `   load average ${loadAvg}; HTTP ${http.sent} sent, ${http.failed} failed ${JSON.stringify(http.byKind)}; AMQP ${JSON.stringify(amqp)}; recovery ${r.recoveryMs ?? '-'} ms; drift: ${dr.detail}${r.error ? `; ERROR ${r.error}` : ''}`,
  );
  for (const n of r.notes) log(`   ${n}`);
  return out;
}

function render(results) {
  const rows = results.map((r) =>
    r.skipped
      ? [r.event, '-', '-', '-', '-', '-', '-', '-', 'skipped', '-', 'skipped']
      : [
          r.event,
          String(r.http.sent),
          `${r.http.failed} (${r.http.failedPct.toFixed(3)} %)`,
          String(r.amqp.sent),
          String(r.amqp.received),
          String(r.amqp.lost),
          String(r.amqp.duplicated),
          r.amqp.unconfirmed ? String(r.amqp.unconfirmed) : '0',
          r.recoveryMs === undefined ? (r.error ? 'ERROR' : 'never') : `${r.recoveryMs} ms`,
          r.drift.ok ? 'none' : 'DRIFT',
          r.goals.map((g) => `${g.goal}: ${g.met ? 'MET' : 'MISSED'}`).join('; '),
        ],
  );
  return table(
    [
      'event',
      'HTTP sent',
      'HTTP failed',
      'AMQP sent',
      'received',
      'lost',
      'dup',
      'unconf',
      'recovery',
      'drift',
      'goals',
    ],
    rows,
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
}

async function main() {
  const { events } = parseArgs(process.argv.slice(2));
  const parent = mkdtempSync(join(tmpdir(), 'wharf-chaos-'));
  const keep = process.env.CHAOS_KEEP === '1';
  cleanups.push(() => (keep ? log(`kept: ${parent}`) : rmSync(parent, { recursive: true, force: true })));
  const busy = await machineBusy(1000);
  log(
    `[${stamp()}] machine busy before the run: ${(busy * 100).toFixed(0)} % of ${(await import('node:os')).availableParallelism()} CPUs`,
  );

  const wantSwift = events.includes('swift-stop') && swiftInstalled();
  log(`[${stamp()}] private PostgreSQL, Redis, RabbitMQ${wantSwift ? ', Swift' : ''} …`);
  const started = await Promise.allSettled([
    startPostgres(),
    startRedis(),
    startRabbit(),
    wantSwift ? startSwift() : Promise.resolve(undefined),
  ]);
  for (const s of started) if (s.status === 'fulfilled' && s.value) cleanups.push(() => s.value.stop());
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [pg, redis, rabbit, swift] = started.map((s) => s.value);
  log(
    `   PostgreSQL :${pg.port}, Redis :${redis.port}, RabbitMQ :${rabbit.port} (${rabbit.node})${swift ? `, Swift :${swift.port}` : ''}`,
  );

  const blockedMs = watchdogConfigurable() ? num('CHAOS_BLOCKED_MS', 5000) : undefined;
  const supervised = await startHasSupervise();
  const workers = 2;
  const spareEnv = process.env['CHAOS_SPARE'];
  const spare = spareConfigurable() && (spareEnv === undefined ? events.includes('blocked-service') : spareEnv === '1');
  const c = await createCluster({ parent, pgPort: pg.port, redisPort: redis.port, workers, blockedMs, spare });
  cleanups.push(async () => {
    await wharf(['stop', c.dir], { allowFail: true, timeoutMs: 60_000 }).catch(() => undefined);
    await sleep(500);
    for (const p of processesUnder(c.dir)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  log(
    `[${stamp()}] cluster ${c.dir}: servers ${c.servers.join(' ')}, HAProxy ${c.lb}; watchdog.blockedMs ${blockedMs ?? 'not configurable in this build'}, spare ${spare ? 'on' : 'off'}; start ${supervised ? '--supervise' : 'without a supervisor (no --supervise in this build)'}`,
  );
  await wharf(['start', c.dir, '--quiet', ...(supervised ? ['--supervise'] : [])], { timeoutMs: 180_000 });
  const amqpUrl = `amqp://guest:guest@127.0.0.1:${rabbit.port}`;
  await declareQueues(amqpUrl);
  await deployContent(c, rabbit.port, { swiftPort: swift?.port });
  const up = await until(
    async () => {
      for (const base of c.servers) if ((await fetch(`${base}/chaos/probe`)).status !== 200) return false;
      return (await fetch(`${c.lb}/chaos/probe`)).status === 200 && (await drift(c, workers)).ok;
    },
    60_000,
    200,
  );
  if (!up) throw new Error(`the cluster did not come up: ${(await drift(c, workers)).detail}`);

  const concurrency = num('CHAOS_CONCURRENCY', 8);
  const rate = num('CHAOS_RATE', 50);
  const load = startHttpLoad({ url: `${c.lb}/chaos/probe`, concurrency, expect: '"ok":true' });
  cleanups.push(() => load.stop());
  const sink = startSink(amqpUrl);
  const pub = startPublisher(amqpUrl, rate);
  cleanups.push(
    () => sink.stop(),
    () => pub.stop(),
  );
  log(
    `[${stamp()}] load: ${concurrency} keep-alive HTTP loops through HAProxy; AMQP ${rate} msg/s into chaos.in → Wharf → chaos.out → sink`,
  );
  await sleep(5000);
  const warm = load.snapshot();
  log(
    `   warm-up: ${warm.sent} HTTP requests, ${warm.failed} failed; AMQP ${sink.counts.size} of ${pub.confirmed.size} through`,
  );

  const ctx = { c, load, pub, sink, pg, redis, rabbit, swift, supervised, blockedMs, spare, workers };
  const results = [];
  for (const e of events) results.push(await runEvent(e, ctx));

  const end = load.snapshot();
  const totals = {
    http: end,
    amqp: tally(pub, sink, 1, pub.lastId()),
    publisherResent: pub.resent(),
    sinkRedeliveriesSkipped: sink.redeliveredSkipped(),
  };
  log('');
  log(render(results));
  log('');
  log(
    `whole run: HTTP ${end.sent} requests, ${end.failed} failed ${JSON.stringify(end.byKind)}; AMQP ${JSON.stringify(totals.amqp)}; publisher re-sent ${totals.publisherResent} unconfirmed`,
  );
  log(
    `(2 servers × ${workers} workers, HAProxy, PostgreSQL, Redis, RabbitMQ, the load and this script share this machine's CPUs, with other work on it: figures are noisy)`,
  );
  const out = join(HERE, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'chaos.json'),
    `${JSON.stringify({ finishedAt: new Date().toISOString(), servers: 2, workersPerServer: workers, supervised, blockedMs, spare, concurrency, amqpRate: rate, machineBusyBefore: busy, results, totals }, null, 2)}\n`,
  );
  log(`results: ${join(out, 'chaos.json')}`);
  return results.every((r) => r.skipped || r.goals.every((g) => g.met));
}

let ok = false;
try {
  ok = await main();
} catch (e) {
  log(`chaos: ${e instanceof Error ? e.stack : String(e)}`);
} finally {
  await cleanup();
}
process.exit(ok ? 0 : 1);
