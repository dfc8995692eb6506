/**
 * Day-to-day operations in a real Chromium against a running server and a slow local HTTP backend:
 * an outgoing connection's timeout edited in its form is used by the very next call; a service invoked
 * from the console; a job run now (the backend sees its tick); the connection restored from history
 * (a new version with the old timeout, which the next call uses again); a connection cloned and found
 * by search; enmasse export (a download) and import (dry-run plan, then apply); an HTTP channel's page
 * links to its OpenAPI document, a SOAP channel's to its WSDL too (issue 15).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT } from '../helpers/env.js';
import {
  adminCall,
  editObject,
  field,
  invokeService,
  kindPath,
  labelled,
  openHistoryDiff,
  restoreShownVersion,
  runAction,
  submitNew,
  waitForPath,
  waitText,
} from '../helpers/web-admin-flows.js';
import { useWebAdmin } from '../helpers/web-admin-fixture.js';
import type { WebPage } from '../helpers/browser.js';

/** e2e.call (GET through outgoing HTTP `backend`) and e2e.tick (POST /ticks to it). */
const SERVICES = readFileSync(join(ROOT, 'test/fixtures/backend-call-services.ts'), 'utf8');

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
        '    - { name: call-soap, urlPath: /call.soap, service: e2e.call, dataFormat: soap }',
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

const page = (): Promise<WebPage> => fx.adminPage();

describe('web admin: operations through forms and buttons', () => {
  it("edits an outgoing HTTP connection's timeout in the form; the next call uses it", async () => {
    const { page: p, shot } = await page();
    expect((await fx.env.fetch('/call?delay=600')).status).toBe(200);
    const r = await editObject(p, 'outgoing.http', 'backend', { timeoutMs: 300 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await waitText(p.getByRole('status').filter({ hasText: /^Saved/ }), /Saved HTTP outgoing connection `backend`/);
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
    const before = (await fx.env.admin<{ version: number }>('GET', '/wharf/admin/config/outgoing.http/backend')).body
      .version;
    const v = await openHistoryDiff(p, 'outgoing.http', 'backend');
    await shot('history-diff');
    await expect.poll(() => p.locator('main').textContent()).toMatch(/timeoutMs/);
    const r = await restoreShownVersion(p);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ fromVersion: v });
    const now = await fx.env.admin<{ version: number; data: { timeoutMs: number } }>(
      'GET',
      '/wharf/admin/config/outgoing.http/backend',
    );
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

  it('clones a connection from its page and finds it with "Search objects"', async () => {
    const { page: p, shot } = await page();
    await p.goto(kindPath('outgoing.http', 'backend'));
    await p.getByRole('link', { name: 'Clone', exact: true }).click();
    await waitForPath(p, '/kinds/outgoing.http/new');
    expect(new URL(p.url()).searchParams.get('clone')).toBe('backend');
    await expect.poll(() => field(p, 'address').inputValue()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await submitNew(p, 'outgoing.http', { name: 'backend-clone' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const [orig, clone] = await Promise.all(
      ['backend', 'backend-clone'].map(
        async (n) =>
          (await fx.env.admin<{ data: Record<string, unknown> }>('GET', `/wharf/admin/config/outgoing.http/${n}`)).body
            .data,
      ),
    );
    expect({ ...clone, name: 'backend' }).toEqual(orig);
    await p.goto(kindPath('outgoing.http'));
    await p.getByRole('link', { name: 'backend', exact: true }).waitFor();
    await labelled(p, 'Search objects').fill('clone');
    await expect.poll(() => p.getByRole('link', { name: 'backend', exact: true }).count()).toBe(0);
    await p.getByRole('link', { name: 'backend-clone', exact: true }).waitFor();
    await shot('search-clone');
  });

  it("an HTTP channel's page links to its OpenAPI document; a SOAP channel's to its WSDL too", async () => {
    const { page: p, shot } = await page();
    const follow = (href: string): Promise<{ status: number; type: string; text: string }> =>
      p.evaluate(async (u) => {
        const r = await fetch(u);
        return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
      }, href);
    await p.goto(kindPath('channels.http', 'call-soap'));
    const openapi = p.getByRole('link', { name: 'OpenAPI 3.1', exact: true });
    const wsdl = p.getByRole('link', { name: 'WSDL', exact: true });
    await wsdl.waitFor();
    const oa = await follow((await openapi.getAttribute('href'))!);
    expect(oa.status).toBe(200);
    expect(Object.keys((JSON.parse(oa.text) as { paths: object }).paths)).toEqual(['/call.soap']);
    const ws = await follow((await wsdl.getAttribute('href'))!);
    expect(ws).toMatchObject({ status: 200, type: 'text/xml; charset=utf-8' });
    expect(ws.text).toContain('<wsdl:definitions name="call-soap"');
    await p.getByText('/call.soap?wsdl', { exact: true }).waitFor();
    // The row reads as a sentence: spaces kept around the links and the hint (htm drops wrapped whitespace).
    const row = (await p.locator('dd', { has: openapi }).innerText()).replace(/\s+/g, ' ').trim();
    expect(row).toBe(
      'OpenAPI 3.1 · WSDL (for clients: /wharf/openapi.json?channel=call-soap, /call.soap?wsdl on the server)',
    );
    await shot('channel-contract-links');
    await p.goto(kindPath('channels.http', 'call'));
    const openapiOnly = p.getByRole('link', { name: 'OpenAPI 3.1', exact: true });
    await openapiOnly.waitFor();
    expect(await p.getByRole('link', { name: 'WSDL', exact: true }).count()).toBe(0);
    expect((await p.locator('dd', { has: openapiOnly }).innerText()).replace(/\s+/g, ' ').trim()).toBe(
      'OpenAPI 3.1 (for clients: /wharf/openapi.json?channel=call on the server)',
    );
  });

  it('enmasse in the browser: "Export YAML" downloads every object; an imported file is planned (dry run), then applied', async () => {
    const { page: p, shot } = await page();
    await p.goto('/enmasse');
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('button', { name: 'Export YAML', exact: true }).click(),
    ]);
    const yaml = readFileSync((await download.path())!, 'utf8');
    expect(yaml).toMatch(/name: backend/);
    expect(yaml).toMatch(/name: tick-hourly/);
    const dir = mkdtempSync(join(tmpdir(), 'wharf-e2e-enmasse-'));
    const file = join(dir, 'more.yaml');
    writeFileSync(
      file,
      [
        'outgoing:',
        '  http:',
        '    - name: from-yaml',
        '      address: http://127.0.0.1:9',
        '      timeoutMs: 1234',
        '',
      ].join('\n'),
    );
    await labelled(p, 'Import YAML file').setInputFiles(file);
    const dry = await adminCall(p, 'POST', /^\/api\/admin\/enmasse\/import$/, () =>
      p.getByRole('button', { name: 'Dry run', exact: true }).click(),
    );
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    const plan = p.getByRole('table', { name: 'Import plan' });
    await waitText(plan, /from-yaml/);
    await waitText(plan, /create/);
    expect((await fx.env.admin('GET', '/wharf/admin/config/outgoing.http/from-yaml')).status).toBe(404); // a dry run writes nothing
    await shot('enmasse-plan');
    const applied = await adminCall(p, 'POST', /^\/api\/admin\/enmasse\/import$/, () =>
      p.getByRole('button', { name: 'Apply', exact: true }).click(),
    );
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    const made = await fx.env.admin<{ data: { timeoutMs: number } }>(
      'GET',
      '/wharf/admin/config/outgoing.http/from-yaml',
    );
    expect(made.status).toBe(200);
    expect(made.body.data.timeoutMs).toBe(1234);
    rmSync(dir, { recursive: true, force: true });
  });
});
