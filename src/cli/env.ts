/**
 * An environment directory, as `wharf quickstart create` lays it out:
 *   wharf.yaml            what the environment holds (cluster name, servers, load balancer)
 *   secret.key            the key secrets are encrypted with (0600)
 *   cli-credentials.json  the admin API user the CLI calls with (0600)
 *   metrics.token         the bearer token a Prometheus scraper sends to /wharf/metrics (0600)
 *   systemd/              one unit per server (wharf-<cluster>-<server>.service), to install by hand
 *   odb/wharf.db          the embedded ODB (SQLite; a cluster's ODB is PostgreSQL or MySQL)
 *   server1/ ...          config/server.yaml, pickup/incoming/services/, logs/, pids/ (+ config/tls/)
 *   load-balancer/        a cluster's HAProxy and its agent: config/lb.yaml, haproxy.cfg, tls/, pids/
 *   web-admin/            the web admin: web-admin.yaml, logs/, pids/ (tls/ in a cluster)
 *   ca/                   a cluster's certificate authority (ca.crt, ca.key, issued/)
 *   start.sh stop.sh restart.sh
 * Directories are 0700 and secret files 0600 (commands/permissions.ts, checked at every start).
 * A component directory (`ENV/server2`, `ENV/load-balancer`, `ENV/web-admin`) given instead of ENV
 * selects that component only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { isLbDir, loadLbConfig, type LbConfig } from '../cluster/lb/config.js';
import { loadServerConfig, SERVER_CONFIG_PATH, type ServerConfig } from '../server/config.js';
import { buildConfig, configFile, isWebAdminDir, type WebAdminConfig } from '../web-admin/server/config.js';
import { ENV_FILE } from './api-env.js';
import { CliError, EXIT } from './exit.js';

export { CREDENTIALS_FILE, credentials, ENV_FILE, pickServer } from './api-env.js';

export interface EnvFile {
  cluster: string;
  /** `cluster`: servers on PostgreSQL/MySQL + Redis behind HAProxy; absent: the embedded default. */
  type?: 'embedded' | 'cluster' | undefined;
  servers: string[];
  /** A cluster's load balancer: its directory and (initial) frontend. */
  loadBalancer?: { host: string; port: number; dir?: string | undefined } | undefined;
  /** A cluster's certificate authority directory. */
  ca?: string | undefined;
  /** The web admin's directory (holds web-admin.yaml). */
  webAdmin?: string | undefined;
}

/** The name `--component` takes for the web admin (its configured name works too). */
export const WEB_ADMIN_COMPONENT = 'web-admin';

export interface Env {
  dir: string;
  file: EnvFile;
  servers: ServerConfig[];
  /** The load balancer component, in a cluster environment. */
  lb?: LbConfig | undefined;
  /** The web admin component. */
  webAdmin?: WebAdminConfig | undefined;
  /** Set when a component directory was given instead of the environment. */
  only?: { server?: string; lb?: boolean; webAdmin?: boolean } | undefined;
}

/** Reads a web admin directory's configuration (sync: the CLI has `yaml` loaded anyway). */
export function loadWebAdmin(dir: string): WebAdminConfig {
  const file = configFile(dir);
  if (!file) throw new Error(`${dir}: no web-admin.yaml`);
  const text = readFileSync(file, 'utf8');
  const raw: unknown = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}: expected a mapping`);
  return buildConfig(raw as Record<string, unknown>, dir);
}

export function isServerDir(dir: string): boolean {
  return existsSync(join(dir, SERVER_CONFIG_PATH));
}

export function openEnv(path: string): Env {
  const dir = resolve(path);
  if (!existsSync(dir)) throw new CliError(`${path}: no such environment directory`, EXIT.NOT_FOUND);
  // A component directory given directly: its environment is the parent, the component the selection.
  if (isServerDir(dir) && !existsSync(join(dir, ENV_FILE))) {
    const parent = resolve(dir, '..');
    const env = openEnv(parent);
    const s = env.servers.find((x) => x.dir === dir);
    return s ? { ...env, only: { server: s.name } } : env;
  }
  if (isLbDir(dir) && !existsSync(join(dir, ENV_FILE))) return { ...openEnv(resolve(dir, '..')), only: { lb: true } };
  if (isWebAdminDir(dir) && !existsSync(join(dir, ENV_FILE)))
    return { ...openEnv(resolve(dir, '..')), only: { webAdmin: true } };
  const envPath = join(dir, ENV_FILE);
  if (!existsSync(envPath))
    throw new CliError(
      `${path}: not a Wharf environment (no ${ENV_FILE}); create one with \`wharf quickstart create ${path}\``,
      EXIT.NOT_FOUND,
    );
  const file = parse(readFileSync(envPath, 'utf8')) as EnvFile;
  const names = file.servers?.length ? file.servers : readdirSync(dir).filter((d) => isServerDir(join(dir, d)));
  const servers = names.map((n) => {
    try {
      return loadServerConfig(join(dir, n));
    } catch (e) {
      throw new CliError(`${n}: ${e instanceof Error ? e.message : String(e)}`, EXIT.INVALID);
    }
  });
  let lb: LbConfig | undefined;
  const lbDir = file.loadBalancer?.dir;
  if (lbDir && isLbDir(join(dir, lbDir))) {
    try {
      lb = loadLbConfig(join(dir, lbDir));
    } catch (e) {
      throw new CliError(`${lbDir}: ${e instanceof Error ? e.message : String(e)}`, EXIT.INVALID);
    }
  }
  let webAdmin: WebAdminConfig | undefined;
  const waDir = join(dir, file.webAdmin ?? WEB_ADMIN_COMPONENT);
  if (isWebAdminDir(waDir)) {
    try {
      webAdmin = loadWebAdmin(waDir);
    } catch (e) {
      throw new CliError(
        `${file.webAdmin ?? WEB_ADMIN_COMPONENT}: ${e instanceof Error ? e.message : String(e)}`,
        EXIT.INVALID,
      );
    }
  }
  return { dir, file, servers, lb, webAdmin };
}

/** Whether `--component NAME` names the web admin. */
export function isWebAdminName(env: Env, name: string | undefined): boolean {
  return name !== undefined && (name === WEB_ADMIN_COMPONENT || name === env.webAdmin?.name);
}

/** Whether a command acts on the web admin too (not with --server, nor a server or LB directory). */
export function selectsWebAdmin(env: Env, server?: string): boolean {
  if (!env.webAdmin || server) return false;
  return !env.only || env.only.webAdmin === true;
}

/** The servers a command acts on: `--server NAME`, else the component given as the path, else all. */
export function selectedServers(env: Env, name?: string): ServerConfig[] {
  if (name) return env.servers.filter((s) => s.name === name);
  if (env.only?.lb || env.only?.webAdmin) return [];
  if (env.only?.server) return env.servers.filter((s) => s.name === env.only!.server);
  return env.servers;
}

/** Whether a command acts on the load balancer too. */
export function selectsLb(env: Env, server?: string): boolean {
  if (!env.lb || server) return false;
  return !env.only || env.only.lb === true;
}
