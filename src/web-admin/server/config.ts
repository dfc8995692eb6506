/**
 * The web admin's configuration: ENV/web-admin/web-admin.yaml (or .json), written by quickstart.
 *   name: web-admin            host: 127.0.0.1          port: 8183
 *   adminUrl: http://127.0.0.1:11223   (a server, or a cluster's load balancer)
 *   idleSeconds: 900           maxSessions: 1000
 *   logFile: logs/web-admin.log        pidFile: pids/web-admin.pid   (relative to the directory)
 *   tls: { cert, key }         (optional: HTTPS, cookies get Secure)
 *   adminCa: path              (optional: the CA file when adminUrl is https with a private CA)
 *   allowedHosts: [name, ...]  (optional: Host names besides loopback accepted when bound to loopback)
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export const WEB_ADMIN_FILES = ['web-admin.yaml', 'web-admin.yml', 'web-admin.json'] as const;
export const DEFAULT_PORT = 8183;

export interface WebAdminConfig {
  name: string;
  host: string;
  port: number;
  adminUrl: string;
  idleSeconds: number;
  maxSessions: number;
  /** Absolute paths (resolved against the directory) or undefined (stdout only, no pidfile). */
  logFile?: string | undefined;
  pidFile?: string | undefined;
  tls?: { cert: string; key: string } | undefined;
  adminCa?: string | undefined;
  allowedHosts: string[];
  /** The directory the configuration came from, when it came from one. */
  dir?: string | undefined;
}

export class ConfigError extends Error {}

export function configFile(dir: string): string | undefined {
  for (const f of WEB_ADMIN_FILES) {
    const p = join(dir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function isWebAdminDir(dir: string): boolean {
  return configFile(dir) !== undefined;
}

function str(v: unknown, field: string, problems: string[]): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0) {
    problems.push(`${field}: must be a non-empty string`);
    return undefined;
  }
  return v;
}

function int(v: unknown, field: string, def: number, min: number, max: number, problems: string[]): number {
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    problems.push(`${field}: must be an integer from ${min} to ${max}`);
    return def;
  }
  return v;
}

export function normalizeAdminUrl(u: string): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new ConfigError(`adminUrl: \`${u}\` is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`adminUrl: must be http: or https:`);
  if (url.username || url.password || url.search || url.hash)
    throw new ConfigError(`adminUrl: must not hold credentials, a query or a fragment`);
  return url.origin;
}

/** Validates a parsed configuration object; paths are resolved against `dir`. */
export function buildConfig(raw: Record<string, unknown>, dir?: string): WebAdminConfig {
  const problems: string[] = [];
  const rel = (p: string | undefined): string | undefined =>
    p === undefined ? undefined : dir && !isAbsolute(p) ? resolve(dir, p) : resolve(p);
  const adminUrlRaw = str(raw['adminUrl'], 'adminUrl', problems);
  if (!adminUrlRaw && !problems.length)
    problems.push('adminUrl: required (the admin API, e.g. http://127.0.0.1:11223)');
  let adminUrl = '';
  if (adminUrlRaw) {
    try {
      adminUrl = normalizeAdminUrl(adminUrlRaw);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  let tls: WebAdminConfig['tls'];
  if (raw['tls'] !== undefined && raw['tls'] !== null) {
    const t = raw['tls'] as Record<string, unknown>;
    const cert = typeof t === 'object' ? str(t['cert'], 'tls.cert', problems) : undefined;
    const key = typeof t === 'object' ? str(t['key'], 'tls.key', problems) : undefined;
    if (!cert || !key) problems.push('tls: needs cert and key');
    else tls = { cert: rel(cert)!, key: rel(key)! };
  }
  const hosts = raw['allowedHosts'];
  if (hosts !== undefined && hosts !== null && !(Array.isArray(hosts) && hosts.every((h) => typeof h === 'string')))
    problems.push('allowedHosts: must be a list of host names');
  const cfg: WebAdminConfig = {
    name: str(raw['name'], 'name', problems) ?? 'web-admin',
    host: str(raw['host'], 'host', problems) ?? '127.0.0.1',
    port: int(raw['port'], 'port', DEFAULT_PORT, 0, 65535, problems),
    adminUrl,
    idleSeconds: int(raw['idleSeconds'], 'idleSeconds', 900, 10, 7 * 24 * 3600, problems),
    maxSessions: int(raw['maxSessions'], 'maxSessions', 1000, 1, 1_000_000, problems),
    logFile: rel(str(raw['logFile'], 'logFile', problems)),
    pidFile: rel(str(raw['pidFile'], 'pidFile', problems)),
    tls,
    adminCa: rel(str(raw['adminCa'], 'adminCa', problems)),
    allowedHosts: Array.isArray(hosts) ? (hosts as string[]).map((h) => h.toLowerCase()) : [],
    dir,
  };
  if (problems.length)
    throw new ConfigError(`invalid web admin configuration${dir ? ` in ${dir}` : ''}:\n  ${problems.join('\n  ')}`);
  return cfg;
}

/** Reads DIR/web-admin.yaml (or .json). YAML is parsed by the `yaml` package, loaded only then. */
export async function loadConfig(dirArg: string): Promise<WebAdminConfig> {
  const dir = resolve(dirArg);
  const file = configFile(dir);
  if (!file) throw new ConfigError(`${dirArg}: no ${WEB_ADMIN_FILES.join(' or ')}`);
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    if (file.endsWith('.json')) raw = JSON.parse(text);
    else {
      // `.default`: a CommonJS package's namespace from import() in the bundled build (dist/bundle/)
      // has only the default export
      const { parse } = (await import('yaml')).default;
      raw = parse(text);
    }
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${file}: expected a mapping`);
  return buildConfig(raw as Record<string, unknown>, dir);
}

export function readTls(tls: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
}
