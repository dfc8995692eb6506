/**
 * A server's own config file (`<server dir>/config/server.yaml`): where it listens, how many
 * workers, its ODB, broker, pickup directory and logs. Paths are relative to the server directory.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { odbConfigSchema as odbSchema } from '../odb/config-schema.js';
import type { OdbConfig } from '../odb/dialect.js';

const brokerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ipc') }),
  z.object({ type: z.literal('redis'), host: z.string(), port: z.number().int(), password: z.string().optional() }),
]);

export const serverConfigSchema = z.strictObject({
  name: z.string().min(1),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(11223),
  /** Worker processes; 0 = one per CPU. */
  workers: z.number().int().min(0).default(0),
  odb: odbSchema,
  broker: brokerSchema.default({ type: 'ipc' }),
  pickupDir: z.string().default('pickup/incoming/services'),
  logFile: z.string().default('logs/server.log'),
  pidFile: z.string().default('pids/server.pid'),
  /** The secret key, relative to the server directory. */
  secretKeyFile: z.string().default('../secret.key'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  /** Safety-net poll of the ODB for changes a lost broadcast would have carried. */
  syncIntervalMs: z.number().int().positive().default(5000),
  /** How long a graceful stop waits for in-flight requests. */
  shutdownTimeoutMs: z.number().int().positive().default(10_000),
  /** How long a service module's top level may run when it is loaded (deploy, pickup, start). */
  moduleLoadTimeoutMs: z.number().int().positive().default(5000),
  /**
   * A worker whose event loop does not turn for `blockedMs` is logged (with the service and cid that
   * ran) and replaced. Default: max(10 s, longest HTTP channel timeout + 5 s). 0 = off.
   * `spare: true` keeps one more worker loaded and idle that takes over a dead or killed worker's
   * place at once (costs one worker's memory). docs/cluster.md
   */
  watchdog: z
    .strictObject({ blockedMs: z.number().int().min(0).optional(), spare: z.boolean().default(false) })
    .prefault({}),
  /** One process serves (no primary, no fork); only with `workers: 1`. docs/cluster.md */
  singleProcess: z.boolean().default(false),
  /** A worker past `heapMb` (heap used) or `rssMb` (resident set) is recycled gracefully; 0 = off. */
  recycle: z
    .strictObject({
      heapMb: z.number().int().min(0).default(1024),
      rssMb: z.number().int().min(0).default(1536),
      /** How often each worker samples its memory. */
      checkMs: z.number().int().min(100).default(2000),
    })
    .prefault({}),
  /** /wharf/metrics: admin credentials, or the bearer token in this file (relative to the server directory); `public: true` opens it. */
  metrics: z
    .strictObject({ public: z.boolean().default(false), bearerTokenFile: z.string().optional() })
    .default({ public: false }),
  /** GET /wharf/openapi.json and <SOAP channel>?wsdl: open by default; `public: false` asks for admin credentials (?wsdl: the channel's own). `trustForwarded: true`: their base URL from X-Forwarded-Proto/-Host (behind a proxy that sets them). docs/contracts.md */
  contracts: z
    .strictObject({ public: z.boolean().default(true), trustForwarded: z.boolean().default(false) })
    .prefault({}),
  /** The HTTP listener's edges (docs/channels-http.md): head and body deadlines (408), minimum body rate, connections per worker. */
  http: z
    .strictObject({
      headTimeoutMs: z.number().int().min(100).default(30_000),
      bodyTimeoutMs: z.number().int().min(100).default(30_000),
      /** After the first 5 s of a body, at least this average rate (bytes/s); 0 = no minimum. */
      bodyMinBytesPerSec: z.number().int().min(0).default(1024),
      maxConnections: z.number().int().min(1).default(10_000),
    })
    .prefault({}),
});

export type ServerConfigFile = z.output<typeof serverConfigSchema>;

export interface ServerConfig extends Omit<ServerConfigFile, 'odb'> {
  /** Absolute server directory. */
  dir: string;
  odb: OdbConfig;
  workerCount: number;
}

export const SERVER_CONFIG_PATH = join('config', 'server.yaml');

function abs(dir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dir, p);
}

export function resolveServerConfig(dir: string, file: ServerConfigFile): ServerConfig {
  const odb: OdbConfig = file.odb.type === 'sqlite' ? { type: 'sqlite', path: abs(dir, file.odb.path) } : file.odb;
  return {
    ...file,
    dir,
    odb,
    pickupDir: abs(dir, file.pickupDir),
    logFile: abs(dir, file.logFile),
    pidFile: abs(dir, file.pidFile),
    secretKeyFile: abs(dir, file.secretKeyFile),
    workerCount: file.workers > 0 ? file.workers : availableParallelism(),
  };
}

export function loadServerConfig(serverDir: string): ServerConfig {
  const dir = resolve(serverDir);
  const path = join(dir, SERVER_CONFIG_PATH);
  const text = readFileSync(path, 'utf8');
  const parsed = serverConfigSchema.safeParse(parse(text));
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (parsed.data.singleProcess && parsed.data.workers !== 1)
    throw new Error(
      `${path}: singleProcess: true needs workers: 1 (it has workers: ${parsed.data.workers}); set workers: 1 or remove singleProcess`,
    );
  return resolveServerConfig(dir, parsed.data);
}

export function serverDirOf(configPath: string): string {
  return dirname(dirname(configPath));
}
