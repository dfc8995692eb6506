/**
 * An environment directory, as `wharf quickstart create` lays it out:
 *   wharf.yaml            what the environment holds (cluster name, servers, load balancer)
 *   secret.key            the key secrets are encrypted with (0600)
 *   cli-credentials.json  the admin API user the CLI calls with (0600)
 *   odb/wharf.db          the embedded ODB (SQLite; a cluster's ODB is PostgreSQL or MySQL)
 *   server1/ ...          config/server.yaml, pickup/incoming/services/, logs/, pids/ (+ config/tls/)
 *   load-balancer/        a cluster's HAProxy and its agent: config/lb.yaml, haproxy.cfg, tls/, pids/
 *   ca/                   a cluster's certificate authority (ca.crt, ca.key, issued/)
 *   start.sh stop.sh restart.sh
 * A component directory (`ENV/server2`, `ENV/load-balancer`) given instead of ENV selects that
 * component only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { isLbDir, loadLbConfig, type LbConfig } from '../cluster/lb/agent.js';
import { loadServerConfig, SERVER_CONFIG_PATH, type ServerConfig } from '../server/config.js';
import { CliError, EXIT } from './exit.js';

export const ENV_FILE = 'wharf.yaml';
export const CREDENTIALS_FILE = 'cli-credentials.json';

export interface EnvFile {
  cluster: string;
  /** `cluster`: servers on PostgreSQL/MySQL + Redis behind HAProxy; absent: the embedded default. */
  type?: 'embedded' | 'cluster' | undefined;
  servers: string[];
  /** A cluster's load balancer: its directory and (initial) frontend. */
  loadBalancer?: { host: string; port: number; dir?: string | undefined } | undefined;
  /** A cluster's certificate authority directory. */
  ca?: string | undefined;
}

export interface Env {
  dir: string;
  file: EnvFile;
  servers: ServerConfig[];
  /** The load balancer component, in a cluster environment. */
  lb?: LbConfig | undefined;
  /** Set when a component directory was given instead of the environment. */
  only?: { server?: string; lb?: boolean } | undefined;
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
  const envPath = join(dir, ENV_FILE);
  if (!existsSync(envPath)) throw new CliError(`${path}: not a Wharf environment (no ${ENV_FILE}); create one with \`wharf quickstart create ${path}\``, EXIT.NOT_FOUND);
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
  return { dir, file, servers, lb };
}

/** The servers a command acts on: `--server NAME`, else the component given as the path, else all. */
export function selectedServers(env: Env, name?: string): ServerConfig[] {
  if (name) return env.servers.filter((s) => s.name === name);
  if (env.only?.lb) return [];
  if (env.only?.server) return env.servers.filter((s) => s.name === env.only!.server);
  return env.servers;
}

/** Whether a command acts on the load balancer too. */
export function selectsLb(env: Env, server?: string): boolean {
  if (!env.lb || server) return false;
  return !env.only || env.only.lb === true;
}

export function pickServer(env: Env, name?: string): ServerConfig {
  const s = name ? env.servers.find((x) => x.name === name) : env.servers[0];
  if (!s) throw new CliError(name ? `no server \`${name}\` in ${env.dir}` : `${env.dir} has no servers`, EXIT.NOT_FOUND);
  return s;
}

export function credentials(env: Env): { user: string; password: string } {
  const user = process.env['WHARF_ADMIN_USER'];
  const password = process.env['WHARF_ADMIN_PASSWORD'];
  if (user && password) return { user, password };
  const p = join(env.dir, CREDENTIALS_FILE);
  if (!existsSync(p)) throw new CliError(`no admin credentials: set WHARF_ADMIN_USER and WHARF_ADMIN_PASSWORD, or restore ${p}`, EXIT.INVALID);
  return JSON.parse(readFileSync(p, 'utf8')) as { user: string; password: string };
}
