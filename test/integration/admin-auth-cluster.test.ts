/**
 * Admin API tokens across the servers of a cluster (PostgreSQL ODB, Redis, HAProxy): a token issued
 * by one server works on the other (the key comes from the shared secret.key), a logout on one is
 * refused by the other within ~2 s (revocation in ODB state), and the load balancer does not let
 * remote clients choose their throttling address (HAProxy sets x-wharf-client-addr to the client's
 * own address unless the client is local, like the web admin).
 */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterEnv, eventually, type ClusterEnv } from '../support/cluster/cluster-env.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Answer> {
  const r = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** A non-loopback address of this host, to connect from (to 127.0.0.1) as a "remote" client. */
const remote = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

/** POST JSON from `localAddress`; the status. */
function post(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: unknown,
  localAddress?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        ...(localAddress ? { localAddress } : {}),
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
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
    const login = await call(
      env.url(1, '/wharf/admin/auth/login'),
      'POST',
      {},
      { username: 'admin', password: env.adminPassword },
    );
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${login.body['token'] as string}` };
    expect((await call(env.url(1, '/wharf/admin/version'), 'GET', auth)).status).toBe(200);
    expect((await call(env.url(2, '/wharf/admin/version'), 'GET', auth)).status).toBe(200);
    expect((await call(env.url('lb', '/wharf/admin/version'), 'GET', auth)).status).toBe(200);
    expect((await call(env.url(2, '/wharf/admin/auth/logout'), 'POST', auth)).status).toBe(200);
    expect((await call(env.url(2, '/wharf/admin/version'), 'GET', auth)).status).toBe(401);
    const t0 = Date.now();
    await eventually(
      async () => (await call(env.url(1, '/wharf/admin/version'), 'GET', auth)).status === 401,
      5000,
      'server1 refuses the revoked token',
    );
    expect(Date.now() - t0).toBeLessThan(2600);
  });

  it('through the load balancer, clients get their own address; only a local client (the web admin) may pass one on', async () => {
    const logs = (): string[] => (env.log(1) + env.log(2)).split('\n');
    const failureOf = async (user: string): Promise<string> =>
      eventually(
        () => logs().find((l) => l.includes('admin login failed') && l.includes(`"user":"${user}"`)),
        5000,
        `failure of ${user} logged`,
      );
    // A local client through the LB (the web admin's case): its x-wharf-client-addr goes through.
    await post(
      env.lbPort,
      '/wharf/admin/auth/login',
      { 'x-wharf-client-addr': '203.0.113.98' },
      { username: 'local-probe', password: 'wrong' },
    );
    expect(await failureOf('local-probe')).toContain('"address":"203.0.113.98"');
    // A remote client (this host's non-loopback address as the source) cannot choose its address.
    if (!remote) return;
    const r = await post(
      env.lbPort,
      '/wharf/admin/auth/login',
      { 'x-wharf-client-addr': '203.0.113.99' },
      { username: 'remote-probe', password: 'wrong' },
      remote,
    );
    expect(r).toBe(401);
    const line = await failureOf('remote-probe');
    expect(line).toContain(`"address":"${remote}"`);
    expect(line).not.toContain('203.0.113.99');
    // Straight to a server from a non-loopback peer, the header is ignored too.
    await post(
      env.basePort,
      '/wharf/admin/auth/login',
      { 'x-wharf-client-addr': '203.0.113.97' },
      { username: 'remote-direct', password: 'wrong' },
      remote,
    );
    expect(await failureOf('remote-direct')).toContain(`"address":"${remote}"`);
  });
});
