/**
 * ZeroMQ's I/O threads (libzmq's `ZMQbg/IO/<n>`, started with a context's first socket) run at a
 * lower CPU priority than the worker's JavaScript thread (Linux: per-thread nice).
 *
 * At equal priority, each message handed to ZeroMQ wakes its I/O thread, which on a busy core
 * preempts the JavaScript thread at once: a context switch, an eventfd write and read and a TCP
 * write for every message or two. At a lower priority the I/O thread runs when the JavaScript
 * thread waits (or with a smaller share of a saturated core) and then moves everything queued in
 * one go. Messages, their order and ZeroMQ's queues are unchanged; only when the I/O thread runs.
 *
 * `WHARF_ZMQ_IO_NICE`: how much nicer than the process (default 10, at most 19; 0 = leave them).
 * Elsewhere than Linux, or where the threads cannot be found or reniced, nothing happens; threads
 * that are already lowered stay so (the set is per process, like the threads).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export const DEFAULT_IO_NICE = 10;
const IO_THREAD = 'ZMQbg/IO/';

/** The nice increment from the environment: a whole number 0..19, else the default. */
export function ioNiceFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_IO_NICE;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : DEFAULT_IO_NICE;
}

/** Thread ids of this process's ZeroMQ I/O threads (from `taskDir`, /proc/self/task). */
export function ioThreadIds(taskDir = '/proc/self/task'): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(taskDir);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      if (readFileSync(`${taskDir}/${t}/comm`, 'utf8').startsWith(IO_THREAD)) out.push(Number(t));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

const lowered = new Set<number>();
const RETRY_MS = 25;
const RETRIES = 8;

/**
 * Lowers the priority of ZeroMQ I/O threads not lowered yet. Call after creating a socket: a new
 * context starts its I/O thread then, which names itself a moment later, so when no new one is found
 * it looks again a few times (every 25 ms, 8 times). Cheap when there is nothing new.
 */
export function lowerIoThreadPriority(env: NodeJS.ProcessEnv = process.env, retries = RETRIES): void {
  if (process.platform !== 'linux') return;
  const nice = ioNiceFrom(env['WHARF_ZMQ_IO_NICE']);
  if (nice === 0) return;
  let found = false;
  for (const tid of ioThreadIds()) {
    if (lowered.has(tid)) continue;
    lowered.add(tid);
    found = true;
    try {
      setPriority(tid, Math.min(19, getPriority(tid) + nice));
    } catch {
      // not permitted or gone: ZeroMQ works as before
    }
  }
  if (!found && retries > 0) setTimeout(() => lowerIoThreadPriority(env, retries - 1), RETRY_MS).unref();
}
