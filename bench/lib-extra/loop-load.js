/**
 * A closed-loop load generator for scenario C, run as its own process pinned to the load core:
 *   node bench/lib-extra/loop-load.js '<json options>'
 * `connections` async loops each repeat one operation back to back for warmupSeconds (not
 * reported), then durationSeconds (measured). Prints `measure-start` / `measure-end`, then one JSON
 * line { warmup, measured }: ops, ops/s, latency p50/p99 (ms), errors (with the first few messages).
 *
 * Operations (`mode`):
 *   http   POST `body` to `url` (undici Pool, keep-alive); ok = status `expectStatus` and, when given, body `expectBody`.
 *   swift  the two PUTs of invoice.dispatcher done by hand: PUT `storageUrl`/<container>/`object` for each of
 *          `containers`, one after the other, with X-Auth-Token and the body's MD5 as ETag (as Wharf's Swift
 *          client sends them), through one undici Pool (`poolSize` connections); ok = 201 (or 202:
 *          Swift holds a newer concurrent write) and, for 201, the ETag Swift returns = the MD5.
 */
import { createHash } from 'node:crypto';
import { Pool } from 'undici';

const o = JSON.parse(process.argv[2] ?? '{}');

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function makeOp() {
  if (o.mode === 'http') {
    const u = new URL(o.url);
    const pool = new Pool(u.origin, { connections: o.connections, pipelining: 1 });
    const path = u.pathname + u.search;
    const headers = { 'content-type': o.contentType ?? 'application/json' };
    return {
      pool,
      async op() {
        const r = await pool.request({ method: 'POST', path, headers, body: o.body });
        const text = await r.body.text();
        if (r.statusCode !== (o.expectStatus ?? 200)) throw new Error(`HTTP ${r.statusCode} ${text.slice(0, 200)}`);
        if (o.expectBody !== undefined && text !== o.expectBody)
          throw new Error(`body mismatch: ${text.slice(0, 200)}`);
      },
    };
  }
  if (o.mode === 'swift') {
    const su = new URL(o.storageUrl);
    const pool = new Pool(su.origin, { connections: o.poolSize ?? o.connections, pipelining: 1 });
    const body = Buffer.from(o.body);
    return {
      pool,
      async op() {
        for (const c of o.containers) {
          // MD5 per PUT, as Wharf's client does for every putObject.
          const etag = createHash('md5').update(body).digest('hex');
          const r = await pool.request({
            method: 'PUT',
            path: `${su.pathname}/${encodeURIComponent(c)}/${encodeURIComponent(o.object)}`,
            headers: { 'x-auth-token': o.token, etag, 'content-length': String(body.length) },
            body,
          });
          await r.body.dump();
          if (r.statusCode === 202) continue;
          if (r.statusCode !== 201) throw new Error(`PUT ${c}/${o.object} → HTTP ${r.statusCode}`);
          const got = String(r.headers['etag'] ?? '').replace(/^"|"$/g, '');
          if (got !== etag) throw new Error(`PUT ${c}/${o.object}: ETag ${got} ≠ ${etag}`);
        }
      },
    };
  }
  throw new Error(`unknown mode ${o.mode}`);
}

async function phase(op, seconds) {
  const lat = [];
  let ops = 0;
  let errors = 0;
  const samples = [];
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          await op();
          ops++;
          lat.push(performance.now() - s);
        } catch (e) {
          errors++;
          if (samples.length < 5) samples.push(e instanceof Error ? e.message : String(e));
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  return {
    ops,
    seconds: +wall.toFixed(3),
    opsPerSec: ops / wall,
    clientCpuUsPerOp: ops ? +((cpu.user + cpu.system) / ops).toFixed(1) : NaN,
    latencyMs: { p50: +pct(lat, 50).toFixed(2), p99: +pct(lat, 99).toFixed(2), max: +(lat.at(-1) ?? NaN).toFixed(2) },
    errors,
    errorSamples: samples,
  };
}

const { op, pool } = await makeOp();
const warmup = o.warmupSeconds > 0 ? await phase(op, o.warmupSeconds) : null;
process.stdout.write('measure-start\n');
const measured = await phase(op, o.durationSeconds ?? 10);
process.stdout.write('measure-end\n');
await pool.close();
process.stdout.write(`${JSON.stringify({ warmup, measured })}\n`);
