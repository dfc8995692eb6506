/**
 * Cluster test environments: a fresh database (PostgreSQL or MariaDB, uniquely named, dropped
 * after), `wharf quickstart create` in its positional form on free ports, then `wharf start`,
 * driven exactly as a user would. Used by test/integration/cluster-*.test.ts.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/wharf.js');
export type DbType = 'postgresql' | 'mysql';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...(opts.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wharf ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}

function tryPort(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => res(true)));
  });
}

/** `n` consecutive free ports (for server1..N). */
export async function freePorts(n: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 30_000 + Math.floor(Math.random() * 20_000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await tryPort(base + i);
    if (ok) return base;
  }
  throw new Error('no free port range');
}

export interface Database {
  type: DbType;
  name: string;
  drop(): Promise<void>;
}

export async function createDatabase(type: DbType): Promise<Database> {
  const name = `wharf_it_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (type === 'postgresql') {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    return {
      type,
      name,
      async drop() {
        const d = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
        await d.connect();
        await d.query(`drop database if exists ${name} with (force)`);
        await d.end();
      },
    };
  }
  const mysql = await import('mysql2/promise');
  const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  await c.query(`create database ${name}`);
  await c.end();
  return {
    type,
    name,
    async drop() {
      const d = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
      await d.query(`drop database if exists ${name}`);
      await d.end();
    },
  };
}

export interface ClusterEnv {
  parent: string;
  dir: string;
  db: Database;
  cluster: string;
  basePort: number;
  lbPort: number;
  /** The web admin's base URL (its admin API is the load balancer). */
  webAdmin: string;
  servers: string[];
  adminPassword: string;
  quickstartOutput: string;
  url(server: number | 'lb', path: string): string;
  cli(args: string[], opts?: { env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  ok(args: string[], opts?: { env?: NodeJS.ProcessEnv }): Promise<string>;
  admin<T = unknown>(
    server: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  pickup(server: number, file: string, source: string): void;
  /** Primary pid of server N (1-based) from its pidfile. */
  pid(server: number): number | undefined;
  log(server: number): string;
  destroy(): Promise<void>;
}

export async function createClusterEnv(
  type: DbType,
  opts: { servers?: number; workers?: number; start?: boolean; env?: NodeJS.ProcessEnv; serverYaml?: string } = {},
): Promise<ClusterEnv> {
  const db = await createDatabase(type);
  const parent = mkdtempSync(join(tmpdir(), 'wharf-cluster-'));
  const dir = join(parent, 'env');
  const n = opts.servers ?? 2;
  const basePort = await freePorts(n);
  let lbPort = await freePorts(1);
  while (lbPort >= basePort && lbPort < basePort + n) lbPort = await freePorts(1);
  let webAdminPort = await freePorts(1);
  while (webAdminPort === lbPort || (webAdminPort >= basePort && webAdminPort < basePort + n))
    webAdminPort = await freePorts(1);
  const cluster = `it-${randomBytes(3).toString('hex')}`;
  const user = type === 'postgresql' ? 'postgres' : 'root';
  const dbPort = type === 'postgresql' ? '5432' : '3306';
  // The reference's positional form: PATH ODB_TYPE ODB_HOST ODB_PORT ODB_USER ODB_DB KVDB_HOST KVDB_PORT
  const qs = await runCli(
    [
      'quickstart',
      'create',
      dir,
      type,
      '127.0.0.1',
      dbPort,
      user,
      db.name,
      '127.0.0.1',
      '6379',
      '--servers',
      String(n),
      '--base-port',
      String(basePort),
      '--lb-port',
      String(lbPort),
      '--workers',
      String(opts.workers ?? 2),
      '--cluster-name',
      cluster,
      '--web-admin-port',
      String(webAdminPort),
    ],
    { env: { WHARF_ODB_PASSWORD: '', WHARF_KVDB_PASSWORD: '' } },
  );
  if (qs.code !== 0) {
    await db.drop();
    throw new Error(`quickstart failed (${qs.code}): ${qs.stdout}\n${qs.stderr}`);
  }
  const servers = Array.from({ length: n }, (_, i) => `server${i + 1}`);
  if (opts.serverYaml)
    for (const s of servers)
      writeFileSync(
        join(dir, s, 'config/server.yaml'),
        `${readFileSync(join(dir, s, 'config/server.yaml'), 'utf8')}${opts.serverYaml}\n`,
      );
  const adminPassword = /password:\[([^\]]+)\]/.exec(qs.stdout)?.[1] ?? '';
  const auth = `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`;
  const env: ClusterEnv = {
    parent,
    dir,
    db,
    cluster,
    basePort,
    lbPort,
    webAdmin: `http://127.0.0.1:${webAdminPort}`,
    servers,
    adminPassword,
    quickstartOutput: qs.stdout,
    url: (server, path) => `http://127.0.0.1:${server === 'lb' ? lbPort : basePort + server - 1}${path}`,
    cli: (args, o) =>
      runCli(
        args.map((a) => (a === 'ENV' ? dir : a)),
        { env: { ...(opts.env ?? {}), ...(o?.env ?? {}) } },
      ),
    async ok(args, o) {
      const r = await env.cli(args, o);
      if (r.code !== 0) throw new Error(`wharf ${args.join(' ')} → exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    async admin<T>(server: number, method: string, path: string, body?: unknown) {
      const r = await fetch(env.url(server, path), {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : {}) as T };
    },
    pickup(server, file, source) {
      writeFileSync(join(dir, `server${server}`, 'pickup/incoming/services', file), source);
    },
    pid(server) {
      try {
        const p = Number(readFileSync(join(dir, `server${server}`, 'pids/server.pid'), 'utf8').trim());
        return p > 0 ? p : undefined;
      } catch {
        return undefined;
      }
    },
    log(server) {
      try {
        return readFileSync(join(dir, `server${server}`, 'logs/server.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async destroy() {
      await env.cli(['stop', dir]).catch(() => undefined);
      await db.drop().catch(() => undefined);
      rmSync(parent, { recursive: true, force: true });
    },
  };
  if (opts.start !== false) {
    const r = await env.cli(['start', dir]);
    if (r.code !== 0) {
      await env.destroy();
      throw new Error(`wharf start failed (${r.code}): ${r.stdout}\n${r.stderr}`);
    }
    env.quickstartOutput += r.stdout;
  }
  return env;
}

/** Polls `fn` until it returns truthy or the time is up. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The worker pids of a server's primary (children in /proc). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export const REDIS_START = [
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1',
  '-::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  '/var/lib/redis',
  '--logfile',
  '/var/log/redis/ci.log',
];
