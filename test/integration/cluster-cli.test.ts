/**
 * The cluster's command line without a running cluster: quickstart's option form on MariaDB, its
 * checks (unreachable ODB, an ODB that already holds a cluster, bad arguments), `wharf start`'s
 * checks in order (Redis unreachable, HAProxy missing → how to install it, never installed, the LB
 * port in use naming its holder), `wharf ca`, and the generated scripts.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, freePorts, runCli, type Database } from '../support/cluster/cluster-env.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

describe('cluster CLI: quickstart option form, start checks, ca', () => {
  let db: Database;
  let parent: string;
  let dir: string;
  let lbPort: number;
  beforeAll(async () => {
    db = await createDatabase('mysql');
    parent = mkdtempSync(join(tmpdir(), 'wharf-cluster-cli-'));
    dir = join(parent, 'env');
    lbPort = await freePorts(1);
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('quickstart with options on MariaDB, 3 servers: 9 steps, ports from --base-port, passwords from the environment', async () => {
    const base = await freePorts(3);
    const r = await runCli(
      [
        'quickstart',
        'create',
        dir,
        '--odb-type',
        'mariadb',
        '--odb-host',
        '127.0.0.1',
        '--odb-port',
        '3306',
        '--odb-user',
        'root',
        '--odb-db',
        db.name,
        '--kvdb-host',
        '127.0.0.1',
        '--kvdb-port',
        '6379',
        '--servers',
        '3',
        '--base-port',
        String(base),
        '--lb-port',
        String(lbPort),
        '--cluster-name',
        'cli-test',
        '--workers',
        '1',
      ],
      { env: { WHARF_ODB_PASSWORD: '', WHARF_KVDB_PASSWORD: '' } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^\[\d\/9\]/gm)).toHaveLength(9);
    expect(r.stdout).toMatch(/\[6\/9\] server3 created \(127\.0\.0\.1:\d+\)/);
    expect(r.stdout).toMatch(/\[9\/9\] Management scripts created/);
    expect(r.stdout).toMatch(/Quickstart cluster cli-test created/);
    const s3 = readFileSync(join(dir, 'server3/config/server.yaml'), 'utf8');
    expect(s3).toMatch(new RegExp(`port: ${base + 2}`));
    expect(s3).toMatch(/type: mysql/);
    expect(s3).toMatch(/type: redis/);
    expect(readFileSync(join(dir, 'wharf.yaml'), 'utf8')).toMatch(/type: cluster/);
    for (const f of ['start.sh', 'stop.sh', 'restart.sh'])
      expect(readFileSync(join(dir, f), 'utf8')).toMatch(/wharf\.js" (start|stop) \./);
    // A systemd unit per server; the environment 0700, files with passwords or keys 0600 (issue 13).
    expect(readdirSync(join(dir, 'systemd')).sort()).toEqual(
      ['server1', 'server2', 'server3'].map((n) => `wharf-cli-test-${n}.service`),
    );
    expect(r.stdout).toContain(`systemd: one unit per server in ${join(dir, 'systemd')}`);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['server3/config/server.yaml', 'load-balancer/config/lb.yaml', 'metrics.token', 'ca/ca.key'])
      expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    expect(s3).toMatch(/bearerTokenFile: \.\.\/metrics\.token/);
    const cert = new X509Certificate(readFileSync(join(dir, 'server2/config/tls/server2.crt')));
    expect(cert.checkIssued(new X509Certificate(readFileSync(join(dir, 'ca/ca.crt'))))).toBe(true);
    // The same ODB again: refused, nothing written.
    const again = await runCli(
      [
        'quickstart',
        'create',
        join(parent, 'env2'),
        'mysql',
        '127.0.0.1',
        '3306',
        'root',
        db.name,
        '127.0.0.1',
        '6379',
      ],
      { env: { WHARF_ODB_PASSWORD: '', WHARF_KVDB_PASSWORD: '' } },
    );
    expect(again.code).toBe(10);
    expect(again.stderr).toMatch(/already holds cluster `cli-test`/);
    expect(existsSync(join(parent, 'env2'))).toBe(false);
  });

  it('quickstart refuses an unreachable ODB, an unknown ODB type and cluster options without a type', async () => {
    const down = await runCli(
      [
        'quickstart',
        'create',
        join(parent, 'x1'),
        'postgresql',
        '127.0.0.1',
        '1',
        'postgres',
        'test',
        '127.0.0.1',
        '6379',
      ],
      { env: { WHARF_ODB_PASSWORD: '', WHARF_KVDB_PASSWORD: '' } },
    );
    expect(down.code).toBe(5);
    expect(down.stderr).toMatch(/cannot reach the ODB postgresql:\/\/postgres@127\.0\.0\.1:1\/test/);
    expect(existsSync(join(parent, 'x1'))).toBe(false);
    const bad = await runCli(['quickstart', 'create', join(parent, 'x2'), 'oracle']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/use postgresql or mysql/);
    const stray = await runCli(['quickstart', 'create', join(parent, 'x3'), '--servers', '3']);
    expect(stray.code).toBe(2);
  });

  it('start checks: Redis unreachable; HAProxy missing (says how to install it); the LB port in use, naming its holder', async () => {
    // Redis on a dead port (edit both servers' broker port).
    const yamls = ['server1', 'server2', 'server3'].map((s) => join(dir, s, 'config/server.yaml'));
    const saved = yamls.map((f) => readFileSync(f, 'utf8'));
    try {
      for (const [i, f] of yamls.entries())
        writeFileSync(f, saved[i]!.replace(/(broker:\n(?: {2}.*\n)*? {2}port:) 6379/, '$1 1'));
      const r = await runCli(['start', dir]);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/cannot reach Redis at 127\.0\.0\.1:1/);
    } finally {
      yamls.forEach((f, i) => writeFileSync(f, saved[i]!));
    }
    const noHaproxy = await runCli(['start', dir], { env: { WHARF_HAPROXY: '/nonexistent/haproxy' } });
    expect(noHaproxy.code).toBe(5);
    expect(noHaproxy.stderr).toMatch(/HAProxy is not installed: install it with `apt-get install haproxy`/);
    expect(noHaproxy.stdout).toMatch(/ODB mysql:\/\/root@127\.0\.0\.1:3306\/wharf_it_\w+: reachable/);
    expect(noHaproxy.stdout).toMatch(/Redis 127\.0\.0\.1:6379: PONG, version/);
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(lbPort, '127.0.0.1', () => r()));
    try {
      const busy = await runCli(['start', dir]);
      expect(busy.code).toBe(3);
      expect(busy.stderr).toMatch(
        new RegExp(`load-balancer: port 127\\.0\\.0\\.1:${lbPort} is in use by pid ${process.pid}`),
      );
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    // Nothing was started by any of these.
    expect(existsSync(join(dir, 'server1/pids/server.pid'))).toBe(false);
    expect((await runCli(['stop', dir])).code).toBe(6);
  });

  it('--fg runs one component: asking for several is a usage error naming them', async () => {
    const r = await runCli(['start', dir, '--fg']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fg runs one component: .*--component load-balancer/);
  });

  it('wharf ca create ca / server: a CA and a certificate it signed', async () => {
    const ca = join(parent, 'myca');
    const a = await runCli(['ca', 'create', 'ca', ca, '--name', 'Test CA']);
    expect(a.code, a.stderr).toBe(0);
    const again = await runCli(['ca', 'create', 'ca', ca]);
    expect(again.code).toBe(10);
    const s = await runCli(['ca', 'create', 'server', ca, 'srv9', '--host', 'srv9.example.com', '10.1.2.3']);
    expect(s.code, s.stderr).toBe(0);
    const cert = new X509Certificate(readFileSync(join(ca, 'issued/srv9.crt')));
    expect(cert.checkHost('srv9.example.com')).toBe('srv9.example.com');
    expect(cert.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(cert.checkIssued(new X509Certificate(readFileSync(join(ca, 'ca.crt'))))).toBe(true);
  });
});
