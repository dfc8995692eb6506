/**
 * Integration-test environments: real `wharf` processes driven through the CLI, exactly as a user
 * would (quickstart create → start → deploy/import → HTTP → stop). Each gets its own directory and port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/net.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/wharf.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
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
    }, opts.timeoutMs ?? 90_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}

export { freePort };

export interface TestEnv {
  dir: string;
  port: number;
  base: string;
  adminPassword: string;
  /** The web admin's base URL (started by start(), like the server), e.g. http://127.0.0.1:41234 */
  webAdmin: string;
  webAdminPort: number;
  cli(args: string[], opts?: { env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  /** cli() that throws unless the exit code is 0. */
  ok(args: string[], opts?: { env?: NodeJS.ProcessEnv }): Promise<string>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  deploy(fileName: string, source: string): Promise<string>;
  importYaml(yaml: string, extra?: string[]): Promise<string>;
  pickup(fileName: string, source: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
  destroy(): Promise<void>;
}

export async function createEnv(opts: { workers?: number; start?: boolean } = {}): Promise<TestEnv> {
  const parent = mkdtempSync(join(tmpdir(), 'wharf-it-'));
  const dir = join(parent, 'env');
  const port = await freePort();
  let webAdminPort = await freePort();
  while (webAdminPort === port) webAdminPort = await freePort();
  const qs = await runCli([
    'quickstart',
    'create',
    dir,
    '--port',
    String(port),
    '--workers',
    String(opts.workers ?? 1),
    '--web-admin-port',
    String(webAdminPort),
  ]);
  if (qs.code !== 0) throw new Error(`quickstart failed: ${qs.stdout}\n${qs.stderr}`);
  const adminPassword = /password:\[([^\]]+)\]/.exec(qs.stdout)?.[1] ?? '';
  const base = `http://127.0.0.1:${port}`;
  const auth = `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`;
  const env: TestEnv = {
    dir,
    port,
    base,
    adminPassword,
    webAdmin: `http://127.0.0.1:${webAdminPort}`,
    webAdminPort,
    cli: (args, o) =>
      runCli(
        args.map((a) => (a === 'ENV' ? dir : a)),
        o,
      ),
    async ok(args, o) {
      const r = await env.cli(args, o);
      if (r.code !== 0) throw new Error(`wharf ${args.join(' ')} → exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    fetch: (path, init) => fetch(`${base}${path}`, init),
    async admin<T>(method: string, path: string, body?: unknown) {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : {}) as T };
    },
    async deploy(fileName, source) {
      const f = join(parent, fileName);
      writeFileSync(f, source);
      // The server's deploy is what these tests exercise; the client's type check has its own test (init-check).
      return env.ok(['service', 'deploy', dir, f, '--no-check']);
    },
    async importYaml(yaml, extra = []) {
      const f = join(parent, `import-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(f, yaml);
      return env.ok(['enmasse', 'import', dir, f, ...extra]);
    },
    pickup(fileName, source) {
      writeFileSync(join(dir, 'server1/pickup/incoming/services', fileName), source);
    },
    async start() {
      await env.ok(['start', dir]);
    },
    async stop() {
      await env.cli(['stop', dir]);
    },
    log() {
      try {
        return readFileSync(join(dir, 'server1/logs/server.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async destroy() {
      await env.cli(['stop', dir]);
      rmSync(parent, { recursive: true, force: true });
    },
  };
  if (opts.start !== false) await env.start();
  return env;
}

/** Polls `fn` until it returns truthy or the time is up. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
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
    await new Promise((r) => setTimeout(r, 100));
  }
}
