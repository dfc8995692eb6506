/**
 * The web admin in `wharf start`: checks (pidfile, port), a detached start of
 * `node dist/web-admin/server/main.js ENV/web-admin` (its own small process: it never loads the
 * CLI or server code) waiting until /api/status answers, and the foreground run in-process for
 * `wharf start ENV --fg --component web-admin` (Ctrl-C / SIGTERM stop it cleanly).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkPortFree } from '../../server/ports.js';
import type { WebAdminConfig } from '../../web-admin/server/config.js';
import { urlOf } from '../../web-admin/server/run.js';
import { CliError, EXIT } from '../exit.js';
import { readPidfile, removePidfile } from './pidfile.js';
import { distEntry } from '../../paths.js';

export const WEB_ADMIN_MAIN = distEntry('web-admin/server/main.js');

function pidFileOf(w: WebAdminConfig): string {
  return w.pidFile ?? join(w.dir ?? '.', 'pids/web-admin.pid');
}

function logDirOf(w: WebAdminConfig): string {
  return join(w.dir ?? '.', 'logs');
}

export async function preflightWebAdmin(w: WebAdminConfig, out: (l: string) => void): Promise<void> {
  const pidFile = pidFileOf(w);
  const pid = readPidfile(pidFile);
  if (pid.state === 'live')
    throw new CliError(`${w.name} is already running (pid ${pid.pid}, pidfile ${pidFile})`, EXIT.ALREADY_RUNNING);
  if (pid.state === 'stale') {
    removePidfile(pidFile);
    out(`${w.name}: removed a stale pidfile (pid ${pid.pid} is not running)`);
  }
  const busy = await checkPortFree(w.host, w.port);
  if (busy)
    throw new CliError(
      `${w.name}: port ${w.host}:${w.port} is in use${busy === true ? '' : ` by ${busy}`}; change port: in ${w.dir ?? 'web-admin'}/web-admin.yaml`,
      EXIT.PORT_IN_USE,
    );
  if (w.tls) {
    for (const f of [w.tls.cert, w.tls.key]) {
      try {
        statSync(f);
      } catch {
        throw new CliError(`${w.name}: TLS file ${f} is missing`, EXIT.START_FAILED);
      }
    }
  }
}

async function answers(url: string, ca: Buffer | undefined): Promise<boolean> {
  try {
    if (ca) {
      // Self-signed / private CA: a plain TLS check is enough to know it listens.
      const https = await import('node:https');
      return await new Promise<boolean>((resolve) => {
        const req = https.get(`${url}/api/status`, { ca, timeout: 1000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
        req.on('timeout', () => req.destroy());
      });
    }
    const r = await fetch(`${url}/api/status`, { signal: AbortSignal.timeout(1000) });
    await r.body?.cancel();
    return r.status === 200;
  } catch {
    return false;
  }
}

function tail(file: string, bytes = 4000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(Math.max(0, text.length - bytes));
  } catch {
    return '';
  }
}

export async function startWebAdminDetached(
  w: WebAdminConfig,
  timeoutMs: number,
  out: (l: string) => void,
): Promise<void> {
  const logs = logDirOf(w);
  mkdirSync(logs, { recursive: true });
  const consoleLog = join(logs, 'console.log');
  const fd = openSync(consoleLog, 'a');
  const child = spawn(process.execPath, [WEB_ADMIN_MAIN, w.dir ?? '.'], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const url = urlOf(w);
  let ca: Buffer | undefined;
  if (w.tls) {
    try {
      ca = readFileSync(join(w.dir ?? '.', 'tls/ca.crt'));
    } catch {
      ca = readFileSync(w.tls.cert);
    }
  }
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (exited !== undefined) {
      const code = exited === EXIT.PORT_IN_USE ? EXIT.PORT_IN_USE : EXIT.START_FAILED;
      throw new CliError(`${w.name} failed to start (exit ${exited}):\n${tail(consoleLog).trim()}`, code);
    }
    if (await answers(url, ca)) {
      out(`${w.name} started (pid ${child.pid}) on ${url}, ${Date.now() - started} ms`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CliError(
    `${w.name} did not answer ${url}/api/status within ${timeoutMs} ms; see ${consoleLog}`,
    EXIT.START_FAILED,
  );
}

/** Runs the web admin in this process until SIGINT/SIGTERM (which exit 0 after a clean stop). */
export async function runWebAdminFg(w: WebAdminConfig, out: (l: string) => void): Promise<void> {
  const { startWebAdmin, StartError } = await import('../../web-admin/server/run.js');
  try {
    const r = await startWebAdmin({ ...w, pidFile: pidFileOf(w) }, { stdoutLog: true });
    out(`${w.name} listening on ${r.url} (admin API ${w.adminUrl}, pid ${process.pid}); Ctrl-C stops it`);
  } catch (e) {
    if (e instanceof StartError) throw new CliError(e.message, e.exitCode);
    throw e;
  }
  // The server keeps the process alive; run.ts exits on SIGINT/SIGTERM after closing.
}

export { pidFileOf as webAdminPidFile };
