/**
 * A steady keep-alive HTTP load in its own process, counting every failure:
 *   node bench/lib-chaos/http-load.js '{"url":"http://127.0.0.1:P/chaos/probe","concurrency":8,"expect":"\"ok\":true"}'
 * `concurrency` loops each send one request after the other over a keep-alive undici pool (no
 * retries: a request that fails is counted as failed). Every 200 ms it prints one JSON line with
 * cumulative counters: { t (epoch ms), sent, ok, failed, byKind: { 'status 502': n, 'ECONNRESET': n, ... },
 * lastFailAt, latencies: [ms of the requests finished since the previous line] }.
 * Optional `rate` (requests per second, all loops together) paces the load; absent = as fast as it answers.
 * SIGTERM: stops sending, prints a last line, exits 0.
 */
import { Agent, request } from 'undici';

const o = JSON.parse(process.argv[2] ?? '{}');
const concurrency = o.concurrency ?? 8;
const timeoutMs = o.timeoutMs ?? 10_000;
const agent = new Agent({
  connections: concurrency,
  pipelining: 1,
  keepAliveTimeout: 30_000,
  headersTimeout: timeoutMs,
  bodyTimeout: timeoutMs,
});
const c = { sent: 0, ok: 0, failed: 0, byKind: {}, lastFailAt: 0 };
let latencies = [];
let stopping = false;
const gapMs = o.rate ? (1000 * concurrency) / o.rate : 0;

function fail(kind) {
  c.failed++;
  c.byKind[kind] = (c.byKind[kind] ?? 0) + 1;
  c.lastFailAt = Date.now();
}

async function loop() {
  while (!stopping) {
    const t = performance.now();
    c.sent++;
    try {
      const r = await request(o.url, {
        method: o.method ?? 'GET',
        dispatcher: agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers: o.headers,
        body: o.body,
      });
      const text = await r.body.text();
      if (r.statusCode === 200 && (!o.expect || text.includes(o.expect))) c.ok++;
      else fail(r.statusCode === 200 ? 'unexpected body' : `status ${r.statusCode}`);
    } catch (e) {
      fail(e?.code ?? e?.cause?.code ?? e?.name ?? 'error');
    }
    const ms = performance.now() - t;
    latencies.push(ms);
    if (gapMs > ms) await new Promise((r) => setTimeout(r, gapMs - ms));
  }
}

const print = () => {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), ...c, latencies })}\n`);
  latencies = [];
};
const timer = setInterval(print, 200);
process.on('SIGTERM', () => {
  stopping = true;
});
await Promise.all(Array.from({ length: concurrency }, loop));
clearInterval(timer);
print();
await agent.close().catch(() => undefined);
process.exit(0);
