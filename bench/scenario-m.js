/**
 * Scenario M — messaging throughput: queue → channel → service → outgoing publish to a second queue,
 * messages/s, Wharf against a bare client doing the same work in the same run:
 *   AMQP 0-9-1  channels.amqp (prefetch P) → bench.relay.amqp → outgoing.amqp (confirms)   vs amqplib
 *   AMQP 1.0    channels.amqp1 (credit P)  → bench.relay.amqp1 → outgoing.amqp1 (accepted) vs rhea
 *   ZeroMQ      PUSH → channels.zeromq (PULL, bind) → bench.relay.zeromq → outgoing.zeromq (PUSH) vs zeromq.js
 * (bench/fixtures/wharf-relay-services.js, bench/lib-extra/bare-relay.js). RabbitMQ on 127.0.0.1:5672
 * (guest/guest, rabbitmq_amqp1_0 enabled). The relay under test (Wharf: primary + 1 worker; the bare
 * process) is pinned to CPU 1; this process (producer, counter) runs on CPU 0; RabbitMQ runs where
 * it runs (not ours).
 *
 * Per run: a warm-up batch (W messages) must come through; then N messages (sized from the warm-up
 * rate to last about BENCH_DURATION s) are published as fast as the broker confirms them and the
 * time until the last one is in the target queue (polled every 25 ms) gives messages/s. Afterwards
 * the target is drained and every id must be there exactly once (no loss, no duplicates); queues
 * are purged between runs and deleted at the end.
 *
 *   node bench/scenario-m.js   (or bench/run.js M)
 *   BENCH_M_PREFETCH (default 100), BENCH_M_PROTOCOLS=amqp,amqp1,zeromq, BENCH_M_ZMQ_CONCURRENCY (default 1),
 *   BENCH_M_BARE_IO_NICE=10: the bare zeromq.js relay's I/O thread niced as Wharf's is by default
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import amqplib from 'amqplib';
import * as zmq from 'zeromq';
import { freePort, sleep, waitQuiet } from './lib/proc.js';
import { fmtInt, fmtRatio, table } from './lib/report.js';
import { cpuWindow, median, onInterrupt, rotate } from './lib-extra/measure.js';
import { profiledRun, reportProfile } from './lib-extra/profile-run.js';
import { BENCH, FIXTURES, spawnPinned } from './lib-extra/servers.js';
import { createWharfEnv } from './lib-extra/wharf-env.js';
import { wharf } from './lib/wharf.js';

export const id = 'M';
export const title =
  'Messaging: queue → channel → service → outgoing publish (AMQP 0-9-1, AMQP 1.0, ZeroMQ) vs bare clients';
export const GOALS = { amqp: 0.8, amqp1: 0.8, zeromq: 0.7 };
export const selfReported = true;

const SERVER_CORE = 1;
const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PREFETCH = Number(process.env.BENCH_M_PREFETCH ?? 100);
const ZMQ_CONCURRENCY = Number(process.env.BENCH_M_ZMQ_CONCURRENCY ?? 1);
const PROTOCOLS = (process.env.BENCH_M_PROTOCOLS ?? 'amqp,amqp1,zeromq').split(',').map((s) => s.trim());
const WARMUP = { amqp: 2000, amqp1: 2000, zeromq: 5000 };
const Q = {
  amqp: { in: 'bench.m.amqp.in', out: 'bench.m.amqp.out' },
  amqp1: { in: 'bench.m.amqp1.in', out: 'bench.m.amqp1.out' },
};
const LABEL = { amqp: 'AMQP 0-9-1', amqp1: 'AMQP 1.0', zeromq: 'ZeroMQ PUSH/PULL' };
const BARE_LABEL = { amqp: 'bare amqplib', amqp1: 'bare rhea', zeromq: 'bare zeromq.js' };

const message = (kind, i) =>
  JSON.stringify({
    id: i,
    kind,
    order: {
      customerId: 42,
      items: [
        { sku: 'A-100', qty: 2 },
        { sku: 'B-200', qty: 1 },
        { sku: 'C-300', qty: 5 },
      ],
      note: 'leave at the door',
    },
    sentAt: '2026-11-28T12:00:00.000Z',
  });

// ---------------------------------------------------------------------------------------------
// The harness side: producer and counter for AMQP (0-9-1 and 1.0 share RabbitMQ queues)

async function amqpHarness() {
  const conn = await amqplib.connect(AMQP_URL);
  const pub = await conn.createConfirmChannel();
  const adm = await conn.createChannel();
  // A channel closed by the broker (e.g. a queue deleted by an interrupt's cleanup) must not crash the run.
  for (const x of [conn, pub, adm]) x.on('error', () => undefined);
  return {
    async declare(q) {
      await adm.assertQueue(q, { durable: true });
    },
    async purge(q) {
      await adm.purgeQueue(q);
    },
    async count(q) {
      return (await adm.checkQueue(q)).messageCount;
    },
    async remove(q) {
      await adm.deleteQueue(q);
    },
    /** Publishes `n` persistent messages, honouring the socket's back-pressure; resolves when all are confirmed. */
    async publish(q, kind, n) {
      for (let i = 0; i < n; i++) {
        const ok = pub.publish('', q, Buffer.from(message(kind, i)), {
          persistent: true,
          contentType: 'application/json',
        });
        if (!ok) await new Promise((r) => pub.once('drain', r));
        if (i % 5000 === 4999) await pub.waitForConfirms();
      }
      await pub.waitForConfirms();
    },
    /** Reads every message of `q` (no ack needed: they are deleted as delivered) and tallies the ids per kind. */
    async drain(q, expected) {
      const ch = await conn.createChannel();
      await ch.prefetch(5000);
      const seen = { warmup: new Uint16Array(expected.warmup), measured: new Uint16Array(expected.measured) };
      let other = 0;
      let total = 0;
      let last = Date.now();
      const { consumerTag } = await ch.consume(
        q,
        (m) => {
          if (!m) return;
          total++;
          last = Date.now();
          try {
            const o = JSON.parse(m.content.toString('utf8'));
            const arr = seen[o.kind];
            if (arr && Number.isInteger(o.id) && o.id >= 0 && o.id < arr.length) arr[o.id]++;
            else other++;
          } catch {
            other++;
          }
        },
        { noAck: true },
      );
      const want = expected.warmup + expected.measured;
      while (total < want && Date.now() - last < 3000) await sleep(50);
      await sleep(300);
      await ch.cancel(consumerTag);
      await ch.close();
      return tally(seen, other, total);
    },
    close: () => conn.close(),
  };
}

function tally(seen, other, total) {
  const r = { total, other, missing: 0, duplicates: 0 };
  for (const arr of Object.values(seen)) {
    for (const c of arr) {
      if (c === 0) r.missing++;
      else if (c > 1) r.duplicates += c - 1;
    }
  }
  return r;
}

async function waitCount(count, target, timeoutMs) {
  const t0 = performance.now();
  for (;;) {
    const n = await count();
    if (n >= target) return performance.now();
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`only ${n} of ${target} messages arrived within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** One AMQP run against a relay that is already consuming `q.in`. */
async function runAmqp(h, proto, cfg, win) {
  const q = Q[proto];
  const W = WARMUP[proto];
  const tw = performance.now();
  await h.publish(q.in, 'warmup', W);
  await waitCount(() => h.count(q.out), W, 60_000);
  const warmRate = W / ((performance.now() - tw) / 1000);
  const N = Math.max(2000, Math.min(400_000, Math.round(warmRate * cfg.durationSeconds * 1.3)));
  win.start();
  const t0 = performance.now();
  const published = h.publish(q.in, 'measured', N);
  const t1 = await waitCount(() => h.count(q.out), W + N, Math.max(120_000, cfg.durationSeconds * 20_000));
  win.end();
  await published;
  await sleep(500);
  const inLeft = await h.count(q.in);
  const outCount = await h.count(q.out);
  const t = await h.drain(q.out, { warmup: W, measured: N });
  return {
    n: N,
    seconds: (t1 - t0) / 1000,
    msgPerSec: N / ((t1 - t0) / 1000),
    warmRate,
    inLeft,
    outCount,
    ...t,
    lost: t.missing,
    ok: t.missing === 0 && t.duplicates === 0 && t.other === 0 && inLeft === 0 && outCount === W + N,
  };
}

/** One ZeroMQ run: PUSH to the relay's PULL address, count on our PULL (the relay PUSHes to it). */
async function runZeromq(addrIn, addrOut, cfg, win) {
  const push = new zmq.Push({ sendHighWaterMark: 1000, linger: 0 });
  const pull = new zmq.Pull({ receiveHighWaterMark: 1000, linger: 0 });
  await pull.bind(addrOut);
  push.connect(addrIn);
  const W = WARMUP.zeromq;
  const seen = { warmup: new Uint16Array(W), measured: null };
  let other = 0;
  let total = 0;
  let target = W;
  let reached;
  let reachedAt = 0;
  const receiving = (async () => {
    for await (const [msg] of pull) {
      total++;
      try {
        const o = JSON.parse(msg.toString('utf8'));
        const arr = seen[o.kind];
        if (arr && Number.isInteger(o.id) && o.id >= 0 && o.id < arr.length) arr[o.id]++;
        else other++;
      } catch {
        other++;
      }
      if (total >= target && reached) {
        reachedAt = performance.now();
        const r = reached;
        reached = undefined;
        r();
      }
    }
  })().catch(() => undefined);
  const until = (n, timeoutMs) =>
    new Promise((res, rej) => {
      target = n;
      if (total >= n) return res(performance.now());
      reached = () => res(reachedAt);
      setTimeout(
        () => rej(new Error(`only ${total} of ${n} messages arrived within ${timeoutMs} ms`)),
        timeoutMs,
      ).unref();
    });
  try {
    const tw = performance.now();
    const warmDone = until(W, 60_000);
    for (let i = 0; i < W; i++) await push.send(message('warmup', i));
    await warmDone;
    const warmRate = W / ((performance.now() - tw) / 1000);
    const N = Math.max(5000, Math.min(1_000_000, Math.round(warmRate * cfg.durationSeconds * 1.3)));
    seen.measured = new Uint16Array(N);
    const done = until(W + N, Math.max(120_000, cfg.durationSeconds * 20_000));
    win.start();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await push.send(message('measured', i));
    const t1 = await done;
    win.end();
    await sleep(500);
    const t = tally(seen, other, total);
    return {
      n: N,
      seconds: (t1 - t0) / 1000,
      msgPerSec: N / ((t1 - t0) / 1000),
      warmRate,
      ...t,
      lost: t.missing,
      ok: t.missing === 0 && t.duplicates === 0 && t.other === 0 && total === W + N,
    };
  } finally {
    push.close();
    pull.close();
    await receiving;
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Workaround for a Wharf start-up bug (reported with the results): a worker loads the stored objects
 * kind by kind in alphabetical order, so `channels.amqp` / `channels.amqp1` are started before the
 * `definitions.*` they name exist ("AMQP definition `rabbit` does not exist"), and a connector whose
 * start failed is never started again (later edits only call reconfigure()). Deleting and creating
 * the channel through the CLI once the server is up starts it properly.
 */
async function recreateChannels(dir) {
  const want = [
    PROTOCOLS.includes('amqp') && [
      'amqp',
      'm-in',
      [
        '--definition',
        'rabbit',
        '--queue',
        Q.amqp.in,
        '--prefetch',
        String(PREFETCH),
        '--data-format',
        'json',
        '--service',
        'bench.relay.amqp',
      ],
    ],
    PROTOCOLS.includes('amqp1') && [
      'amqp1',
      'm1-in',
      [
        '--definition',
        'rabbit1',
        '--address',
        `/amq/queue/${Q.amqp1.in}`,
        '--credit',
        String(PREFETCH),
        '--data-format',
        'json',
        '--service',
        'bench.relay.amqp1',
      ],
    ],
  ].filter(Boolean);
  for (const [kind, name, args] of want) {
    await wharf(['channel', kind, 'delete', dir, name]);
    await wharf(['channel', kind, 'create', dir, '--name', name, ...args]);
  }
}

async function startBare(proto, ports) {
  const opts =
    proto === 'zeromq'
      ? {
          mode: 'zeromq',
          pullAddress: `tcp://127.0.0.1:${ports.bareZin}`,
          pushAddress: `tcp://127.0.0.1:${ports.bareZout}`,
        }
      : { mode: proto, url: AMQP_URL, in: Q[proto].in, out: Q[proto].out, prefetch: PREFETCH, credit: PREFETCH };
  const p = spawnPinned(SERVER_CORE, process.execPath, [join(BENCH, 'lib-extra/bare-relay.js'), JSON.stringify(opts)], {
    name: `bare ${proto}`,
  });
  const deadline = Date.now() + 30_000;
  while (!p.output().includes('ready')) {
    if (p.exited() || Date.now() > deadline) throw new Error(`bare ${proto} relay did not start: ${p.output()}`);
    await sleep(20);
  }
  return p;
}

export async function run(cfg, log = (l) => process.stdout.write(`${l}\n`)) {
  const result = {
    scenario: 'M',
    title,
    goals: GOALS,
    prefetch: PREFETCH,
    zmqConcurrency: ZMQ_CONCURRENCY,
    config: { ...cfg },
    selfReported: true,
  };
  const h = PROTOCOLS.some((p) => p !== 'zeromq') ? await amqpHarness() : undefined;
  const ports = {
    wharfZin: await freePort(),
    wharfZout: await freePort(),
    bareZin: await freePort(),
    bareZout: await freePort(),
    wharf: await freePort(),
  };
  let wharfEnv;
  const dropQueues = async () => {
    for (const p of ['amqp', 'amqp1'])
      if (h && PROTOCOLS.includes(p)) for (const q of Object.values(Q[p])) await h.remove(q).catch(() => undefined);
  };
  const unregister = onInterrupt(dropQueues);
  try {
    for (const p of ['amqp', 'amqp1']) {
      if (!PROTOCOLS.includes(p)) continue;
      await h.declare(Q[p].in);
      await h.declare(Q[p].out);
      await h.purge(Q[p].in);
      await h.purge(Q[p].out);
    }
    wharfEnv = await createWharfEnv({
      prefix: 'm',
      port: ports.wharf,
      modules: [join(FIXTURES, 'wharf-relay-services.js')],
      yaml: [
        `definitions:
  amqp:
    - name: rabbit
      host: 127.0.0.1
      port: 5672
      username: guest
      password: guest
  amqp1:
    - name: rabbit1
      host: 127.0.0.1
      port: 5672
      username: guest
      password: guest
`,
        `channels:
  amqp:
    - name: m-in
      definition: rabbit
      queue: ${Q.amqp.in}
      prefetch: ${PREFETCH}
      dataFormat: json
      service: bench.relay.amqp
  amqp1:
    - name: m1-in
      definition: rabbit1
      address: /amq/queue/${Q.amqp1.in}
      credit: ${PREFETCH}
      dataFormat: json
      service: bench.relay.amqp1
  zeromq:
    - name: mz-in
      address: tcp://127.0.0.1:${ports.wharfZin}
      socketType: PULL
      bind: true
      dataFormat: json
      service: bench.relay.zeromq
      concurrency: ${ZMQ_CONCURRENCY}
outgoing:
  amqp:
    - name: m-out
      definition: rabbit
      exchange: ''
      routingKey: ${Q.amqp.out}
  amqp1:
    - name: m1-out
      definition: rabbit1
      address: /amq/queue/${Q.amqp1.out}
  zeromq:
    - name: mz-out
      address: tcp://127.0.0.1:${ports.wharfZout}
      socketType: PUSH
`,
      ],
      log,
    });
    log(
      `RabbitMQ ${AMQP_URL.replace(/\/\/[^@]*@/, '//')}; prefetch/credit ${PREFETCH} for Wharf and the bare clients; ZeroMQ channel concurrency ${ZMQ_CONCURRENCY} (bare: one at a time); protocols ${PROTOCOLS.join(', ')}`,
    );

    const rows = [];
    const measure = async (system, proto, pids) => {
      for (const p of ['amqp', 'amqp1']) {
        if (h && PROTOCOLS.includes(p)) {
          await h.purge(Q[p].in);
          await h.purge(Q[p].out);
        }
      }
      const win = cpuWindow(pids);
      const r =
        proto === 'zeromq'
          ? await runZeromq(
              `tcp://127.0.0.1:${system === 'wharf' ? ports.wharfZin : ports.bareZin}`,
              `tcp://127.0.0.1:${system === 'wharf' ? ports.wharfZout : ports.bareZout}`,
              cfg,
              win,
            )
          : await runAmqp(h, proto, cfg, win);
      const cpu = win.result();
      return { ...r, cpu, cpuUsPerMessage: cpu ? (cpu.serverCpuSeconds * 1e6) / r.n : NaN };
    };
    for (let i = 0; i < cfg.rounds; i++) {
      for (const system of rotate(['wharf', 'bare'], i)) {
        const quiet =
          cfg.quietMaxMs > 0 ? await waitQuiet({ threshold: cfg.quietThreshold, maxMs: cfg.quietMaxMs }) : undefined;
        if (system === 'wharf') {
          const inst = await wharfEnv.start(SERVER_CORE);
          try {
            await recreateChannels(wharfEnv.dir);
            for (const proto of PROTOCOLS)
              rows.push(
                logRow(log, i, { round: i + 1, system, proto, quiet, ...(await measure('wharf', proto, inst.pids)) }),
              );
          } finally {
            await inst.stop();
          }
        } else {
          for (const proto of PROTOCOLS) {
            const p = await startBare(proto, ports);
            try {
              rows.push(
                logRow(log, i, { round: i + 1, system, proto, quiet, ...(await measure('bare', proto, p.pids)) }),
              );
            } finally {
              await p.stop();
            }
          }
        }
      }
    }
    result.rounds = rows;
    result.protocols = PROTOCOLS.map((proto) => {
      const s = (system) => {
        const rs = rows.filter((r) => r.system === system && r.proto === proto);
        return {
          msgPerSec: median(rs.map((r) => r.msgPerSec)),
          rounds: rs.map((r) => Math.round(r.msgPerSec)),
          cpuUsPerMessage: median(rs.map((r) => r.cpuUsPerMessage)),
          serverCoreShare: median(rs.map((r) => r.cpu?.serverCoreShare)),
          messages: rs.reduce((a, r) => a + r.n, 0),
          lost: rs.reduce((a, r) => a + r.missing, 0),
          duplicates: rs.reduce((a, r) => a + r.duplicates, 0),
          badRuns: rs.filter((r) => !r.ok).length,
        };
      };
      const w = s('wharf');
      const b = s('bare');
      const ratio = w.msgPerSec / b.msgPerSec;
      return {
        proto,
        wharf: w,
        bare: b,
        ratio,
        perCpu: b.cpuUsPerMessage / w.cpuUsPerMessage,
        goal: GOALS[proto],
        met: ratio >= GOALS[proto],
      };
    });
    result.errorsTotal = result.protocols.reduce((a, p) => a + p.wharf.badRuns + p.bare.badRuns, 0);
    result.meetsGoals = result.protocols.every((p) => p.met);

    // Profile Wharf's worker on each protocol that misses its goal (or all with BENCH_PROFILE=on).
    const toProfile = result.protocols.filter((p) => cfg.profile === 'on' || (cfg.profile === 'auto' && !p.met));
    if (toProfile.length) {
      const outDir = resolve(cfg.resultsDir, 'profile-m');
      rmSync(outDir, { recursive: true, force: true });
      result.profiles = [];
      for (const p of toProfile) {
        log('');
        log(`profiling Wharf on ${LABEL[p.proto]} (NODE_OPTIONS=--import=bench/lib/cpu-profile.js); not in the table`);
        const prof = await profiledRun({
          start: async (env) => {
            const inst = await wharfEnv.start(SERVER_CORE, env);
            await recreateChannels(wharfEnv.dir);
            return inst;
          },
          drive: async (_inst, hooks) => {
            for (const q of ['amqp', 'amqp1']) {
              if (h && PROTOCOLS.includes(q)) {
                await h.purge(Q[q].in);
                await h.purge(Q[q].out);
              }
            }
            const r =
              p.proto === 'zeromq'
                ? await runZeromq(`tcp://127.0.0.1:${ports.wharfZin}`, `tcp://127.0.0.1:${ports.wharfZout}`, cfg, hooks)
                : await runAmqp(h, p.proto, cfg, hooks);
            log(`  under the profiler: ${fmtInt(r.msgPerSec)} msg/s, missing ${r.missing}, duplicates ${r.duplicates}`);
            return { ops: r.n };
          },
          outDir,
          name: `wharf-${p.proto}`,
        });
        result.profiles.push(prof);
        reportProfile(prof, log, 'msg');
      }
    }
    return result;
  } finally {
    if (wharfEnv) await wharfEnv.destroy(cfg.keep);
    unregister();
    if (h) {
      await dropQueues();
      await h.close().catch(() => undefined);
    }
  }
}

function logRow(log, i, r) {
  log(
    `round ${r.round} ${r.system === 'wharf' ? 'Wharf' : BARE_LABEL[r.proto]} ${LABEL[r.proto]}: ${fmtInt(r.msgPerSec)} msg/s (${r.n} messages in ${r.seconds.toFixed(2)} s; warm-up ${fmtInt(r.warmRate)} msg/s), ` +
      `relay used ${r.cpu ? Math.round(r.cpu.serverCoreShare * 100) : '?'}% of CPU 1, ${fmtInt(r.cpuUsPerMessage)} µs CPU/msg; ` +
      `arrived ${r.total} (missing ${r.missing}, duplicates ${r.duplicates}, unknown ${r.other}${r.inLeft !== undefined ? `, left in source ${r.inLeft}` : ''})${r.ok ? '' : '  — LOSS/DUPLICATES'}`,
  );
  return r;
}

export function report(r, log) {
  const rows = [];
  for (const p of r.protocols) {
    rows.push([
      'M',
      LABEL[p.proto],
      'Wharf (1 worker)',
      fmtInt(p.wharf.msgPerSec),
      fmtInt(p.wharf.cpuUsPerMessage),
      fmtRatio(p.ratio),
      `${p.wharf.lost}/${p.wharf.duplicates}`,
      p.wharf.rounds.map(fmtInt).join(' / '),
    ]);
    rows.push([
      'M',
      LABEL[p.proto],
      BARE_LABEL[p.proto],
      fmtInt(p.bare.msgPerSec),
      fmtInt(p.bare.cpuUsPerMessage),
      '1.00',
      `${p.bare.lost}/${p.bare.duplicates}`,
      p.bare.rounds.map(fmtInt).join(' / '),
    ]);
  }
  log('');
  log(
    table(
      ['scenario', 'protocol', 'system', 'msg/s', 'CPU µs/msg', 'ratio', 'lost/dup', 'msg/s per round'],
      rows,
      [3, 4, 5],
    ),
  );
  log('');
  for (const p of r.protocols)
    log(
      `${LABEL[p.proto]}: Wharf / ${BARE_LABEL[p.proto]} = ${fmtRatio(p.ratio)} (goal ≥ ${p.goal.toFixed(2)})${p.met ? '' : '  — BELOW GOAL'}   [per round: ${p.wharf.rounds.map((w, i) => fmtRatio(w / p.bare.rounds[i])).join(', ')}; CPU per message bare/Wharf = ${fmtRatio(p.perCpu)}]`,
    );
  log(
    `msg/s = measured messages ÷ time from the first publish to the last one counted in the target; CPU µs/msg = relay process CPU (Wharf: primary + worker) per measured message; lost/dup over all rounds (every id checked in the target; source queue empty afterwards)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { runStandalone } = await import('./lib-extra/main.js');
  await runStandalone({ id, title, run, report });
}
