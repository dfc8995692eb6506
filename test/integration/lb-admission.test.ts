/**
 * HAProxy's health checks as the LB agent configures them, on the real Debian HAProxy, with two
 * plain HTTP servers standing in for Wharf servers (GET /wharf/ping): a server that is not
 * listening when HAProxy starts is marked down; the moment it answers, `admitWhenAnswering` (the
 * agent's, and `wharf start`'s, fast admission) puts it up over the stats socket, without waiting
 * for `rise` checks; a server that dies is still taken out by the checks and the traffic it refuses,
 * and no request through HAProxy fails meanwhile.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitWhenAnswering, haproxyCommand, serverStates } from '../../src/cluster/lb/admit.js';
import { writeErrorPages } from '../../src/cluster/lb/agent.js';
import { haproxyConfig, type Backend } from '../../src/cluster/lb/haproxy-config.js';
import { findHaproxy, startOrReload, stopHaproxy } from '../../src/cluster/lb/haproxy.js';
import { defaultLbSettings } from '../../src/cluster/lb/kind.js';
import { freePorts } from '../support/cluster/cluster-env.js';
import { waitFor } from '../helpers/wait.js';

function pingServer(name: string, port: number): Promise<Server> {
  const s = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ server: name, path: req.url }));
  });
  return new Promise((r) => s.listen(port, '127.0.0.1', () => r(s)));
}

async function getThrough(port: number): Promise<{ status: number; server?: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/wharf/ping`, { headers: { connection: 'close' } });
  const text = await r.text();
  return { status: r.status, server: r.status === 200 ? (JSON.parse(text) as { server: string }).server : undefined };
}

const bin = findHaproxy();

describe.skipIf(!bin)('HAProxy health checks and fast admission (real HAProxy)', () => {
  let dir: string;
  let socket: string;
  let pidFile: string;
  let front: number;
  let backends: Backend[];
  const servers: Server[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-lb-admit-'));
    mkdirSync(join(dir, 'run'));
    writeErrorPages(dir);
    socket = join(dir, 'run/haproxy.sock');
    pidFile = join(dir, 'haproxy.pid');
    const base = await freePorts(3);
    front = base;
    backends = [
      { name: 'server1', host: '127.0.0.1', port: base + 1 },
      { name: 'server2', host: '127.0.0.1', port: base + 2 },
    ];
    // server1 answers from the start; server2 is not listening yet when HAProxy starts.
    servers.push(await pingServer('server1', base + 1));
    const cfg = haproxyConfig(defaultLbSettings({ frontendPort: front }), backends, {
      errorsDir: join(dir, 'errors'),
      statsSocket: socket,
    });
    writeFileSync(join(dir, 'haproxy.cfg'), cfg);
    expect(await startOrReload(bin!, join(dir, 'haproxy.cfg'), pidFile, socket)).toBe('started');
  });

  afterAll(async () => {
    await stopHaproxy(pidFile, 2000).catch(() => undefined);
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a server not listening at HAProxy start is marked down; requests meanwhile go to the other one', async () => {
    await waitFor(
      'server2 DOWN in HAProxy',
      async () => (await serverStates(socket)).get('server2') === 'DOWN',
      10_000,
    );
    expect((await serverStates(socket)).get('server1')).toMatch(/^UP/);
    for (let i = 0; i < 6; i++) expect(await getThrough(front)).toEqual({ status: 200, server: 'server1' });
  });

  it('admitted the moment it answers: UP at once, with a 2 s check interval and rise 2', async () => {
    const admission = admitWhenAnswering(backends, socket);
    servers.push(await pingServer('server2', backends[1]!.port));
    expect((await admission.done).sort()).toEqual(['server1', 'server2']);
    // Right after the stats-socket command: up, and taking requests (round robin over both).
    expect((await serverStates(socket)).get('server2')).toMatch(/^UP/);
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 6; i++) {
      const r = await getThrough(front);
      expect(r.status).toBe(200);
      seen.add(r.server);
    }
    expect([...seen].sort()).toEqual(['server1', 'server2']);
  });

  it('a server that dies is taken out (checks, and the connections it refuses), no request through HAProxy fails', async () => {
    const dead = servers.pop()!;
    await new Promise((r) => {
      dead.close(r);
      dead.closeAllConnections();
    });
    let failed = 0;
    await waitFor(
      'server2 DOWN after it died',
      async () => {
        const r = await getThrough(front);
        if (r.status !== 200) failed++;
        return (await serverStates(socket)).get('server2') === 'DOWN';
      },
      15_000,
    );
    expect(failed).toBe(0);
    for (let i = 0; i < 4; i++) expect(await getThrough(front)).toEqual({ status: 200, server: 'server1' });
  });

  it('the stats socket refuses an unknown server (the admission reports it, HAProxy keeps running)', async () => {
    expect(await haproxyCommand(socket, 'set server wharf_servers/nope health up')).toMatch(/No such server/i);
    expect((await getThrough(front)).status).toBe(200);
  });
});
