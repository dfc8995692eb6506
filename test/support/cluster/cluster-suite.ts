/**
 * The cluster suite, run on PostgreSQL and on MariaDB (test/integration/cluster-*.test.ts): a
 * 2-server cluster behind HAProxy with Redis, made by the quickstart and started by `wharf start`,
 * then every promise of the cluster and each fault: config live everywhere within a second, hot
 * deploy from any pickup directory, live timeouts and LB settings, metrics, drift in `wharf info`,
 * a Redis restart, a kill -9 under load, a restart that rejoins, async invocations that survive the
 * kill of the server that took them, once-per-cluster work that fails over.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Odb } from '../../../src/odb/odb.js';
import {
  childrenOf,
  createClusterEnv,
  eventually,
  REDIS_START,
  ROOT,
  type ClusterEnv,
  type DbType,
} from './cluster-env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');

/** Async jobs that log where they ran; a callback that logs the outcome. */
const ASYNC = `import { appendFileSync } from 'node:fs';
import { bool, int, service, text } from 'wharf';
export class Start extends service({ name: 'qa.async.start', input: { n: int(), ms: int(), log: text(), tag: text() } }) {
  async handle() {
    const cids: string[] = [];
    for (let i = 0; i < this.input.n; i++) cids.push(await this.invokeAsync('qa.async.job', { id: this.input.tag + '-' + i, ms: this.input.ms, log: this.input.log }, { callback: 'qa.async.done' }));
    return { cids, pid: process.pid };
  }
}
export class Job extends service({ name: 'qa.async.job', input: { id: text(), ms: int(), log: text() } }) {
  async handle() {
    appendFileSync(this.input.log, 'start ' + this.input.id + ' ' + process.pid + '\\n');
    await new Promise((r) => setTimeout(r, this.input.ms));
    appendFileSync(this.input.log, 'done ' + this.input.id + ' ' + process.pid + '\\n');
    return { id: this.input.id, log: this.input.log };
  }
}
export class Done extends service({ name: 'qa.async.done', input: { cid: text(), ok: bool() } }) {
  async handle() {
    const out = (this.request.payload as { output?: { id?: string; log?: string } }).output;
    if (out?.log) appendFileSync(out.log, 'callback ' + out.id + ' ' + this.input.ok + '\\n');
    return {};
  }
}
export class Tick extends service({ name: 'qa.tick', input: { log: text() } }) {
  async handle() {
    appendFileSync(this.input.log, 'tick ' + process.pid + ' ' + Date.now() + '\\n');
    return {};
  }
}
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function get(url: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: r.status, text: await r.text() };
}

/** Runs `conc` loops of GET `url` until `stop()`; counts answers that are not 200 with the expected text. */
function load(
  url: string,
  conc: number,
  expect: (t: string) => boolean,
): { stop(): Promise<{ total: number; failed: number; samples: string[] }> } {
  let running = true;
  let total = 0;
  let failed = 0;
  const samples: string[] = [];
  const loops = Array.from({ length: conc }, async () => {
    while (running) {
      total++;
      try {
        const r = await get(url);
        if (r.status !== 200 || !expect(r.text)) {
          failed++;
          if (samples.length < 10) samples.push(`${r.status} ${r.text.slice(0, 200)}`);
        }
      } catch (e) {
        failed++;
        if (samples.length < 10) samples.push(String((e as { cause?: unknown }).cause ?? e));
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { total, failed, samples };
    },
  };
}

function redisCli(...args: string[]): string {
  return execFileSync('redis-cli', args, { encoding: 'utf8' });
}

async function redisUp(): Promise<boolean> {
  try {
    return redisCli('ping').trim() === 'PONG';
  } catch {
    return false;
  }
}

export function clusterSuite(type: DbType): void {
  describe(`cluster of 2 servers on ${type === 'postgresql' ? 'PostgreSQL' : 'MariaDB'}, Redis and HAProxy`, () => {
    let env: ClusterEnv;
    const metricsAuth = (): Record<string, string> => ({
      authorization: `Bearer ${readFileSync(join(env.dir, 'metrics.token'), 'utf8').trim()}`,
    });
    beforeAll(async () => {
      // A long ODB poll: what reaches the other server must come through Redis (or its reconnect).
      env = await createClusterEnv(type, {
        servers: 2,
        workers: 2,
        serverYaml: 'syncIntervalMs: 60000',
        env: { WHARF_ASYNC_CLAIM_IDLE_MS: '3000' },
      });
    });
    afterAll(async () => {
      if (!(await redisUp())) execFileSync('redis-server', REDIS_START);
      await env?.destroy();
    });

    it('quickstart printed its 8 steps; start checked the ODB, Redis and HAProxy; HAProxy spreads requests over both servers', async () => {
      const steps = env.quickstartOutput.match(/^\[\d\/8\] .+$/gm) ?? [];
      expect(steps.map((s) => s.slice(0, 6))).toEqual([
        '[1/8] ',
        '[2/8] ',
        '[3/8] ',
        '[4/8] ',
        '[5/8] ',
        '[6/8] ',
        '[7/8] ',
        '[8/8] ',
      ]);
      expect(env.quickstartOutput).toMatch(/\[1\/8\] Certificate authority created/);
      expect(env.quickstartOutput).toMatch(/\[7\/8\] Web admin created \(127\.0\.0\.1:\d+/);
      expect(env.quickstartOutput).toMatch(/web-admin started \(pid \d+\) on http:\/\/127\.0\.0\.1:\d+/);
      expect(env.quickstartOutput).toMatch(/Redis 127\.0\.0\.1:6379: PONG, version \d/);
      expect(env.quickstartOutput).toMatch(/HAProxy .*configuration valid, 2 server\(s\)/);
      for (const f of [
        'start.sh',
        'stop.sh',
        'restart.sh',
        'ca/ca.crt',
        'server1/config/tls/server1.crt',
        'load-balancer/tls/load-balancer.pem',
      ])
        expect(existsSync(join(env.dir, f))).toBe(true);
      const seen = await eventually(
        async () => {
          const s = new Set<string>();
          for (let i = 0; i < 10; i++)
            s.add(
              (
                (await (await fetch(env.url('lb', '/wharf/ping'), { headers: { connection: 'close' } })).json()) as {
                  server: string;
                }
              ).server,
            );
          return s.size === 2 ? s : undefined;
        },
        15_000,
        'both servers behind HAProxy',
      );
      expect([...seen].sort()).toEqual(['server1', 'server2']);
    });

    it('a service deployed on server1 and a channel created through server1 answer through server2 and the LB within 1 s', async () => {
      const dep = await env.admin<{ services: string[] }>(1, 'POST', '/wharf/admin/services', {
        name: 'echo.ts',
        source: ECHO,
      });
      expect(dep.status).toBe(200);
      const t0 = Date.now();
      const created = await env.admin(1, 'POST', '/wharf/admin/config/channels.http', {
        name: 'echo',
        urlPath: '/echo',
        service: 'test.echo',
        method: 'GET',
      });
      expect(created.status).toBe(201);
      await eventually(
        async () => (await get(env.url(2, '/echo?name=s2'))).status === 200,
        1000,
        'channel on server2',
        5,
      );
      await eventually(
        async () => (await get(env.url('lb', '/echo?name=lb'))).status === 200,
        1000,
        'channel through the LB',
        5,
      );
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(JSON.parse((await get(env.url(2, '/echo?name=x'))).text)).toMatchObject({
        input: { name: 'x' },
        channel: 'echo',
      });
    });

    it('a service dropped in server2’s pickup directory is live on server1', async () => {
      env.pickup(2, 'async.ts', ASYNC);
      await eventually(
        async () =>
          (
            await env.admin<{ items: Array<{ service: string; status: string }> }>(1, 'GET', '/wharf/admin/services')
          ).body.items.some((s) => s.service === 'qa.tick' && s.status === 'deployed'),
        15_000,
        'pickup on server2 live on server1',
      );
      // "deployed" is the server's view; each of its workers loads the module on its own sync, so the
      // invocation (which any worker may take) is retried while one of them still answers 503.
      const r = await eventually(
        async () => {
          const a = await env.admin<{ output: unknown }>(1, 'POST', '/wharf/admin/services/qa.tick/invoke', {
            input: { log: join(env.parent, 'tick-once.log') },
          });
          return a.status === 503 ? undefined : a;
        },
        10_000,
        'qa.tick invoked on server1',
      );
      expect(r.status).toBe(200);
    });

    it('an HTTP timeout change made on server2 is live on server1 without a restart', async () => {
      await env.admin(2, 'POST', '/wharf/admin/config/channels.http', {
        name: 'slow',
        urlPath: '/slow',
        service: 'test.slow',
        method: 'GET',
        timeoutMs: 5000,
      });
      await eventually(
        async () => (await get(env.url(1, '/slow?ms=600'))).status === 200,
        3000,
        'slow channel on server1',
      );
      const edited = await env.admin(2, 'PATCH', '/wharf/admin/config/channels.http/slow', { timeoutMs: 200 });
      expect(edited.status).toBe(200);
      const r = await eventually(
        async () => {
          const x = await get(env.url(1, '/slow?ms=600'));
          return x.status === 504 ? x : undefined;
        },
        2000,
        'timeout live on server1',
      );
      expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'WHARF_ERR_TIMEOUT' } });
    });

    it('serves Prometheus metrics per server (summed over workers), kept off the LB frontend', async () => {
      for (let i = 0; i < 20; i++) await get(env.url(1, `/echo?id=${i}`), { headers: { connection: 'close' } });
      await get(env.url(1, '/echo?id=notanint'));
      // /wharf/metrics takes the metrics bearer token the quickstart wrote (or admin credentials).
      expect((await fetch(env.url(1, '/wharf/metrics'))).status).toBe(401);
      const r = await fetch(env.url(1, '/wharf/metrics'), { headers: metricsAuth() });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await r.text();
      const count = Number(
        /wharf_http_requests_total\{server="server1",channel="echo",service="test.echo",code="200"\} (\d+)/.exec(
          text,
        )?.[1],
      );
      expect(count).toBeGreaterThanOrEqual(20);
      expect(text).toMatch(
        /wharf_http_request_errors_total\{server="server1",channel="echo",service="test.echo",class="client"\} [1-9]/,
      );
      expect(text).toMatch(
        /wharf_http_request_duration_seconds_bucket\{server="server1",channel="echo",service="test.echo",le="\+Inf"\} \d+/,
      );
      expect(text).toMatch(/wharf_workers\{server="server1"\} 2/);
      expect(text).toMatch(/wharf_config_version\{server="server1",worker="2"\} \d+/);
      expect(text).toMatch(/wharf_async_invocations_total\{server="server1",event="accepted"\}/);
      expect((await fetch(env.url('lb', '/wharf/metrics'))).status).toBe(403);
    });

    it('LB settings are admin objects applied live: a TLS frontend with the CA’s certificate, metrics exposed, no request dropped by the reloads', async () => {
      const before = readFileSync(join(env.dir, 'load-balancer/haproxy.cfg'), 'utf8');
      const tlsPort = env.lbPort + 1 === env.basePort ? env.lbPort + 3 : env.lbPort + 1;
      const running = load(env.url('lb', '/echo?name=reload'), 8, (t) => t.includes('"reload"'));
      await sleep(300);
      const r = await env.admin(1, 'PATCH', '/wharf/admin/config/cluster.loadBalancer/default', {
        tlsPort,
        exposeMetrics: true,
        maxconn: 3000,
      });
      expect(r.status).toBe(200);
      await eventually(
        async () => (await fetch(env.url('lb', '/wharf/metrics'), { headers: metricsAuth() })).status === 200,
        5000,
        'metrics exposed after reload',
      );
      expect((await fetch(env.url('lb', '/wharf/metrics'))).status).toBe(401); // exposed, still authenticated
      await env.admin(1, 'PATCH', '/wharf/admin/config/cluster.loadBalancer/default', { exposeMetrics: false });
      await eventually(
        async () => (await fetch(env.url('lb', '/wharf/metrics'))).status === 403,
        5000,
        'metrics hidden again',
      );
      const res = await running.stop();
      expect(res.failed, JSON.stringify(res.samples)).toBe(0);
      expect(res.total).toBeGreaterThan(50);
      const after = readFileSync(join(env.dir, 'load-balancer/haproxy.cfg'), 'utf8');
      expect(after).not.toBe(before);
      expect(after).toMatch(/maxconn 3000/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: tlsPort,
            path: '/echo?name=tls',
            ca: readFileSync(join(env.dir, 'ca/ca.crt')),
            servername: 'localhost',
          },
          (res) => {
            let t = '';
            res.on('data', (d: Buffer) => (t += d.toString()));
            res.on('end', () => resolve(t));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toMatchObject({ input: { name: 'tls' } });
    });

    it('wharf info shows each server’s config version and module hashes, and flags drift', async () => {
      const rows = JSON.parse(await env.ok(['info', 'ENV', '--json'])) as Array<Record<string, unknown>>;
      const servers = rows.filter((r) => !r['component']);
      expect(servers.map((r) => [r['server'], r['state']])).toEqual([
        ['server1', 'running'],
        ['server2', 'running'],
      ]);
      for (const s of servers) {
        expect(s['drift']).toEqual([]);
        expect(s['configVersion']).toBe(s['odbVersion']);
        expect(Object.keys(s['modules'] as object).sort()).toEqual(['async.ts', 'echo.ts']);
        expect((s['workerVersions'] as unknown[]).length).toBe(2);
      }
      expect(rows.find((r) => r['component'] === 'load-balancer')).toMatchObject({
        state: 'running',
        backends: [`server1@127.0.0.1:${env.basePort}`, `server2@127.0.0.1:${env.basePort + 1}`],
      });
      // A module the servers cannot load (written straight into the ODB): both now differ from it.
      const odb = await Odb.open(
        type === 'postgresql'
          ? { type, host: '127.0.0.1', port: 5432, user: 'postgres', database: env.db.name }
          : { type, host: '127.0.0.1', port: 3306, user: 'root', database: env.db.name },
      );
      try {
        const { version } = await odb.write((w) =>
          w.putModule({
            name: 'broken.ts',
            source: 'export const = ;',
            hash: 'f'.repeat(64),
            services: ['qa.broken'],
            deployedFrom: 'test',
          }),
        );
        redisCli('publish', `wharf:${env.cluster}:config-changed`, String(version));
        const out = await eventually(
          async () => {
            const t = await env.ok(['info', 'ENV']);
            return /DRIFT: server1 worker 1 runs other service modules than the ODB holds: broken\.ts missing vs ffffffffffff/.test(
              t,
            ) && /DRIFT: server2/.test(t)
              ? t
              : undefined;
          },
          10_000,
          'drift flagged',
        );
        expect(out).toMatch(/DRIFT/);
        const { version: v2 } = await odb.write((w) => w.deleteModule('broken.ts'));
        redisCli('publish', `wharf:${env.cluster}:config-changed`, String(v2));
        await eventually(async () => !(await env.ok(['info', 'ENV'])).includes('DRIFT'), 10_000, 'drift gone');
      } finally {
        await odb.close();
      }
    });

    it('Redis restarted: a change made while it was down reaches server2 on reconnect (resync from the ODB), async works again', async () => {
      const started = Date.now();
      try {
        redisCli('shutdown', 'nosave');
      } catch {
        /* the connection closes as Redis exits */
      }
      await eventually(async () => !(await redisUp()), 5000, 'Redis down');
      try {
        const r = await env.admin(1, 'POST', '/wharf/admin/config/channels.http', {
          name: 'during-outage',
          urlPath: '/outage',
          service: 'test.echo',
          method: 'GET',
        });
        expect(r.status).toBe(201);
        // server1's other worker learns of it over the server's own IPC, within milliseconds
        await eventually(
          async () => (await get(env.url(1, '/outage'))).status === 200,
          3000,
          'server1 serves the new channel',
        );
        await sleep(1000);
        expect((await get(env.url(2, '/outage'))).status).toBe(404); // no broadcast reached it; its ODB poll is 60 s
      } finally {
        execFileSync('redis-server', REDIS_START);
      }
      await eventually(() => redisUp(), 10_000, 'Redis up');
      await eventually(
        async () => (await get(env.url(2, '/outage'))).status === 200,
        10_000,
        'server2 resynced after the reconnect',
        100,
      );
      expect(Date.now() - started).toBeLessThan(30_000);
      // The async stream and its consumer group come back too.
      const log = join(env.parent, 'after-redis.log');
      writeFileSync(log, '');
      await eventually(
        async () =>
          (
            await env.admin(2, 'POST', '/wharf/admin/services/qa.async.start/invoke', {
              input: { n: 3, ms: 10, log, tag: 'r' },
            })
          ).status === 200,
        10_000,
        'invokeAsync after the restart',
      );
      await eventually(
        () => (readFileSync(log, 'utf8').match(/^callback /gm) ?? []).length === 3,
        15_000,
        'async jobs after the Redis restart',
      );
    });

    it('server2 killed -9 while a load runs through HAProxy: under 0.1 % failures; it restarts and rejoins with the current config', async () => {
      const running = load(env.url('lb', '/echo?name=kill'), 16, (t) => t.includes('"kill"'));
      await sleep(2000);
      const pid = env.pid(2)!;
      expect(pid).toBeGreaterThan(0);
      process.kill(-pid, 'SIGKILL');
      await sleep(6000);
      const res = await running.stop();
      console.log(`[${type}] kill -9 under load through HAProxy: ${res.failed} failed of ${res.total} requests`);
      expect(res.total).toBeGreaterThan(1000);
      expect(
        res.failed / res.total,
        `${res.failed} of ${res.total} failed: ${JSON.stringify(res.samples)}`,
      ).toBeLessThan(0.001);
      // A change while it is down, then it comes back: stale pidfile cleaned, current config deployed.
      await env.admin(1, 'POST', '/wharf/admin/config/channels.http', {
        name: 'while-down',
        urlPath: '/while-down',
        service: 'test.echo',
        method: 'GET',
      });
      const restart = await env.cli(['start', 'ENV', '--server', 'server2']);
      expect(restart.code, restart.stderr).toBe(0);
      expect(restart.stdout).toMatch(/removed a stale pidfile/);
      expect((await get(env.url(2, '/while-down?name=back'))).status).toBe(200);
      await eventually(
        async () => {
          for (let i = 0; i < 6; i++)
            if (
              (
                (await (await fetch(env.url('lb', '/wharf/ping'), { headers: { connection: 'close' } })).json()) as {
                  server: string;
                }
              ).server === 'server2'
            )
              return true;
          return false;
        },
        15_000,
        'server2 back behind HAProxy',
      );
    });

    it('async invocations survive a kill -9 of the server that took them (run at least once, callbacks too); exactly once otherwise', async () => {
      // Exactly once when nobody dies.
      const calm = join(env.parent, 'calm.log');
      writeFileSync(calm, '');
      expect(
        (
          await env.admin(1, 'POST', '/wharf/admin/services/qa.async.start/invoke', {
            input: { n: 40, ms: 20, log: calm, tag: 'c' },
          })
        ).status,
      ).toBe(200);
      await eventually(
        () => (readFileSync(calm, 'utf8').match(/^callback /gm) ?? []).length === 40,
        20_000,
        'calm jobs',
      );
      await sleep(500);
      const doneCalm = readFileSync(calm, 'utf8').match(/^done \S+/gm) ?? [];
      expect(doneCalm.length).toBe(40);
      expect(new Set(doneCalm).size).toBe(40);

      // Long jobs, spread over both servers; then server2 dies with some of them running.
      const log = join(env.parent, 'kill.log');
      writeFileSync(log, '');
      const n = 24;
      expect(
        (
          await env.admin(2, 'POST', '/wharf/admin/services/qa.async.start/invoke', {
            input: { n, ms: 4000, log, tag: 'k' },
          })
        ).status,
      ).toBe(200);
      const victim = env.pid(2)!;
      const victimWorkers = new Set(childrenOf(victim));
      await eventually(
        () =>
          (readFileSync(log, 'utf8').match(/^start /gm) ?? []).some((l) => l) &&
          readFileSync(log, 'utf8')
            .split('\n')
            .some((l) => l.startsWith('start ') && victimWorkers.has(Number(l.split(' ')[2]))),
        10_000,
        'server2 took some jobs',
      );
      process.kill(-victim, 'SIGKILL');
      const takenByVictim = readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('start ') && victimWorkers.has(Number(l.split(' ')[2])))
        .map((l) => l.split(' ')[1]!);
      expect(takenByVictim.length).toBeGreaterThan(0);
      await eventually(
        () => new Set(readFileSync(log, 'utf8').match(/^done \S+/gm) ?? []).size === n,
        60_000,
        'every job done despite the kill',
      );
      const text = readFileSync(log, 'utf8');
      for (const id of takenByVictim) expect(text).toMatch(new RegExp(`^done ${id} `, 'm'));
      await eventually(
        () => new Set(readFileSync(log, 'utf8').match(/^callback \S+/gm) ?? []).size === n,
        15_000,
        'every callback',
      );
      await env.ok(['start', 'ENV', '--server', 'server2']);
    });

    it('once-per-cluster work (a scheduler job) runs on one server and fails over within the lease TTL when it dies', async () => {
      const log = join(env.parent, 'ticks.log');
      writeFileSync(log, '');
      const r = await env.admin(1, 'POST', '/wharf/admin/config/scheduler.jobs', {
        name: 'tick',
        type: 'interval',
        every: '1s',
        service: 'qa.tick',
        payload: { log },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      await eventually(() => (readFileSync(log, 'utf8').match(/^tick /gm) ?? []).length >= 3, 15_000, 'ticks');
      const pidsOf = (s: number): Set<number> => new Set(childrenOf(env.pid(s)!));
      const lines = (): Array<[number, number]> =>
        readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('tick '))
          .map((l) => [Number(l.split(' ')[1]), Number(l.split(' ')[2])] as [number, number]);
      const p1 = pidsOf(1);
      const p2 = pidsOf(2);
      const holders = new Set(
        lines()
          .slice(-3)
          .map(([p]) => (p1.has(p) ? 1 : p2.has(p) ? 2 : 0)),
      );
      expect(holders.size).toBe(1); // one server runs it
      const holder = [...holders][0]!;
      expect(holder).toBeGreaterThan(0);
      const other = holder === 1 ? 2 : 1;
      const otherPids = other === 1 ? p1 : p2;
      const killedAt = Date.now();
      process.kill(-env.pid(holder)!, 'SIGKILL');
      const first = await eventually(
        () => lines().find(([p, t]) => otherPids.has(p) && t > killedAt),
        20_000,
        'failover',
      );
      // Lease TTL 10 s (renewed every ~3.3 s) + one interval.
      expect(first[1] - killedAt).toBeLessThan(12_000);
      await env.admin(other, 'DELETE', '/wharf/admin/config/scheduler.jobs/tick');
      await env.ok(['start', 'ENV', '--server', `server${holder}`]);
    });

    it('the web admin reaches the admin API through the load balancer (status, login, a proxied call)', async () => {
      const st = (await (await fetch(`${env.webAdmin}/api/status`)).json()) as { adminApi: string; adminUrl: string };
      expect(st).toEqual({ adminApi: 'up', adminUrl: `http://127.0.0.1:${env.lbPort}` });
      const login = await fetch(`${env.webAdmin}/api/session`, {
        method: 'POST',
        headers: { origin: env.webAdmin, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: env.adminPassword }),
      });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const servers = await fetch(`${env.webAdmin}/api/admin/cluster/servers`, { headers: { cookie } });
      expect(servers.status).toBe(200);
    });

    it('stop stops everything (the web admin, then the load balancer first); a start then brings back every component', async () => {
      const out = await env.ok(['stop', 'ENV']);
      expect(out.trim().split('\n').slice(0, 2)).toEqual(['web-admin stopped', 'load-balancer stopped']);
      await expect(fetch(`${env.webAdmin}/api/status`)).rejects.toThrow();
      expect(out).toMatch(/server1 stopped/);
      expect(out).toMatch(/server2 stopped/);
      await expect(fetch(env.url('lb', '/wharf/ping'))).rejects.toThrow();
      const again = await env.cli(['stop', 'ENV']);
      expect(again.code).toBe(6);
    });
  });
}
