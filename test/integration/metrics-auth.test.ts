/**
 * /wharf/metrics is authenticated by default (issue 13): 401 with a challenge and the registry's
 * body without credentials or with a wrong token; 200 with the admin's credentials or the metrics
 * bearer token the quickstart wrote; `metrics.public: true` in server.yaml opens it again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, type TestEnv } from '../helpers/env.js';

describe('/wharf/metrics authentication', () => {
  let env: TestEnv;
  let token: string;
  const basic = (user: string, password: string): string =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  beforeAll(async () => {
    env = await createEnv({ workers: 1 });
    token = readFileSync(join(env.dir, 'metrics.token'), 'utf8').trim();
  });
  afterAll(async () => {
    await env?.destroy();
  });

  it('the quickstart wrote a token file (0600) and server.yaml points at it', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(readFileSync(join(env.dir, 'server1/config/server.yaml'), 'utf8')).toMatch(
      /metrics:\n\s+public: false\n\s+bearerTokenFile: \.\.\/metrics\.token/,
    );
  });

  it('401 without credentials: WWW-Authenticate and the error registry body', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await env.fetch('/wharf/metrics', { method });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Basic realm="Wharf admin", Bearer realm="Wharf metrics"');
      if (method === 'GET')
        expect(await r.json()).toMatchObject({
          error: { code: 'WHARF_ERR_UNAUTHORIZED', message: expect.stringMatching(/metrics/) as unknown },
        });
    }
  });

  it('200 with the admin credentials', async () => {
    const r = await env.fetch('/wharf/metrics', { headers: { authorization: basic('admin', env.adminPassword) } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await r.text()).toMatch(/^wharf_workers\{server="server1"\} 1$/m);
  });

  it('200 with the bearer token; 401 with a wrong token or password', async () => {
    const ok = await env.fetch('/wharf/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^wharf_workers\{server="server1"\} 1$/m);
    for (const authorization of [
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      'Bearer ',
      basic('admin', 'wrong-password'),
      basic('nobody', 'x'),
    ]) {
      const r = await env.fetch('/wharf/metrics', { headers: { authorization } });
      expect(r.status, authorization).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_UNAUTHORIZED');
    }
  });

  it('wharf info says who may read it', async () => {
    expect(await env.ok(['info', 'ENV'])).toContain(
      `server1 /wharf/metrics: admin credentials or the bearer token in ${join(env.dir, 'metrics.token')}`,
    );
  });

  it('metrics.public: true opens it (after a restart)', async () => {
    const file = join(env.dir, 'server1/config/server.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('public: false', 'public: true'));
    await env.stop();
    await env.start();
    const r = await env.fetch('/wharf/metrics');
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/^wharf_workers\{server="server1"\} 1$/m);
  });
});
