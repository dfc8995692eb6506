/**
 * Bad and hostile input in a real Chromium: a form with invalid values shows each message at its field
 * (aria-invalid, the message tied to the input) and keeps what was typed; a name holding `<script>` and
 * an `onerror` image is shown as text on every page (no dialog, no element made from it); deleting a
 * referenced object names who references it; a deleted object's page says it does not exist; a service
 * file that does not compile is refused at its line; `next` after login stays on the web admin; a page
 * on another origin (same site, so the cookie goes along) can neither write with the user's session
 * nor log a browser in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/env.js';
import type { WebPage } from '../helpers/browser.js';
import {
  createObject,
  deleteFromPage,
  describedBy,
  field,
  kindPath,
  labelled,
  loginOk,
  openNewForm,
  submitNew,
  until,
  waitText,
} from '../helpers/web-admin-flows.js';
import { useWebAdmin } from '../helpers/web-admin-fixture.js';

const ECHO = `import { service, text } from 'wharf';
export class Echo extends service({ name: 'demo.echo', input: { text: text().default('hi') } }) {
  async handle() {
    return { echo: this.input.text };
  }
}
`;

const fx = useWebAdmin('bad-input', {
  async before(env) {
    await env.deploy('echo.ts', ECHO);
  },
});

const page = (): Promise<WebPage> => fx.adminPage();

const HOSTILE = `<script>alert('xss')</script><img src=x onerror="alert(2)">`;

describe('web admin: bad and hostile input', () => {
  it('a form with invalid values shows each message at its field and keeps what was typed', async () => {
    const { page: p, shot } = await page();
    await openNewForm(p, 'channels.http');
    const r = await submitNew(p, 'channels.http', {
      name: 'orders',
      urlPath: 'orders/no-slash',
      service: 'demo.echo',
      timeoutMs: -5,
    });
    expect(r.status).toBe(400);
    await expect.poll(() => field(p, 'urlPath').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => field(p, 'timeoutMs').getAttribute('aria-invalid')).toBe('true');
    expect(await field(p, 'name').getAttribute('aria-invalid')).not.toBe('true');
    expect(await describedBy(p, 'urlPath')).toMatch(/must start with \//);
    expect(await describedBy(p, 'timeoutMs')).toMatch(/too small|> ?0|positive/i);
    await shot('channel-form-error');
    // nothing lost, nothing written
    expect(await field(p, 'name').inputValue()).toBe('orders');
    expect(await field(p, 'urlPath').inputValue()).toBe('orders/no-slash');
    expect(await field(p, 'service').inputValue()).toBe('demo.echo');
    expect((await fx.env.admin('GET', '/wharf/admin/config/channels.http/orders')).status).toBe(404);
    // fixed at the field, the same form creates it
    await field(p, 'urlPath').fill('/orders');
    await field(p, 'timeoutMs').fill('5000');
    const ok = await submitNew(p, 'channels.http', {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('a name holding <script> and an onerror image is shown as text, never run', async () => {
    const { page: p, shot, dialogs, pageErrors } = await page();
    await createObject(p, 'outgoing.http', { name: HOSTILE, address: 'http://127.0.0.1:9' });
    await p.getByRole('heading', { name: HOSTILE }).first().waitFor();
    await shot('xss-object-page');
    for (const where of [kindPath('outgoing.http'), '/history', '/']) {
      await p.goto(where);
      await p.getByRole('button', { name: 'Log out' }).waitFor();
      if (where !== '/') await p.getByText(HOSTILE, { exact: true }).first().waitFor();
      const injected = await p.evaluate(() => ({
        images: document.querySelectorAll('img[src="x"]').length,
        scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent?.includes('xss')).length,
      }));
      expect(injected, where).toEqual({ images: 0, scripts: 0 });
    }
    await shot('xss-list');
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("deleting a referenced object shows who references it; a deleted object's page says it does not exist", async () => {
    const { page: p, shot } = await page();
    await fx.env.admin('POST', '/wharf/admin/config/outgoing.http', { name: 'crm', address: 'http://127.0.0.1:9' });
    await fx.env.admin('POST', '/wharf/admin/config/channels.http', {
      name: 'crm-relay',
      urlPath: '/crm',
      proxyTo: 'crm',
    });
    const refused = await deleteFromPage(p, 'outgoing.http', 'crm');
    expect(refused.status).toBe(409);
    await waitText(p.getByRole('dialog'), /crm-relay/);
    await shot('delete-in-use');
    await fx.env.admin('DELETE', '/wharf/admin/config/channels.http/crm-relay');
    const gone = await deleteFromPage(p, 'outgoing.http', 'crm');
    expect(gone.status).toBe(200);
    await p.goto(kindPath('outgoing.http', 'crm'));
    await p.getByRole('heading', { name: 'Not found', exact: true }).waitFor();
    await p.getByText(/HTTP outgoing connection\s*`?crm`?\s*does not exist/).waitFor();
    await shot('deleted-object');
  });

  it('a service file that does not compile is refused with file:line:column and the source line', async () => {
    const { page: p, shot } = await page();
    const dir = mkdtempSync(join(tmpdir(), 'wharf-e2e-broken-'));
    const file = join(dir, 'broken.ts');
    writeFileSync(
      file,
      [
        "import { service } from 'wharf';",
        "export class Broken extends service({ name: 'demo.broken' }) {",
        '  async handle() { return { a: 1 + }; }',
        '}',
        '',
      ].join('\n'),
    );
    await p.goto('/services');
    const [res] = await Promise.all([
      p.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/admin/services'),
      labelled(p, 'Upload service files').setInputFiles(file),
    ]);
    expect(res.status()).toBe(400);
    const alert = p.getByRole('alert').filter({ hasText: 'broken.ts' });
    await waitText(alert, /broken\.ts:3:\d+/);
    await waitText(alert, /return \{ a: 1 \+ \}/);
    await shot('deploy-refused');
    expect((await fx.env.admin('GET', '/wharf/admin/services/demo.broken')).status).toBe(404);
    rmSync(dir, { recursive: true, force: true });
  });

  it('after login, `next` only leads to a page of the web admin itself (no open redirect)', async () => {
    const { page: p } = await fx.page();
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      await p.goto(`/login?next=${encodeURIComponent(next)}`);
      await loginOk(p, 'admin', fx.env.adminPassword, { goto: false });
      expect(new URL(p.url()).origin, next).toBe(fx.url);
      await p.context().clearCookies();
    }
  });

  it('a page on another origin cannot use the session or log a browser in: form posts refused, nothing written', async () => {
    const { page: p, context } = await page();
    const target = `${fx.url}/api/admin/config/outgoing.http`;
    // same site (127.0.0.1), other port: the SameSite=Strict cookie IS sent, so only the CSRF check stands
    const evil = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const form = (id: string, action: string, field: string, value: string) =>
        `<form id="${id}" method="post" enctype="text/plain" action="${action}"><input name='${field}' value='${value}'></form>`;
      res.end(`<!doctype html><title>evil</title>
        ${form('create', target, '{"name":"evil-form","address":"http://127.0.0.1:9","x":"', '"}')}
        ${form('login', `${fx.url}/api/session`, '{"username":"admin","password":"' + fx.env.adminPassword + '","x":"', '"}')}
        <script>
          fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'evil-fetch', address: 'http://127.0.0.1:9' }) })
            .then((r) => (document.title = 'fetch ' + r.status), () => (document.title = 'fetch blocked'));
        </script>`);
    });
    const port = await freePort();
    await new Promise<void>((r) => evil.listen(port, '127.0.0.1', () => r()));
    try {
      const evilPage = await context.newPage();
      await evilPage.goto(`http://127.0.0.1:${port}/`);
      await until('the fetch settled', async () => /^fetch /.test(await evilPage.title()));
      const [res] = await Promise.all([
        evilPage.waitForResponse((r) => r.url() === target),
        evilPage.evaluate(() => (document.getElementById('create') as HTMLFormElement).submit()),
      ]);
      expect(res.status()).toBe(403);
      for (const n of ['evil-form', 'evil-fetch'])
        expect((await fx.env.admin('GET', `/wharf/admin/config/outgoing.http/${n}`)).status, n).toBe(404);
      // a cross-origin login form (login CSRF) makes no session in a logged-out browser
      const fresh = await fx.page();
      const evil2 = await fresh.context.newPage();
      await evil2.goto(`http://127.0.0.1:${port}/`);
      const [login] = await Promise.all([
        evil2.waitForResponse((r) => r.url() === `${fx.url}/api/session`),
        evil2.evaluate(() => (document.getElementById('login') as HTMLFormElement).submit()),
      ]);
      expect(login.status()).toBe(403);
      expect((await fresh.context.cookies(fx.url)).filter((c) => c.name === 'wharf_session')).toEqual([]);
      await evilPage.close();
      expect(await p.evaluate(async () => (await fetch('/api/session')).status)).toBe(200); // the victim's own session is untouched
    } finally {
      await new Promise((r) => evil.close(r));
    }
  });
});
