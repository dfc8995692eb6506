/** Small HTTP helpers for sample checks and start-to-first-200 (one fresh connection per request). */
import { request } from 'node:http';
import { sleep } from './proc.js';

/** POSTs `body` (string) and resolves { status, headers, body }; rejects on a connection error. */
export function post(url, body, headers = { 'content-type': 'application/json' }, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Polls until a POST answers 200 with exactly `expectBody`; resolves the ms elapsed since `t0`
 * (a performance.now() value). `isDead()` aborts early when the server process died.
 */
export async function waitFirst200(
  url,
  body,
  expectBody,
  t0,
  { timeoutMs = 60_000, intervalMs = 5, isDead = () => false } = {},
) {
  const deadline = t0 + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    try {
      const r = await post(url, body, undefined, 1000);
      if (r.status === 200 && r.body === expectBody) return performance.now() - t0;
      last = `HTTP ${r.status} ${r.body.slice(0, 200)}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (isDead()) throw new Error(`server exited before its first 200 (last: ${last})`);
    await sleep(intervalMs);
  }
  throw new Error(`no 200 with the expected body within ${timeoutMs} ms (last: ${last})`);
}
