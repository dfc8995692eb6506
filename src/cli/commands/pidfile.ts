/** Pidfiles: live (the process runs and is Wharf), stale (cleaned), or absent. */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';

export type PidState = { state: 'absent' } | { state: 'live'; pid: number } | { state: 'stale'; pid: number };

function isWharf(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return /wharf|worker-main|primary-main|lb-agent-main|web-admin/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}

export function readPidfile(path: string): PidState {
  if (!existsSync(path)) return { state: 'absent' };
  const pid = Number(readFileSync(path, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return { state: 'stale', pid: 0 };
  return isWharf(pid) ? { state: 'live', pid } : { state: 'stale', pid };
}

export function removePidfile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
