/**
 * The load-balancer component's own file (`load-balancer/config/lb.yaml`): schema and loader, apart
 * from the agent so that the CLI reads it without loading the agent's ODB, Redis and logger code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { odbConfigSchema as odbSchema } from '../../odb/config-schema.js';
import type { OdbConfig } from '../../odb/dialect.js';

export const LB_CONFIG_PATH = join('config', 'lb.yaml');

export const lbConfigSchema = z.strictObject({
  name: z.string().default('load-balancer'),
  /** The cluster.loadBalancer object this LB applies. */
  settings: z.string().default('default'),
  odb: odbSchema,
  redis: z.object({ host: z.string(), port: z.number().int(), password: z.string().optional() }).optional(),
  /** The haproxy binary (a name looked up in PATH and /usr/sbin, or a path). */
  haproxy: z.string().default('haproxy'),
  /** Used until (or when) the ODB holds no settings object. */
  frontendHost: z.string().default('127.0.0.1'),
  frontendPort: z.number().int().default(11223),
  configFile: z.string().default('haproxy.cfg'),
  pidFile: z.string().default('pids/agent.pid'),
  haproxyPidFile: z.string().default('pids/haproxy.pid'),
  logFile: z.string().default('logs/agent.log'),
  statsSocket: z.string().default('run/haproxy.sock'),
  tlsPem: z.string().default('tls/load-balancer.pem'),
  pollMs: z.number().int().positive().default(2000),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

export interface LbConfig extends Omit<z.output<typeof lbConfigSchema>, 'odb'> {
  dir: string;
  odb: OdbConfig;
}

export function isLbDir(dir: string): boolean {
  return existsSync(join(dir, LB_CONFIG_PATH));
}

export function loadLbConfig(lbDir: string): LbConfig {
  const dir = resolve(lbDir);
  const path = join(dir, LB_CONFIG_PATH);
  const parsed = lbConfigSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const f = parsed.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  return {
    ...f,
    dir,
    odb: f.odb.type === 'sqlite' ? { type: 'sqlite', path: abs(f.odb.path) } : f.odb,
    configFile: abs(f.configFile),
    pidFile: abs(f.pidFile),
    haproxyPidFile: abs(f.haproxyPidFile),
    logFile: abs(f.logFile),
    statsSocket: abs(f.statsSocket),
    tlsPem: abs(f.tlsPem),
  };
}
