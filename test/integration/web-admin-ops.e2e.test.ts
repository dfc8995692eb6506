/**
 * Day-to-day operations in a real Chromium against a running server and a slow local HTTP backend:
 * an outgoing connection's timeout edited in its form is used by the very next call; a service invoked
 * from the console; a job run now (the backend sees its tick); the connection restored from history
 * (a new version with the old timeout, which the next call uses again).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/env.js';
import { editObject, invokeService, loginOk, openHistoryDiff, restoreShownVersion, runAction, field } from '../helpers/web-admin-flows.js';
import { useWebAdmin } from '../helpers/web-admin-fixture.js';
import type { WebPage } from '../helpers/browser.js';

const SERVICES = `import { int, service, text } from 'wharf';

export class CallBackend extends service({ name: 'e2e.call', input: { delay: int().default(0) } }) {
  async handle() {
    const r = await this.outgoing.http('backend').get({ query: { delay: String(this.input.delay) } });
    return { upstream: r.payload };
  }
}

export class Tick extends service({ name: 'e2e.tick', input: { label: text().default('tick') } }) {
  async handle() {
    await this.outgoing.http('backend').post({ path: '/ticks', payload: { label: this.input.label } });
    return { ok: true };
  }
}
`;

const ticks: string[] = [];
let backend: Server | undefined;

/** A backend answering after `?delay=` ms and recording POST /ticks labels. */
async function startBackend(): Promise<number> {
  const port = await freePort();
  backend = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (url.pathname.endsWith('/ticks')) ticks.push((JSON.parse(body) as { label: string }).label);
      const delay = Number(url.searchParams.get('delay') ?? 0);
      const t = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echoed: url.pathname, delay }));
      }, delay);
      res.on('close', () => clearTimeout(t));
    });
  });
  await new Promise<void>((r) => backend!.listen(port, '127.0.0.1', () => r()));
  return port;
}

const fx = useWebAdmin('ops', {
  async before(env) {
    const port = await startBackend();
    await env.deploy('e2e.ts', SERVICES);
    await env.importYaml(
      [
        'outgoing:',
        '  http:',
        `    - { name: backend, address: "http://127.0.0.1:${port}", path: /api, timeoutMs: 2000 }`,
        'channels:',
        '  http:',
        '    - { name: call, urlPath: /call, service: e2e.call }',
        'scheduler:',
        '  jobs:',
        '    - { name: tick-hourly, type: interval, every: 1h, service: e2e.tick, payload: { label: manual } }',
        '',
      ].join('\n'),
    );
  },
});

afterAll(async () => {
  await new Promise((r) => (backend ? backend.close(r) : r(undefined)));
});

let web: WebPage;
async function page(): Promise<WebPage> {
  if (!web) {
    web = await fx.page();
    await loginOk(web.page, 'admin', fx.env.adminPassword);
  }
  return web;
}

describe('web admin: operations through forms and buttons', () => {
  it("edits an outgoing HTTP connection's timeout in the form; the next call uses it", async () => {
    const { page: p, shot } = await page();
    expect((await fx.env.fetch('/call?delay=600')).status).toBe(200);
    const r = await editObject(p, 'outgoing.http', 'backend', { timeoutMs: 300 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await shot('outgoing-timeout-saved');
    const res = await fx.env.fetch('/call?delay=600', { headers: { connection: 'close' } });
    expect(res.status).toBe(504);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect(body.error.message).toMatch(/HTTP connection `backend`.*300 ms/);
    // the form shows the stored value after a reload
    await p.reload();
    await expect.poll(() => field(p, 'timeoutMs').inputValue()).toBe('300');
  });

  it('restores the connection from history: a new version with the old timeout, used by the next call', async () => {
    const { page: p, shot } = await page();
    const before = (await fx.env.admin<{ version: number }>('GET', '/wharf/admin/config/outgoing.http/backend')).body.version;
    const v = await openHistoryDiff(p, 'outgoing.http', 'backend');
    await shot('history-diff');
    await expect.poll(() => p.locator('main').textContent()).toMatch(/timeoutMs/);
    const r = await restoreShownVersion(p);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ fromVersion: v });
    const now = await fx.env.admin<{ version: number; data: { timeoutMs: number } }>('GET', '/wharf/admin/config/outgoing.http/backend');
    expect(now.body.data.timeoutMs).toBe(2000);
    expect(now.body.version).toBeGreaterThan(before);
    expect((await fx.env.fetch('/call?delay=600')).status).toBe(200);
  });

  it('invokes a service from the console: output, status, duration and cid', async () => {
    const { page: p, shot } = await page();
    const r = await invokeService(p, 'e2e.call', { delay: 20 });
    await shot('invoke-console');
    expect(r.status).toMatch(/200/);
    expect(r.output).toContain('"echoed"');
    expect(r.output).toContain('/api');
    expect(r.cid.length).toBeGreaterThan(4);
    expect(r.duration).toMatch(/\d/);
  });

  it('runs a job now with its "Run now" button: the service runs (the backend sees the tick)', async () => {
    const { page: p, shot } = await page();
    ticks.length = 0;
    const r = await runAction(p, 'scheduler.jobs', 'tick-hourly', 'Run now');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await expect.poll(() => ticks, { timeout: 10_000 }).toContain('manual');
    await shot('job-run-now');
  });
});
