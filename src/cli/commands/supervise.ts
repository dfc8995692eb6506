/**
 * `wharf start ENV --supervise` (or `wharf supervise ENV --server NAME` in the foreground): a small
 * supervisor process per server, with a pidfile of its own (next to the server's: pids/supervisor.pid),
 * runs the server's primary as its child (`wharf start ENV --fg --server NAME`) and starts it again
 * when it dies abnormally (a signal such as kill -9, or a non-zero exit), after a backoff of 1 s,
 * 2 s, 4 s ... capped at 30 s, reset once the primary stayed up a minute. Each death and restart is a
 * line in the server's log directory (logs/supervisor.log) and on the supervisor's console.
 *
 * SIGTERM/SIGINT/SIGHUP to the supervisor: nothing restarts any more; the primary gets SIGTERM (a
 * graceful stop) and the supervisor exits when it has. A primary that exits with 0 (stopped on
 * purpose) ends the supervisor too. A primary that fails before it ever answered /wharf/ping (bad
 * config, port taken at the first start) ends the supervisor with its exit code, so
 * `wharf start --supervise` reports the failure instead of retrying it forever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerConfig } from '../../server/config.js';
import { BIN } from '../../paths.js';

/** Set in the primary's environment: the supervisor's pid (so its own child passes the pidfile check). */
export const SUPERVISED_BY = 'WHARF_SUPERVISED_BY';

export interface BackoffPolicy {
  firstMs: number;
  maxMs: number;
  /** Up this long → the next death starts the backoff again from `firstMs`. */
  stableMs: number;
}
export const DEFAULT_BACKOFF: BackoffPolicy = { firstMs: 1000, maxMs: 30_000, stableMs: 60_000 };

/** The wait before restart number `n` of a run of quick deaths (n ≥ 1): first, 2×first, 4×first ... capped. */
export function backoffMs(n: number, p: BackoffPolicy = DEFAULT_BACKOFF): number {
  return Math.min(p.maxMs, p.firstMs * 2 ** Math.max(0, Math.min(30, n - 1)));
}

export function supervisorPidFile(s: Pick<ServerConfig, 'pidFile'>): string {
  return join(dirname(s.pidFile), 'supervisor.pid');
}

export function supervisorLogFile(s: Pick<ServerConfig, 'logFile'>): string {
  return join(dirname(s.logFile), 'supervisor.log');
}

/** Whether the primary answers /wharf/ping. */
export async function pingServer(s: Pick<ServerConfig, 'host' | 'port'>, timeoutMs = 1000): Promise<boolean> {
  try {
    const host = s.host === '0.0.0.0' ? '127.0.0.1' : s.host.includes(':') ? `[${s.host}]` : s.host;
    const r = await fetch(`http://${host}:${s.port}/wharf/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    await r.body?.cancel();
    return r.ok;
  } catch {
    return false;
  }
}

const describeExit = (code: number | null, signal: NodeJS.Signals | null): string =>
  signal ? `killed by ${signal}` : `exit code ${code}`;

/** Runs the supervisor of server `s` of the environment `envDir` in this process; resolves with the exit code it ends with. */
export function runSupervisor(
  envDir: string,
  s: ServerConfig,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): Promise<number> {
  const pidFile = supervisorPidFile(s);
  const logFile = supervisorLogFile(s);
  mkdirSync(dirname(pidFile), { recursive: true });
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(pidFile, `${process.pid}\n`);
  const log = (level: 'info' | 'warn' | 'error', msg: string): void => {
    const line = `${new Date().toISOString()} ${level.toUpperCase()} supervisor ${s.name} (pid ${process.pid}): ${msg}\n`;
    try {
      appendFileSync(logFile, line);
    } catch {
      /* the log directory went away: the console still has it */
    }
    process.stdout.write(line);
  };

  return new Promise<number>((resolveExit) => {
    let child: ChildProcess | undefined;
    let stopping = false;
    let everUp = false;
    let quickDeaths = 0;
    let restartTimer: NodeJS.Timeout | undefined;

    const finish = (code: number): void => {
      try {
        if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(pidFile);
      } catch {
        /* already gone */
      }
      for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.removeListener(sig, onSignal);
      resolveExit(code);
    };

    const launch = (): void => {
      const startedAt = Date.now();
      const c = spawn(process.execPath, [BIN, 'start', envDir, '--fg', '--server', s.name, '--quiet'], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, [SUPERVISED_BY]: String(process.pid) },
      });
      child = c;
      let alive = true;
      log('info', `primary started (pid ${c.pid})`);
      // Watch for the first answer: from then on a death is a crash to recover from.
      void (async () => {
        while (alive && !stopping) {
          if (await pingServer(s)) {
            if (alive) {
              everUp = true;
              log('info', `primary pid ${c.pid} answers on ${s.host}:${s.port}`);
            }
            return;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      c.on('exit', (code, signal) => {
        alive = false;
        child = undefined;
        const upMs = Date.now() - startedAt;
        if (stopping) {
          log('info', `primary pid ${c.pid} stopped (${describeExit(code, signal)}); supervisor exits`);
          return finish(0);
        }
        if (code === 0 && !signal) {
          log('info', `primary pid ${c.pid} exited normally; nothing to restart, supervisor exits`);
          return finish(0);
        }
        if (!everUp) {
          log(
            'error',
            `primary pid ${c.pid} failed before it ever answered (${describeExit(code, signal)}); not restarting`,
          );
          return finish(code && code > 0 ? code : 1);
        }
        if (upMs >= policy.stableMs) quickDeaths = 0;
        quickDeaths++;
        const wait = backoffMs(quickDeaths, policy);
        log(
          'warn',
          `primary pid ${c.pid} died (${describeExit(code, signal)}) after ${(upMs / 1000).toFixed(1)} s up; restarting in ${wait / 1000} s (restart ${quickDeaths} in a row)`,
        );
        restartTimer = setTimeout(() => {
          restartTimer = undefined;
          if (!stopping) launch();
        }, wait);
      });
    };

    function onSignal(sig: NodeJS.Signals): void {
      if (stopping) return;
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      if (!child) {
        log('info', `${sig}: no primary running; supervisor exits`);
        finish(0);
        return;
      }
      log('info', `${sig}: stopping primary pid ${child.pid} (no restart)`);
      child.kill('SIGTERM');
    }
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, onSignal);
    log('info', `supervising ${s.name} of ${envDir}`);
    launch();
  });
}
