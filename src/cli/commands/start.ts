/**
 * `wharf start ENV [--fg] [--server NAME]`: checks (pidfile, port, ODB), then starts each server
 * detached and waits for its /wharf/ping, or runs one in the foreground (Ctrl-C stops it cleanly).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Odb } from '../../odb/odb.js';
import type { ServerConfig } from '../../server/config.js';
import { checkPortFree } from '../../server/ports.js';
import { openEnv, type Env } from '../env.js';
import { CliError, EXIT } from '../exit.js';
import { readPidfile, removePidfile } from './pidfile.js';

const BIN = fileURLToPath(new URL('../../../bin/wharf.js', import.meta.url));

export interface StartOptions {
  fg?: boolean;
  server?: string;
  timeoutMs?: number;
  out?: (l: string) => void;
}

async function preflight(s: ServerConfig, out: (l: string) => void): Promise<void> {
  const pid = readPidfile(s.pidFile);
  if (pid.state === 'live') throw new CliError(`${s.name} is already running (pid ${pid.pid}, pidfile ${s.pidFile})`, EXIT.ALREADY_RUNNING);
  if (pid.state === 'stale') {
    removePidfile(s.pidFile);
    out(`${s.name}: removed a stale pidfile (pid ${pid.pid} is not running)`);
  }
  const busy = await checkPortFree(s.host, s.port);
  if (busy) throw new CliError(`${s.name}: port ${s.host}:${s.port} is in use${busy === true ? '' : ` by ${busy}`}`, EXIT.PORT_IN_USE);
  if (!existsSync(s.secretKeyFile)) throw new CliError(`${s.name}: secret key ${s.secretKeyFile} is missing`, EXIT.START_FAILED);
  try {
    const odb = await Odb.open(s.odb);
    try {
      await odb.ping();
    } finally {
      await odb.close();
    }
  } catch (e) {
    throw new CliError(`${s.name}: cannot reach the ODB: ${e instanceof Error ? e.message : String(e)}`, EXIT.START_FAILED);
  }
}

async function ping(s: ServerConfig): Promise<boolean> {
  try {
    const host = s.host === '0.0.0.0' ? '127.0.0.1' : s.host;
    const r = await fetch(`http://${host}:${s.port}/wharf/ping`, { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

function tail(file: string, bytes = 4000): string {
  try {
    const size = statSync(file).size;
    return readFileSync(file, 'utf8').slice(Math.max(0, size - bytes));
  } catch {
    return '';
  }
}

async function startDetached(s: ServerConfig, timeoutMs: number, out: (l: string) => void): Promise<void> {
  const consoleLog = join(dirname(s.logFile), 'console.log');
  mkdirSync(dirname(consoleLog), { recursive: true });
  const fd = openSync(consoleLog, 'a');
  const child = spawn(process.execPath, [BIN, 'start', s.dir, '--fg', '--quiet'], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (exited !== undefined) {
      const code = exited === EXIT.PORT_IN_USE ? EXIT.PORT_IN_USE : EXIT.START_FAILED;
      throw new CliError(`${s.name} failed to start (exit ${exited}):\n${tail(consoleLog).trim()}`, code);
    }
    if (await ping(s)) {
      out(`${s.name} started (pid ${child.pid}) on http://${s.host}:${s.port}, ${Date.now() - started} ms`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CliError(`${s.name} did not answer /wharf/ping within ${timeoutMs} ms; see ${s.logFile}`, EXIT.START_FAILED);
}

export async function start(path: string, opts: StartOptions = {}): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const env: Env = openEnv(path);
  const servers = opts.server ? env.servers.filter((s) => s.name === opts.server) : env.servers;
  if (servers.length === 0) throw new CliError(`no server ${opts.server ?? ''} in ${env.dir}`, EXIT.NOT_FOUND);
  if (opts.fg) {
    if (servers.length > 1) throw new CliError(`--fg runs one server: add --server ${servers.map((s) => s.name).join('|')}`, EXIT.USAGE);
    const s = servers[0]!;
    await preflight(s, out);
    const { runPrimary } = await import('../../server/primary.js');
    await runPrimary(s, true);
    return;
  }
  for (const s of servers) await preflight(s, out);
  for (const s of servers) await startDetached(s, opts.timeoutMs ?? 60_000, out);
}

export function serverDirFromArg(path: string): string {
  return resolve(path);
}
