/**
 * `wharf start` of a 2-server cluster (PostgreSQL, Redis, HAProxy): HAProxy starts beside the servers
 * and each server is admitted the moment it answers, so when `wharf start` returns a request through
 * the load balancer is answered 200 and both servers are UP in HAProxy; the LB agent adopted the
 * HAProxy `wharf start` ran. A server killed -9 is taken out (requests through HAProxy keep
 * succeeding), and put back by HAProxy's checks when it is started again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverStates } from '../../src/cluster/lb/admit.js';
import { createClusterEnv, eventually, type ClusterEnv } from '../support/cluster/cluster-env.js';

async function lbPing(env: ClusterEnv): Promise<{ status: number; server?: string }> {
  const r = await fetch(env.url('lb', '/wharf/ping'), { headers: { connection: 'close' } });
  const body = (await r.json()) as { server?: string };
  return { status: r.status, server: body.server };
}

describe('cluster start through HAProxy, a killed server taken out', () => {
  let env: ClusterEnv;
  const socket = (): string => join(env.dir, 'load-balancer/run/haproxy.sock');

  beforeAll(async () => {
    env = await createClusterEnv('postgresql', { servers: 2, workers: 1, start: false });
  });
  afterAll(async () => {
    await env?.destroy();
  });

  it('wharf start returns with both servers UP in HAProxy and a 200 through it; the agent adopted HAProxy', async () => {
    const r = await env.cli(['start', 'ENV']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /load-balancer started \(agent pid \d+, haproxy pid \d+\) on http:\S+, answering through HAProxy/,
    );
    // No wait: the moment `wharf start` has returned.
    expect((await lbPing(env)).status).toBe(200);
    const states = await serverStates(socket());
    expect(states.get('server1')).toMatch(/^UP/);
    expect(states.get('server2')).toMatch(/^UP/);
    const log = readFileSync(join(env.dir, 'load-balancer/logs/agent.log'), 'utf8');
    expect(log).toMatch(/"msg":"haproxy adopted"/);
    expect(log).not.toMatch(/"msg":"haproxy started"/);
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 6; i++) seen.add((await lbPing(env)).server);
    expect([...seen].sort()).toEqual(['server1', 'server2']);
  });

  it('server2 killed -9: taken out of HAProxy, every request through it still answered 200; started again, put back', async () => {
    const pid = env.pid(2)!;
    process.kill(-pid, 'SIGKILL');
    let failed = 0;
    await eventually(
      async () => {
        if ((await lbPing(env)).status !== 200) failed++;
        return (await serverStates(socket())).get('server2') === 'DOWN';
      },
      15_000,
      'server2 DOWN in HAProxy',
    );
    expect(failed).toBe(0);
    for (let i = 0; i < 4; i++) expect(await lbPing(env)).toEqual({ status: 200, server: 'server1' });
    const again = await env.cli(['start', 'ENV', '--server', 'server2']);
    expect(again.code, again.stderr).toBe(0);
    await eventually(
      async () => ((await serverStates(socket())).get('server2') ?? '').startsWith('UP'),
      15_000,
      'server2 UP again in HAProxy',
    );
    await eventually(
      async () => {
        for (let i = 0; i < 4; i++) if ((await lbPing(env)).server === 'server2') return true;
        return false;
      },
      10_000,
      'server2 answering through HAProxy',
    );
  });
});
