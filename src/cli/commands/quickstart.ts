/**
 * `wharf quickstart create PATH`: a complete environment in one command. The embedded default is
 * one server on 127.0.0.1:11223 with a SQLite ODB and no Redis, and the web admin on 127.0.0.1:8183
 * (--web-admin-port); admin credentials are printed once.
 * With an ODB type (`postgresql` or `mysql`), a cluster: see quickstart-cluster.ts.
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { SecretBox } from '../../config/secrets.js';
import { Odb } from '../../odb/odb.js';
import type { ServerConfigFile } from '../../server/config.js';
import { ENV_FILE, type EnvFile } from '../env.js';
import { CliError, EXIT } from '../exit.js';
import { secureEnv } from './permissions.js';
import { writeSystemdUnits } from './systemd.js';
import { quickstartCluster, type ClusterQuickstartOptions } from './quickstart-cluster.js';
import {
  createInitialUsers,
  DEFAULT_WEB_ADMIN_PORT,
  METRICS_TOKEN_FILE,
  writeManagementScripts,
  writeMetricsToken,
  writeWebAdmin,
} from './quickstart-files.js';

export { script } from './quickstart-files.js';

export interface QuickstartOptions {
  path: string;
  clusterName?: string | undefined;
  port?: number | undefined;
  workers?: number | undefined;
  adminPassword?: string | undefined;
  /** The web admin's port (default 8183). */
  webAdminPort?: number | undefined;
  out?: (line: string) => void;
  /** A cluster (servers + Redis + HAProxy) on this ODB; the embedded default when absent. */
  cluster?: ClusterQuickstartOptions | undefined;
}

export interface QuickstartResult {
  dir: string;
  cluster: string;
  adminUser: string;
  adminPassword: string;
  /** The web admin's URL. */
  webAdmin: string;
}

export async function quickstartCreate(opts: QuickstartOptions): Promise<QuickstartResult> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dir = resolve(opts.path);
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new CliError(`${opts.path} exists and is not empty; choose another path`, EXIT.EXISTS);
  const cluster = opts.clusterName ?? `quickstart-${randomInt(100000, 999999)}`;
  if (opts.cluster) return quickstartCluster({ ...opts, out, dir, clusterName: cluster, cluster: opts.cluster });
  const webAdminPort = opts.webAdminPort ?? DEFAULT_WEB_ADMIN_PORT;
  if (!Number.isInteger(webAdminPort) || webAdminPort < 1 || webAdminPort > 65535)
    throw new CliError(`--web-admin-port: \`${opts.webAdminPort}\` is not a port number`, EXIT.USAGE);
  const steps = 6;
  let step = 0;
  const done = (what: string): void => out(`[${++step}/${steps}] ${what}`);

  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'secret.key'), `${SecretBox.generateHex()}\n`, { mode: 0o600 });
  done('Secret key created');

  mkdirSync(join(dir, 'odb'), { recursive: true });
  const odbPath = join(dir, 'odb', 'wharf.db');
  const odb = await Odb.open({ type: 'sqlite', path: odbPath });
  try {
    await odb.migrate();
    done('ODB schema created');
    await odb.init(cluster);
    const adminPassword = await createInitialUsers(odb, dir, opts.adminPassword);
    done('ODB initial data created');

    const serverDir = join(dir, 'server1');
    for (const d of ['config', 'pickup/incoming/services', 'logs', 'pids'])
      mkdirSync(join(serverDir, d), { recursive: true });
    const serverConfig: Partial<ServerConfigFile> = {
      name: 'server1',
      host: '127.0.0.1',
      port: opts.port ?? 11223,
      workers: opts.workers ?? 0,
      odb: { type: 'sqlite', path: relative(serverDir, odbPath) },
      broker: { type: 'ipc' },
      pickupDir: 'pickup/incoming/services',
      logFile: 'logs/server.log',
      pidFile: 'pids/server.pid',
      secretKeyFile: '../secret.key',
      metrics: { public: false, bearerTokenFile: `../${METRICS_TOKEN_FILE}` },
    };
    writeFileSync(
      join(serverDir, 'config', 'server.yaml'),
      `# server1 of ${cluster}. workers: 0 = one per CPU. Changes here need a restart; channels and services never do.\n${stringify(serverConfig)}`,
    );
    done(`server1 created (127.0.0.1:${serverConfig.port})`);

    const webAdmin = writeWebAdmin(dir, { port: webAdminPort, adminUrl: `http://127.0.0.1:${serverConfig.port}` });
    done(`Web admin created (127.0.0.1:${webAdminPort})`);

    const envFile: EnvFile = { cluster, servers: ['server1'], webAdmin: 'web-admin' };
    writeFileSync(join(dir, ENV_FILE), `# Wharf environment\n${stringify(envFile)}`);
    writeManagementScripts(dir);
    const tokenFile = writeMetricsToken(dir);
    const [unit] = writeSystemdUnits(dir, cluster, [{ name: 'server1' }]);
    secureEnv(dir, [odbPath]);
    done('Management scripts created');

    out(`Quickstart cluster ${cluster} created in ${dir}`);
    out(`Admin user:[admin], password:[${adminPassword}]`);
    out(`Web admin: ${webAdmin} (user admin, the password above)`);
    out(`Metrics: /wharf/metrics takes admin credentials or the bearer token in ${tokenFile}`);
    out(
      `systemd: ${unit} restarts a dead server; install it with sudo cp ${unit} /etc/systemd/system/ && sudo systemctl enable --now ${basename(unit!)} (or start with --supervise)`,
    );
    out(`Start it with: npx wharf start ${opts.path}`);
    return { dir, cluster, adminUser: 'admin', adminPassword, webAdmin };
  } finally {
    await odb.close();
  }
}
