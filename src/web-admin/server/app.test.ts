/**
 * The web admin's app against a small stand-in admin API on loopback (the real one is exercised by
 * test/integration/web-admin-server.test.ts): token refresh, 401 → session expired, 429 passed on,
 * the client address on login, body limits, the Host check, static files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from './config.js';
import { startWebAdmin, type Running } from './run.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let admin: Server;
let adminUrl: string;
const seen: Seen[] = [];
let tokenMs = 15 * 60_000;
let tokenN = 0;
let revoked = new Set<string>();

function json(
  res: import('node:http').ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  admin = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.url === '/wharf/ping') return json(res, 200, { ok: true });
      if (req.url === '/wharf/admin/auth/login') {
        const b = JSON.parse(body) as { username: string; password: string };
        if (b.username === 'slow')
          return json(
            res,
            429,
            { error: { code: 'WHARF_ERR_TOO_MANY_REQUESTS', message: 'Too many' } },
            { 'retry-after': '7' },
          );
        if (b.password !== 'pw')
          return json(res, 401, { error: { code: 'WHARF_ERR_UNAUTHORIZED', message: 'Invalid admin credentials' } });
        return json(res, 200, {
          token: `tok${++tokenN}`,
          expiresAt: new Date(Date.now() + tokenMs).toISOString(),
          user: b.username,
        });
      }
      if (!bearer || revoked.has(bearer))
        return json(res, 401, { error: { code: 'WHARF_ERR_UNAUTHORIZED', message: 'no' } });
      if (req.url === '/wharf/admin/auth/refresh')
        return json(res, 200, {
          token: `tok${++tokenN}`,
          expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
          user: 'admin',
        });
      if (req.url === '/wharf/admin/auth/logout') {
        revoked.add(bearer);
        return json(res, 200, { loggedOut: true });
      }
      return json(
        res,
        req.method === 'POST' ? 201 : 200,
        { url: req.url, method: req.method, token: bearer, body },
        { 'x-wharf-cid': 'c1', 'set-cookie': 'evil=1' },
      );
    });
  });
  await new Promise<void>((r) => admin.listen(0, '127.0.0.1', () => r()));
  const a = admin.address();
  adminUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

afterAll(async () => {
  await new Promise((r) => admin.close(r));
});

describe('web admin app', () => {
  let wa: Running;
  let base: string;
  let publicDir: string;
  beforeAll(async () => {
    publicDir = mkdtempSync(join(tmpdir(), 'wa-public-'));
    writeFileSync(join(publicDir, 'app.js'), `console.log(${JSON.stringify('x'.repeat(5000))});\n`);
    const cfg = buildConfig({ adminUrl, port: 0, idleSeconds: 60 });
    wa = await startWebAdmin(cfg, { stdoutLog: false, signals: false, publicDir });
    base = wa.url;
  });
  afterAll(async () => {
    await wa?.close();
  });
  beforeEach(() => {
    seen.length = 0;
    tokenMs = 15 * 60_000;
  });

  async function login(user = 'admin', password = 'pw'): Promise<{ cookie: string; csrf: string; status: number }> {
    const r = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ username: user, password }),
    });
    const body = (await r.json()) as { csrf: string };
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    return { cookie, csrf: body.csrf, status: r.status };
  }

  it('login passes the browser address as x-wharf-client-addr and sets the session cookie', async () => {
    const r = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'pw' }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(
      /^wharf_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const call = seen.find((s) => s.url === '/wharf/admin/auth/login')!;
    expect(call.headers['x-wharf-client-addr']).toBe('127.0.0.1');
    expect(JSON.parse(call.body)).toEqual({ username: 'admin', password: 'pw' });
  });

  it('passes 401 and 429 (with Retry-After) from the admin API', async () => {
    const bad = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'no' }),
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_UNAUTHORIZED');
    expect(bad.headers.get('set-cookie')).toBeNull();
    const slow = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'slow', password: 'pw' }),
    });
    expect(slow.status).toBe(429);
    expect(slow.headers.get('retry-after')).toBe('7');
  });

  it('refuses a login without same-origin proof, with a foreign Origin or Sec-Fetch-Site, or not JSON', async () => {
    const body = JSON.stringify({ username: 'admin', password: 'pw' });
    const cases: Array<Record<string, string>> = [
      {},
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: base, 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of cases) {
      const r = await fetch(`${base}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    const ok = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body,
    });
    expect(ok.status).toBe(200);
    const form = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=admin&password=pw',
    });
    expect(form.status).toBe(415);
    const junk = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: '{',
    });
    expect(junk.status).toBe(400);
    const missing = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: '{"username":"admin"}',
    });
    expect(missing.status).toBe(400);
    expect(
      ((await missing.json()) as { error: { details: { problems: string[] } } }).error.details.problems[0],
    ).toMatch(/^password: /);
  });

  it('proxies with the Bearer token, never the browser cookies or Authorization; filters response headers', async () => {
    const s = await login();
    const r = await fetch(`${base}/api/admin/config/channel.http/a%2Fb%20c?x=1`, {
      headers: { cookie: `${s.cookie}; other=1`, authorization: 'Basic Zm9vOmJhcg==' },
    });
    expect(r.status).toBe(200);
    const b = (await r.json()) as { url: string; token: string };
    expect(b.url).toBe('/wharf/admin/config/channel.http/a%2Fb%20c?x=1');
    const call = seen.find((x) => x.url.startsWith('/wharf/admin/config/'))!;
    expect(call.headers.authorization).toMatch(/^Bearer tok\d+$/);
    expect(call.headers.cookie).toBeUndefined();
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(r.headers.get('x-wharf-cid')).toBe('c1');
  });

  it('never lets admin tokens reach the browser: auth/* is not proxied', async () => {
    const s = await login();
    for (const path of ['auth/login', 'auth/refresh', 'AUTH/refresh', 'auth/logout?x=1', 'auth']) {
      const r = await fetch(`${base}/api/admin/${path}`, {
        method: 'POST',
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(r.status, path).toBe(404);
    }
    expect(seen.filter((x) => x.url.startsWith('/wharf/admin/auth/') && x.url !== '/wharf/admin/auth/login')).toEqual(
      [],
    );
  });

  it('non-GET needs the CSRF header; JSON bodies only; bodies over 20 MB get 413', async () => {
    const s = await login();
    const no = await fetch(`${base}/api/admin/config/x`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(no.status).toBe(403);
    expect(((await no.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_CSRF');
    const wrong = await fetch(`${base}/api/admin/config/x`, {
      method: 'DELETE',
      headers: { cookie: s.cookie, 'x-csrf-token': 'nope' },
    });
    expect(wrong.status).toBe(403);
    const foreign = await fetch(`${base}/api/admin/config/x`, {
      method: 'POST',
      headers: {
        cookie: s.cookie,
        'x-csrf-token': s.csrf,
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    const ok = await fetch(`${base}/api/admin/config/x`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { body: string }).body).toBe('{"a":1}');
    const text = await fetch(`${base}/api/admin/config/x`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
    const big = await fetch(`${base}/api/admin/services`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
      body: Buffer.alloc(21 * 1024 * 1024, 0x20),
    }).catch((e: Error) => e);
    if (!(big instanceof Error)) expect(big.status).toBe(413);
    const trace = await fetch(`${base}/api/admin/kinds`, { method: 'OPTIONS', headers: { cookie: s.cookie } });
    expect(trace.status).toBe(405);
  });

  it('refreshes the admin token when less than 5 minutes are left', async () => {
    tokenMs = 4 * 60_000;
    const s = await login();
    const first = `tok${tokenN}`;
    const r = await fetch(`${base}/api/admin/kinds`, { headers: { cookie: s.cookie } });
    const b = (await r.json()) as { token: string };
    expect(
      seen.some((x) => x.url === '/wharf/admin/auth/refresh' && x.headers.authorization === `Bearer ${first}`),
    ).toBe(true);
    expect(b.token).not.toBe(first);
    seen.length = 0;
    await fetch(`${base}/api/admin/kinds`, { headers: { cookie: s.cookie } });
    expect(seen.some((x) => x.url === '/wharf/admin/auth/refresh')).toBe(false);
  });

  it('a token the admin API refuses ends the session (401 WHARF_ERR_SESSION_EXPIRED)', async () => {
    const s = await login();
    revoked.add(`tok${tokenN}`);
    const r = await fetch(`${base}/api/admin/kinds`, { headers: { cookie: s.cookie } });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_SESSION_EXPIRED');
    expect((await fetch(`${base}/api/session`, { headers: { cookie: s.cookie } })).status).toBe(401);
    revoked = new Set();
  });

  it('logout needs CSRF, revokes the token, ends the session', async () => {
    const s = await login();
    expect((await fetch(`${base}/api/session`, { method: 'DELETE', headers: { cookie: s.cookie } })).status).toBe(403);
    const out = await fetch(`${base}/api/session`, {
      method: 'DELETE',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(seen.some((x) => x.url === '/wharf/admin/auth/logout')).toBe(true);
    const after = await fetch(`${base}/api/admin/kinds`, { headers: { cookie: s.cookie } });
    expect(after.status).toBe(401);
  });

  it('GET /api/session: 401 UNAUTHORIZED without a cookie, SESSION_EXPIRED with an unknown one', async () => {
    const none = await fetch(`${base}/api/session`);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_UNAUTHORIZED');
    const stale = await fetch(`${base}/api/session`, { headers: { cookie: `wharf_session=${'A'.repeat(43)}` } });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_SESSION_EXPIRED');
  });

  it('serves static files with ETag, 304, gzip; refuses traversal; shell for UI routes', async () => {
    const r = await fetch(`${base}/static/app.js`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/javascript/);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    const etag = r.headers.get('etag')!;
    expect((await fetch(`${base}/static/app.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}/static/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/static/..%2Fapp.js`)).status).toBe(404);
    const shell = await fetch(`${base}/kinds/channel.http/x`);
    expect(shell.headers.get('content-type')).toMatch(/text\/html/);
    expect(await shell.text()).toMatch(/<script type="module" src="\/static\/app.js">/);
    expect(shell.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/api/nope`)).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding) when bound to loopback', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const u = new URL(base);
      request({ host: u.hostname, port: u.port, path: '/api/status', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).end();
    });
    expect(status).toBe(403);
  });
});

describe('web admin with the admin API down', () => {
  it('says so: /api/status down, proxied calls and login 502 WHARF_ERR_ADMIN_DOWN', async () => {
    const cfg = buildConfig({ adminUrl: 'http://127.0.0.1:1', port: 0 });
    const wa = await startWebAdmin(cfg, { stdoutLog: false, signals: false });
    try {
      const st = (await (await fetch(`${wa.url}/api/status`)).json()) as { adminApi: string; adminUrl: string };
      expect(st).toMatchObject({ adminApi: 'down', adminUrl: 'http://127.0.0.1:1' });
      const r = await fetch(`${wa.url}/api/session`, {
        method: 'POST',
        headers: { origin: wa.url, 'content-type': 'application/json' },
        body: '{"username":"a","password":"b"}',
      });
      expect(r.status).toBe(502);
      const e = (await r.json()) as { error: { code: string; message: string } };
      expect(e.error).toMatchObject({
        code: 'WHARF_ERR_ADMIN_DOWN',
        message: 'The admin API at http://127.0.0.1:1 is not answering',
      });
    } finally {
      await wa.close();
    }
  });

  it('a port in use is a StartError with exit code 3', async () => {
    const cfg = buildConfig({ adminUrl: 'http://127.0.0.1:1', port: 0 });
    const a = await startWebAdmin(cfg, { stdoutLog: false, signals: false });
    try {
      const port = Number(new URL(a.url).port);
      await expect(
        startWebAdmin(buildConfig({ adminUrl: 'http://127.0.0.1:1', port }), { stdoutLog: false, signals: false }),
      ).rejects.toMatchObject({ exitCode: 3 });
    } finally {
      await a.close();
    }
  });
});
