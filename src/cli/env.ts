/**
 * An environment directory, as `wharf quickstart create` lays it out:
 *   wharf.yaml            what the environment holds (cluster name, ODB, servers)
 *   secret.key            the key secrets are encrypted with (0600)
 *   cli-credentials.json  the admin API user the CLI calls with (0600)
 *   odb/wharf.db          the embedded ODB (SQLite)
 *   server1/              config/server.yaml, pickup/incoming/services/, logs/, pids/
 *   start.sh stop.sh restart.sh
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadServerConfig, SERVER_CONFIG_PATH, type ServerConfig } from '../server/config.js';
import { CliError, EXIT } from './exit.js';

export const ENV_FILE = 'wharf.yaml';
export const CREDENTIALS_FILE = 'cli-credentials.json';

export interface EnvFile {
  cluster: string;
  servers: string[];
  loadBalancer?: { host: string; port: number } | undefined;
}

export interface Env {
  dir: string;
  file: EnvFile;
  servers: ServerConfig[];
}

export function isServerDir(dir: string): boolean {
  return existsSync(join(dir, SERVER_CONFIG_PATH));
}

export function openEnv(path: string): Env {
  const dir = resolve(path);
  if (!existsSync(dir)) throw new CliError(`${path}: no such environment directory`, EXIT.NOT_FOUND);
  // A server directory given directly: its environment is the parent.
  if (isServerDir(dir) && !existsSync(join(dir, ENV_FILE))) return openEnv(resolve(dir, '..'));
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
  return { dir, file, servers };
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
