/**
 * Through real server processes: a channel → service → HTTP outgoing connection to a real backend,
 * with the connection's timeout edited live from the CLI; backend down → 502 at the channel, never a
 * 200; scheduler jobs created, executed and ticking once per cluster.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, freePort, ROOT, type TestEnv } from '../helpers/env.js';

/** e2e.call (GET through outgoing HTTP `backend`) and e2e.tick (POST /ticks to it). */
const SERVICES = readFileSync(join(ROOT, 'test/fixtures/backend-call-services.ts'), 'utf8');

describe('outgoing HTTP and the scheduler through a running server', () => {
  let env: TestEnv;
  let backend: Server;
  let backendPort: number;
  const ticks: string[] = [];
  const autoAt: number[] = [];

  beforeAll(async () => {
    backendPort = await freePort();
    backend = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (url.pathname.endsWith('/ticks')) {
          const label = (JSON.parse(body) as { label: string }).label;
          ticks.push(label);
          if (label === 'auto') autoAt.push(Date.now());
        }
        const delay = Number(url.searchParams.get('delay') ?? 0);
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ echoed: url.pathname, delay }));
        }, delay);
      });
    });
    await new Promise<void>((r) => backend.listen(backendPort, '127.0.0.1', () => r()));
    env = await createEnv({ workers: 2 });
    await env.deploy('e2e.ts', SERVICES);
    await env.importYaml(
      [
        'outgoing:',
        '  http:',
        `    - { name: backend, address: "http://127.0.0.1:${backendPort}", path: /api, timeoutMs: 2000 }`,
        'channels:',
        '  http:',
        '    - { name: call, urlPath: /call, service: e2e.call }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await env?.destroy();
    await new Promise((r) => backend?.close(r));
  });

  it('calls the backend through the named connection', async () => {
    const r = await env.fetch('/call');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ upstream: { echoed: '/api', delay: 0 } });
  });

  it('applies a timeout edited from the CLI to the very next request, on every worker, with no restart', async () => {
    expect((await env.fetch('/call?delay=600')).status).toBe(200);
    const running = env.fetch('/call?delay=1200');
    await env.ok(['outgoing', 'http', 'edit', 'ENV', 'backend', '--timeout-ms', '300']);
    for (let i = 0; i < 4; i++) {
      const r = await env.fetch('/call?delay=600', { headers: { connection: 'close' } });
      expect(r.status).toBe(504);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
      expect(body.error.message).toMatch(/HTTP connection `backend`.*300 ms/);
    }
    expect((await running).status).toBe(200); // the request in flight kept its own limit
    await env.ok(['outgoing', 'http', 'edit', 'ENV', 'backend', '--timeout-ms', '2000']);
    expect((await env.fetch('/call?delay=600')).status).toBe(200);
  });

  it('backend down → a 502-class error at the channel, never a 200', async () => {
    const dead = await freePort();
    await env.ok(['outgoing', 'http', 'edit', 'ENV', 'backend', '--address', `http://127.0.0.1:${dead}`]);
    const r = await env.fetch('/call');
    expect(r.status).toBe(502);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/connection refused/);
    await env.ok(['outgoing', 'http', 'edit', 'ENV', 'backend', '--address', `http://127.0.0.1:${backendPort}`]);
    expect((await env.fetch('/call')).status).toBe(200);
  });

  it('runs a job now from the CLI and ticks an interval job once per cluster (not once per worker)', async () => {
    const out = await env.ok([
      'job',
      'create',
      'ENV',
      '--name',
      'once',
      '--type',
      'interval',
      '--every',
      '1h',
      '--service',
      'e2e.tick',
      '--payload',
      '{"label":"manual"}',
    ]);
    expect(out).toMatch(/created/);
    const exec = JSON.parse(await env.ok(['job', 'execute', 'ENV', 'once'])) as { outcome: string };
    expect(exec.outcome).toBe('ok');
    expect(ticks).toContain('manual');
    ticks.length = 0;
    await env.ok([
      'job',
      'create',
      'ENV',
      '--name',
      'every-second',
      '--type',
      'interval',
      '--every',
      '1s',
      '--service',
      'e2e.tick',
      '--payload',
      '{"label":"auto"}',
    ]);
    await eventually(() => ticks.filter((t) => t === 'auto').length >= 3, 15_000, 'three ticks');
    await env.ok(['job', 'edit', 'ENV', 'every-second', '--active', 'false']);
    await new Promise((r) => setTimeout(r, 1500));
    const n = ticks.length;
    await new Promise((r) => setTimeout(r, 2000));
    expect(ticks.length).toBe(n); // paused live
    // two workers, one lease: ticks are a second apart, never doubled
    for (let i = 1; i < autoAt.length; i++) expect(autoAt[i]! - autoAt[i - 1]!).toBeGreaterThan(600);
  });
});
