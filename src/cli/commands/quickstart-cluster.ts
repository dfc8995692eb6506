/**
 * `wharf quickstart create PATH ODB_TYPE ODB_HOST ODB_PORT ODB_USER ODB_DB KVDB_HOST KVDB_PORT`:
 * a cluster in one command, as the reference's quickstart made it:
 *   [1/8] Certificate authority created        ca/ + certificates for every component
 *   [2/8] ODB schema created                   the same migrations as SQLite, on PostgreSQL/MySQL
 *   [3/8] ODB initial data created             cluster, admin users, LB settings, the servers
 *   [4/8] server1 created ... [5/8] server2     ports from 17010, Redis broker, TLS material
 *   [6/8] Load-balancer created                HAProxy on 11223 with its agent
 *   [7/8] Web admin created                    ENV/web-admin on 8183, calling the admin API through HAProxy
 *   [8/8] Management scripts created           start.sh, stop.sh, restart.sh
 * Everything is checked before anything is written: the ODB is reachable and holds no cluster yet,
 * Redis answers and is recent enough.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { createCa, issueCertificate } from '../../cluster/ca.js';
import { defaultLbSettings, loadBalancerKind } from '../../cluster/lb/kind.js';
import { pingRedis, versionAtLeast } from '../../cluster/redis/connect.js';
import { SecretBox } from '../../config/secrets.js';
import { describeOdb, type OdbConfig } from '../../odb/dialect.js';
import { Odb } from '../../odb/odb.js';
import type { ServerConfigFile } from '../../server/config.js';
import { ENV_FILE, type EnvFile } from '../env.js';
import { CliError, EXIT } from '../exit.js';
import {
  createInitialUsers,
  DEFAULT_WEB_ADMIN_PORT,
  METRICS_TOKEN_FILE,
  writeManagementScripts,
  writeMetricsToken,
  writeWebAdmin,
} from './quickstart-files.js';
import { secureEnv } from './permissions.js';
import { MIN_REDIS } from './start.js';
import { writeSystemdUnits } from './systemd.js';

export type ClusterOdbType = 'postgresql' | 'mysql';

export interface ClusterQuickstartOptions {
  odbType: ClusterOdbType;
  odbHost: string;
  odbPort: number;
  odbUser: string;
  odbDb: string;
  odbPassword?: string | undefined;
  kvdbHost: string;
  kvdbPort: number;
  kvdbPassword?: string | undefined;
  /** Number of servers (default 2). */
  servers?: number | undefined;
  /** First server port (default 17010); server N listens on basePort + N - 1. */
  basePort?: number | undefined;
  lbHost?: string | undefined;
  /** HAProxy frontend (default 11223). */
  lbPort?: number | undefined;
}

interface Resolved {
  path: string;
  dir: string;
  clusterName: string;
  workers?: number | undefined;
  adminPassword?: string | undefined;
  webAdminPort?: number | undefined;
  out: (line: string) => void;
  cluster: ClusterQuickstartOptions;
}

/** `postgres`, `pg`, `mariadb`... → the dialect name. */
export function normalizeOdbType(t: string): ClusterOdbType | 'sqlite' | undefined {
  const v = t.toLowerCase();
  if (['postgresql', 'postgres', 'pg'].includes(v)) return 'postgresql';
  if (['mysql', 'mariadb'].includes(v)) return 'mysql';
  if (['sqlite', 'sqlite3'].includes(v)) return 'sqlite';
  return undefined;
}

export async function quickstartCluster(
  o: Resolved,
): Promise<{ dir: string; cluster: string; adminUser: string; adminPassword: string; webAdmin: string }> {
  const c = o.cluster;
  const n = c.servers ?? 2;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new CliError(`--servers ${n}: between 1 and 64`, EXIT.USAGE);
  const basePort = c.basePort ?? 17010;
  const lbPort = c.lbPort ?? 11223;
  const lbHost = c.lbHost ?? '127.0.0.1';
  const webAdminPort = o.webAdminPort ?? DEFAULT_WEB_ADMIN_PORT;
  if (!Number.isInteger(webAdminPort) || webAdminPort < 1 || webAdminPort > 65535)
    throw new CliError(`--web-admin-port: \`${o.webAdminPort}\` is not a port number`, EXIT.USAGE);
  const odbConfig: OdbConfig = {
    type: c.odbType,
    host: c.odbHost,
    port: c.odbPort,
    user: c.odbUser,
    database: c.odbDb,
    ...(c.odbPassword ? { password: c.odbPassword } : {}),
  };
  const redis = { host: c.kvdbHost, port: c.kvdbPort, ...(c.kvdbPassword ? { password: c.kvdbPassword } : {}) };

  // Checks before anything is written.
  let odb: Odb;
  try {
    odb = await Odb.open(odbConfig);
    await odb.ping();
  } catch (e) {
    throw new CliError(
      `cannot reach the ODB ${describeOdb(odbConfig)}: ${e instanceof Error ? e.message : String(e)}`,
      EXIT.START_FAILED,
    );
  }
  try {
    const existing = await odb.clusterName().catch(() => undefined);
    if (existing !== undefined)
      throw new CliError(
        `the ODB ${describeOdb(odbConfig)} already holds cluster \`${existing}\`; use an empty database (or drop its wharf_* tables)`,
        EXIT.EXISTS,
      );
    let version: string;
    try {
      ({ version } = await pingRedis(redis));
    } catch (e) {
      throw new CliError(
        `cannot reach Redis at ${redis.host}:${redis.port}: ${e instanceof Error ? e.message : String(e)}`,
        EXIT.START_FAILED,
      );
    }
    if (!versionAtLeast(version, MIN_REDIS))
      throw new CliError(
        `Redis at ${redis.host}:${redis.port} is ${version}; Wharf needs ${MIN_REDIS} or newer`,
        EXIT.START_FAILED,
      );

    const total = 3 + n + 3;
    let step = 0;
    const done = (what: string): void => o.out(`[${++step}/${total}] ${what}`);
    const dir = o.dir;
    const serverNames = Array.from({ length: n }, (_, i) => `server${i + 1}`);
    const created: string[] = [];
    try {
      mkdirSync(dir, { recursive: true });
      created.push(dir);
      writeFileSync(join(dir, 'secret.key'), `${SecretBox.generateHex()}\n`, { mode: 0o600 });

      // [1] CA and a certificate for each component.
      const caDir = join(dir, 'ca');
      await createCa(caDir, { name: `Wharf CA ${o.clusterName}` });
      for (const s of serverNames) await issueCertificate(caDir, { name: s, purpose: 'server' });
      await issueCertificate(caDir, { name: 'load-balancer', purpose: 'load-balancer' });
      await issueCertificate(caDir, { name: 'web-admin', purpose: 'web-admin' });
      done('Certificate authority created');

      // [2] Schema.
      await odb.migrate();
      done('ODB schema created');

      // [3] Initial data: cluster, users, LB settings, the servers (the LB's backends from the start).
      await odb.init(o.clusterName);
      const adminPassword = await createInitialUsers(odb, dir, o.adminPassword);
      const lbSettings = defaultLbSettings({ frontendHost: lbHost, frontendPort: lbPort });
      await odb.write((w) =>
        w.putObject(loadBalancerKind.id, 'default', lbSettings as unknown as Record<string, unknown>),
      );
      for (const [i, s] of serverNames.entries()) {
        await odb.reportServer({
          name: s,
          host: '127.0.0.1',
          port: basePort + i,
          pid: 0,
          configVersion: 0,
          moduleHashes: {},
          lastSeen: '',
        });
      }
      done('ODB initial data created');

      // [4..] Servers.
      for (const [i, s] of serverNames.entries()) {
        const serverDir = join(dir, s);
        for (const d of ['config/tls', 'pickup/incoming/services', 'logs', 'pids'])
          mkdirSync(join(serverDir, d), { recursive: true });
        for (const f of [`${s}.crt`, `${s}.key`, 'ca.crt'])
          copyFileSync(join(caDir, 'issued', f), join(serverDir, 'config/tls', f));
        chmodSync(join(serverDir, 'config/tls', `${s}.key`), 0o600);
        const cfg: Partial<ServerConfigFile> = {
          name: s,
          host: '127.0.0.1',
          port: basePort + i,
          workers: o.workers ?? 0,
          odb: odbConfig,
          broker: { type: 'redis', ...redis },
          pickupDir: 'pickup/incoming/services',
          logFile: 'logs/server.log',
          pidFile: 'pids/server.pid',
          secretKeyFile: '../secret.key',
          metrics: { public: false, bearerTokenFile: `../${METRICS_TOKEN_FILE}` },
        };
        writeFileSync(
          join(serverDir, 'config', 'server.yaml'),
          `# ${s} of ${o.clusterName}. workers: 0 = one per CPU. Changes here need a restart; channels and services never do.\n# Holds the ODB and Redis passwords: keep it private (0600).\n${stringify(cfg)}`,
          { mode: 0o600 },
        );
        done(`${s} created (127.0.0.1:${basePort + i})`);
      }

      // [n+4] Load balancer.
      const lbDir = join(dir, 'load-balancer');
      for (const d of ['config', 'tls', 'logs', 'pids', 'run']) mkdirSync(join(lbDir, d), { recursive: true });
      copyFileSync(join(caDir, 'issued', 'load-balancer.pem'), join(lbDir, 'tls', 'load-balancer.pem'));
      chmodSync(join(lbDir, 'tls', 'load-balancer.pem'), 0o600);
      copyFileSync(join(caDir, 'issued', 'ca.crt'), join(lbDir, 'tls', 'ca.crt'));
      const lbYaml = {
        name: 'load-balancer',
        settings: 'default',
        odb: odbConfig,
        redis,
        haproxy: 'haproxy',
        frontendHost: lbHost,
        frontendPort: lbPort,
      };
      writeFileSync(
        join(lbDir, 'config', 'lb.yaml'),
        `# The load balancer of ${o.clusterName}: HAProxy and its agent. Its settings (frontend, timeouts,\n# maxconn, balance) are the admin object cluster.loadBalancer \`default\`, applied live.\n${stringify(lbYaml)}`,
        { mode: 0o600 },
      );
      done(`Load-balancer created (HAProxy on ${lbHost}:${lbPort})`);

      const lbUrlHost = lbHost === '0.0.0.0' ? '127.0.0.1' : lbHost.includes(':') ? `[${lbHost}]` : lbHost;
      const webAdmin = writeWebAdmin(dir, {
        port: webAdminPort,
        adminUrl: `http://${lbUrlHost}:${lbPort}`,
        tlsFrom: join(caDir, 'issued'),
      });
      done(`Web admin created (127.0.0.1:${webAdminPort}, admin API through the load balancer)`);

      const envFile: EnvFile = {
        cluster: o.clusterName,
        type: 'cluster',
        servers: serverNames,
        loadBalancer: { host: lbHost, port: lbPort, dir: 'load-balancer' },
        ca: 'ca',
        webAdmin: 'web-admin',
      };
      writeFileSync(
        join(dir, ENV_FILE),
        `# Wharf environment: a cluster on ${describeOdb(odbConfig)} and Redis ${redis.host}:${redis.port}\n${stringify(envFile)}`,
      );
      writeManagementScripts(dir);
      const tokenFile = writeMetricsToken(dir);
      const units = writeSystemdUnits(
        dir,
        o.clusterName,
        serverNames.map((name) => ({ name })),
      );
      secureEnv(dir);
      done('Management scripts created');

      o.out(`Quickstart cluster ${o.clusterName} created in ${dir}`);
      o.out(`Admin user:[admin], password:[${adminPassword}]`);
      o.out(`Web admin: ${webAdmin} (user admin, the password above)`);
      o.out(`Metrics: /wharf/metrics takes admin credentials or the bearer token in ${tokenFile}`);
      o.out(
        `systemd: one unit per server in ${dirname(units[0]!)} restarts a dead server; install with sudo cp ${dirname(units[0]!)}/*.service /etc/systemd/system/ && sudo systemctl enable --now ${units.map((u) => basename(u)).join(' ')} (or start with --supervise)`,
      );
      o.out(
        `Start it with: npx wharf start ${o.path}   (servers on 127.0.0.1:${basePort}..${basePort + n - 1}, HAProxy on ${lbHost}:${lbPort})`,
      );
      return { dir, cluster: o.clusterName, adminUser: 'admin', adminPassword, webAdmin };
    } catch (e) {
      for (const d of created) rmSync(d, { recursive: true, force: true });
      throw e;
    }
  } finally {
    await odb.close();
  }
}
