/**
 * The web admin process over HTTP (no browser): quickstart → start (servers, then the web admin) →
 * status → login through the admin API's tokens → proxied calls with CSRF → logout; refusals
 * (wrong password, cross-origin login, path traversal), security headers, the admin API down, and
 * the CLI around it: info, stop, --fg --component web-admin with Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createEnv, eventually, ROOT, type TestEnv } from '../helpers/env.js';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** A raw request (fetch would normalise `..` away). */
function raw(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web admin server', () => {
  let env: TestEnv;
  let wa: string;
  let cookie = '';
  let csrf = '';
  beforeAll(async () => {
    env = await createEnv({ workers: 1 });
    wa = env.webAdmin;
  });
  afterAll(async () => {
    await env?.destroy();
  });

  const login = (body: unknown, headers: Record<string, string> = { origin: '' }): Promise<Response> =>
    fetch(`${wa}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers, ...(headers['origin'] === '' ? { origin: wa } : {}) },
      body: JSON.stringify(body),
    });

  it('starts with the environment and says the admin API is up', async () => {
    const r = await fetch(`${wa}/api/status`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ adminApi: 'up', adminUrl: env.base });
    const info = await env.ok(['info', 'ENV', '--json']);
    const row = (JSON.parse(info) as Array<Record<string, unknown>>).find((x) => x['component'] === 'web-admin');
    expect(row).toMatchObject({ state: 'running', running: true, url: wa, adminUrl: env.base, adminApi: 'up' });
    expect(row?.['pid']).toBeGreaterThan(0);
  });

  it('serves the shell with the security headers on every answer', async () => {
    for (const path of ['/', '/kinds/channel.http', '/api/status', '/api/session']) {
      const r = await fetch(`${wa}${path}`);
      expect(r.headers.get('content-security-policy'), path).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
    const shell = await fetch(`${wa}/services/x`);
    expect(shell.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await shell.text()).toMatch(/\/static\/app\.js/);
  });

  it('refuses a cross-origin login and one without same-origin proof', async () => {
    const foreign = await login({ username: 'admin', password: env.adminPassword }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    const cross = await login(
      { username: 'admin', password: env.adminPassword },
      { origin: wa, 'sec-fetch-site': 'cross-site' },
    );
    expect(cross.status).toBe(403);
    const none = await login({ username: 'admin', password: env.adminPassword }, {});
    expect(none.status).toBe(403);
  });

  it('a wrong password is 401 from the admin API, no cookie', async () => {
    const r = await login({ username: 'admin', password: 'wrong' });
    expect(r.status).toBe(401);
    expect(((await r.json()) as ErrorBody).error.code).toBe('WHARF_ERR_UNAUTHORIZED');
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  it('without a session the admin API is closed: 401 WHARF_ERR_SESSION_EXPIRED', async () => {
    const r = await fetch(`${wa}/api/admin/kinds`);
    expect(r.status).toBe(401);
    expect(((await r.json()) as ErrorBody).error.code).toBe('WHARF_ERR_SESSION_EXPIRED');
    const me = await fetch(`${wa}/api/session`);
    expect(me.status).toBe(401);
  });

  it('logs in (HttpOnly, SameSite=Strict cookie) and proxies GET kinds with the session', async () => {
    const r = await login({ username: 'admin', password: env.adminPassword });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { user: string; csrf: string };
    expect(body.user).toBe('admin');
    expect(body.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^wharf_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
    csrf = body.csrf;
    const me = (await (await fetch(`${wa}/api/session`, { headers: { cookie } })).json()) as {
      user: string;
      csrf: string;
      expiresAt: string;
    };
    expect(me).toMatchObject({ user: 'admin', csrf });
    expect(Date.parse(me.expiresAt)).toBeGreaterThan(Date.now());
    const kinds = await fetch(`${wa}/api/admin/kinds`, { headers: { cookie } });
    expect(kinds.status).toBe(200);
    const k = (await kinds.json()) as { kinds: Array<{ id: string }> };
    expect(k.kinds.map((x) => x.id)).toContain('security.basicAuth');
  });

  it('non-GET needs x-csrf-token (403 WHARF_ERR_CSRF), then works; names with / and spaces round-trip', async () => {
    const data = { name: 'a/b c', username: 'u1', password: 'p1', realm: 'r' };
    const no = await fetch(`${wa}/api/admin/config/security.basicAuth`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(data),
    });
    expect(no.status).toBe(403);
    expect(((await no.json()) as ErrorBody).error.code).toBe('WHARF_ERR_CSRF');
    const wrong = await fetch(`${wa}/api/admin/config/security.basicAuth`, {
      method: 'POST',
      headers: {
        cookie,
        'content-type': 'application/json',
        'x-csrf-token': csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      },
      body: JSON.stringify(data),
    });
    expect(wrong.status).toBe(403);
    const ok = await fetch(`${wa}/api/admin/config/security.basicAuth`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(data),
    });
    expect(ok.status, await ok.clone().text()).toBe(201);
    const got = await fetch(`${wa}/api/admin/config/security.basicAuth/${encodeURIComponent('a/b c')}`, {
      headers: { cookie },
    });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { name: string }).name).toBe('a/b c');
    const invalid = await fetch(`${wa}/api/admin/config/security.basicAuth`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as ErrorBody).error.code).toBe('WHARF_ERR_CONFIG_INVALID');
    const del = await fetch(`${wa}/api/admin/config/security.basicAuth/${encodeURIComponent('a/b c')}`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(del.status).toBe(200);
  });

  it('refuses path traversal and anything outside /wharf/admin/', async () => {
    for (const path of [
      '/api/admin/../../wharf/ping',
      '/api/admin/%2e%2e/%2e%2e/wharf/ping',
      '/api/admin/config/..%2F..%2Fping',
      '/api/admin/a\\..\\b',
      '/api/admin/config//x',
      '/api/admin/a%5c..',
    ]) {
      const r = await raw(wa, path, { cookie });
      expect(r.status, path).toBe(400);
      expect((JSON.parse(r.body) as ErrorBody).error.code).toBe('WHARF_ERR_BAD_REQUEST');
    }
    const r = await raw(wa, '/static/../../package.json');
    expect(r.status).toBe(404);
  });

  it('logout needs CSRF, then the session is gone (401)', async () => {
    expect((await fetch(`${wa}/api/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    const out = await fetch(`${wa}/api/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ loggedOut: true });
    const after = await fetch(`${wa}/api/admin/kinds`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as ErrorBody).error.code).toBe('WHARF_ERR_SESSION_EXPIRED');
  });

  it('admin API stopped → 502 WHARF_ERR_ADMIN_DOWN and status down; wharf stop stops the web admin', async () => {
    const r = await login({ username: 'admin', password: env.adminPassword });
    expect(r.status).toBe(200);
    const c = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    await env.ok(['stop', 'ENV', '--component', 'server1']);
    const down = await fetch(`${wa}/api/admin/kinds`, { headers: { cookie: c } });
    expect(down.status).toBe(502);
    const e = (await down.json()) as ErrorBody;
    expect(e.error.code).toBe('WHARF_ERR_ADMIN_DOWN');
    expect(e.error.message).toBe(`The admin API at ${env.base} is not answering`);
    const st = (await (await fetch(`${wa}/api/status`)).json()) as { adminApi: string };
    expect(st.adminApi).toBe('down');
    const stopped = await env.cli(['stop', 'ENV']);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/web-admin stopped/);
    await expect(fetch(`${wa}/api/status`)).rejects.toThrow();
    expect(existsSync(join(env.dir, 'web-admin/pids/web-admin.pid'))).toBe(false);
  });

  it('--fg --component web-admin answers in the foreground and stops on Ctrl-C (SIGINT)', async () => {
    const child = spawn(process.execPath, [BIN, 'start', env.dir, '--fg', '--component', 'web-admin'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await eventually(async () => (await fetch(`${wa}/api/status`)).ok, 20_000, `fg web admin up: ${out}`);
    const st = (await (await fetch(`${wa}/api/status`)).json()) as { adminApi: string };
    expect(st.adminApi).toBe('down'); // the server is stopped
    child.kill('SIGINT');
    expect(await code).toBe(0);
    expect(out).toMatch(/web admin stopped/);
    await expect(fetch(`${wa}/api/status`)).rejects.toThrow();
  });
});
