/**
 * Running HAProxy: find the binary (never install it), check a config with `haproxy -c`, start it
 * as a daemon, reload it seamlessly (`-x` takes the listening sockets over from the old process,
 * `-sf` lets the old one finish its connections), stop it softly.
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const INSTALL_HINT =
  'HAProxy is not installed: install it with `apt-get install haproxy` (Debian/Ubuntu), or set `haproxy:` in load-balancer/config/lb.yaml to its path';

/** The haproxy binary: `configured` (a path or a name), else PATH, /usr/sbin, /usr/local/sbin. */
export function findHaproxy(configured = process.env['WHARF_HAPROXY'] ?? 'haproxy'): string | undefined {
  const exec = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (configured.includes('/')) return exec(configured) ? configured : undefined;
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) if (d && exec(join(d, configured))) return join(d, configured);
  return undefined;
}

export function haproxyVersion(bin: string): string | undefined {
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return /version (\S+)/i.exec(r.stdout ?? '')?.[1];
}

function run(bin: string, args: string[], timeoutMs = 15_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, out: `${stdout}${stderr}`.trim() });
    });
  });
}

/** `haproxy -c -f file`: resolves with the problems (empty when valid). */
export async function checkConfig(bin: string, file: string): Promise<string | undefined> {
  const r = await run(bin, ['-c', '-q', '-f', file]);
  return r.code === 0 ? undefined : r.out || `haproxy -c exited ${r.code}`;
}

export function readPids(pidFile: string): number[] {
  if (!existsSync(pidFile)) return [];
  return readFileSync(pidFile, 'utf8')
    .split(/\s+/)
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 0);
}

export function isHaproxy(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('haproxy');
  } catch {
    return true;
  }
}

export function runningPids(pidFile: string): number[] {
  return readPids(pidFile).filter(isHaproxy);
}

/** Starts HAProxy as a daemon, or reloads the running one without dropping connections. */
export async function startOrReload(
  bin: string,
  file: string,
  pidFile: string,
  statsSocket?: string,
): Promise<'started' | 'reloaded'> {
  const old = runningPids(pidFile);
  const args = ['-f', file, '-p', pidFile, '-D'];
  if (old.length > 0) {
    if (statsSocket && existsSync(statsSocket)) args.push('-x', statsSocket);
    args.push('-sf', ...old.map(String));
  }
  const r = await run(bin, args);
  if (r.code !== 0) throw new Error(`haproxy ${old.length ? 'reload' : 'start'} failed (exit ${r.code}): ${r.out}`);
  return old.length ? 'reloaded' : 'started';
}

/** Soft stop (finish open connections), SIGTERM after `timeoutMs`. */
export async function stopHaproxy(pidFile: string, timeoutMs = 10_000): Promise<boolean> {
  const pids = runningPids(pidFile);
  if (pids.length === 0) return false;
  for (const p of pids) {
    try {
      process.kill(p, 'SIGUSR1');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isHaproxy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of pids.filter(isHaproxy)) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  return true;
}
