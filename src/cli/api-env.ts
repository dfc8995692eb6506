/**
 * What a command that only calls the admin API needs of an environment: the address of its first
 * (or named) server and the credentials. Read straight from wharf.yaml and the server's server.yaml
 * (src/cli/yaml-lite.ts: neither `yaml` nor zod is loaded) when the files are plain; anything else
 * (a component directory, a file `yaml` must read, a value out of range, a missing server) goes
 * through openEnv (src/cli/env.ts), which reads and checks the whole environment and words the error.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ServerConfig } from '../server/config.js';
import { CliError, EXIT } from './exit.js';
import { parsePlainYaml } from './yaml-lite.js';

export const ENV_FILE = 'wharf.yaml';
export const CREDENTIALS_FILE = 'cli-credentials.json';
/** A server directory's config file (equals SERVER_CONFIG_PATH of src/server/config.ts: a test checks). */
export const SERVER_FILE = join('config', 'server.yaml');
/** server.yaml's defaults for the admin address (src/server/config.ts; a test checks them). */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 11223;

/** The admin API a command calls: the environment directory (for credentials) and one server. */
export interface ApiTarget {
  dir: string;
  server: { name: string; host: string; port: number };
}

export function pickServer<S extends { name: string }>(env: { dir: string; servers: S[] }, name?: string): S {
  const s = name ? env.servers.find((x) => x.name === name) : env.servers[0];
  if (!s)
    throw new CliError(name ? `no server \`${name}\` in ${env.dir}` : `${env.dir} has no servers`, EXIT.NOT_FOUND);
  return s;
}

export function credentials(env: { dir: string }): { user: string; password: string } {
  const user = process.env['WHARF_ADMIN_USER'];
  const password = process.env['WHARF_ADMIN_PASSWORD'];
  if (user && password) return { user, password };
  const p = join(env.dir, CREDENTIALS_FILE);
  if (!existsSync(p))
    throw new CliError(
      `no admin credentials: set WHARF_ADMIN_USER and WHARF_ADMIN_PASSWORD, or restore ${p}`,
      EXIT.INVALID,
    );
  return JSON.parse(readFileSync(p, 'utf8')) as { user: string; password: string };
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One server's name and admin address from a plain server.yaml, or undefined (then openEnv reads it). */
function plainServer(dir: string): ApiTarget['server'] | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, SERVER_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const doc = parsePlainYaml(text);
  if (!isMap(doc)) return undefined;
  const { name, host = DEFAULT_HOST, port = DEFAULT_PORT } = doc;
  if (typeof name !== 'string' || name === '' || typeof host !== 'string') return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { name, host, port };
}

/** The admin API target read without zod or `yaml`, or undefined when openEnv must read the environment. */
export function plainApiTarget(path: string, serverName?: string): ApiTarget | undefined {
  const dir = resolve(path);
  let doc: unknown;
  try {
    doc = parsePlainYaml(readFileSync(join(dir, ENV_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isMap(doc)) return undefined;
  const listed = doc['servers'];
  let names: string[];
  if (Array.isArray(listed) && listed.length > 0) {
    if (!listed.every((n): n is string => typeof n === 'string')) return undefined;
    names = listed;
  } else if (listed === undefined || (Array.isArray(listed) && listed.length === 0)) {
    names = readdirSync(dir).filter((d) => existsSync(join(dir, d, SERVER_FILE)));
  } else return undefined;
  for (const n of names) {
    const server = plainServer(join(dir, n));
    if (!server) return undefined;
    if (!serverName || server.name === serverName) return { dir, server };
  }
  return undefined;
}

/** The admin API target of the environment (or component directory) at `path`. */
export async function apiTarget(path: string, serverName?: string): Promise<ApiTarget> {
  const plain = plainApiTarget(path, serverName);
  if (plain) return plain;
  const { openEnv } = await import('./env.js');
  return apiTargetOfEnv(openEnv(path), serverName);
}

export function apiTargetOfEnv(env: { dir: string; servers: ServerConfig[] }, serverName?: string): ApiTarget {
  const s = pickServer(env, serverName);
  return { dir: env.dir, server: { name: s.name, host: s.host, port: s.port } };
}
