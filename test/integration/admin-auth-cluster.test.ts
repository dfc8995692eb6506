/**
 * Admin API tokens across the servers of a cluster (PostgreSQL ODB, Redis, HAProxy): a token issued
 * by one server works on the other (the key comes from the shared secret.key), a logout on one is
 * refused by the other within ~2 s (revocation in ODB state), and the load balancer does not let
 * clients choose their throttling address (x-wharf-client-addr is dropped at the frontend).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterEnv, eventually, type ClusterEnv } from '../../src/cluster/testing/cluster-env.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(url: string, method: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const r = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

describe('admin API tokens in a cluster', () => {
  let env: ClusterEnv;
  beforeAll(async () => {
    env = await createClusterEnv('postgresql', { servers: 2, workers: 1 });
  }, 180_000);
  afterAll(async () => {
    await env?.destroy();
  });

  it('a token from server1 works on server2; logout on server2 is refused by server1 within ~2 s', async () => {
    const login = await call(env.url(1, '/wharf/admin/auth/login'), 'POST', {}, { username: 'admin', password: env.adminPassword });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${login.body['token'] as string}` };
    expect((await call(env.url(1, '/wharf/admin/version'), 'GET', auth)).status).toBe(200);
    expect((await call(env.url(2, '/wharf/admin/version'), 'GET', auth)).status).toBe(200);
    expect((await call(env.url('lb', '/wharf/admin/version'), 'GET', auth)).status).toBe(200);
    expect((await call(env.url(2, '/wharf/admin/auth/logout'), 'POST', auth)).status).toBe(200);
    expect((await call(env.url(2, '/wharf/admin/version'), 'GET', auth)).status).toBe(401);
    const t0 = Date.now();
    await eventually(async () => (await call(env.url(1, '/wharf/admin/version'), 'GET', auth)).status === 401, 5000, 'server1 refuses the revoked token');
    expect(Date.now() - t0).toBeLessThan(2600);
  });

  it('through the load balancer, x-wharf-client-addr is not believed (HAProxy drops it)', async () => {
    const r = await call(env.url('lb', '/wharf/admin/auth/login'), 'POST', { 'x-wharf-client-addr': '203.0.113.99' }, { username: 'lb-probe', password: 'wrong' });
    expect(r.status).toBe(401);
    const logs = (): string => env.log(1) + env.log(2);
    await eventually(() => logs().split('\n').some((l) => l.includes('admin login failed') && l.includes('"user":"lb-probe"')), 5000, 'failure logged');
    const line = logs().split('\n').find((l) => l.includes('"user":"lb-probe"'))!;
    expect(line).not.toContain('203.0.113.99');
    // Straight to a server from loopback (as the local web admin does), the header is believed.
    await call(env.url(1, '/wharf/admin/auth/login'), 'POST', { 'x-wharf-client-addr': '203.0.113.98' }, { username: 'direct-probe', password: 'wrong' });
    await eventually(() => env.log(1).split('\n').some((l) => l.includes('"user":"direct-probe"') && l.includes('"address":"203.0.113.98"')), 5000, 'direct failure logged with the passed address');
  });
});
