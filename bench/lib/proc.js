/**
 * Process helpers for the benchmark: CPU pinning with taskset, spawning pinned children, the
 * process tree and RSS from /proc, free ports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

let tasksetChecked;

/** True when `taskset` exists and the machine has at least 2 CPUs to split between server and load. */
export function canPin() {
  if (tasksetChecked === undefined) {
    const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    tasksetChecked = r.status === 0 && availableParallelism() >= 2;
  }
  return tasksetChecked;
}

/** Why pinning is off, or undefined when it is on. */
export function pinningNote() {
  if (canPin()) return undefined;
  const r = spawnSync('taskset', ['-V'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) return 'taskset not found: server and load generator are NOT pinned to separate cores';
  return `only ${availableParallelism()} CPU(s): server and load generator are NOT pinned to separate cores`;
}

/** [command, args] that runs `cmd args` pinned to `core` (unpinned when taskset is unavailable). */
export function pinned(core, cmd, args) {
  return canPin() ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];
}

/** Pins this (orchestrator) process, all its threads, to `core`, so polling and bookkeeping stay off the server's core. */
export function pinSelf(core) {
  if (!canPin()) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** Cpus_allowed_list of a process (e.g. "1"), or undefined. */
export function affinityOf(pid) {
  try {
    return /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Resident set size of one process in bytes (VmRSS), or 0 when it is gone. */
export function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s*(\d+)\s*kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function ppidOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: the fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return -1;
  }
}

/** Every live descendant of `pid` (children, grandchildren, ...). */
export function descendantsOf(pid) {
  const byParent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pp = ppidOf(Number(d));
    if (pp <= 0) continue;
    if (!byParent.has(pp)) byParent.set(pp, []);
    byParent.get(pp).push(Number(d));
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(a.port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a command to completion and returns { code, stdout, stderr }; rejects on timeout.
 * `pin` (a core number) runs it under taskset.
 */
export function run(cmd, args, opts = {}) {
  const [c, a] = opts.pin === undefined ? [cmd, args] : pinned(opts.pin, cmd, args);
  return new Promise((resolve, reject) => {
    const child = spawn(c, a, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${c} ${a.join(' ')} timed out after ${opts.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Clock ticks per second of /proc times (USER_HZ; 100 on Linux). */
export const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process in seconds (0 when it is gone). */
export function cpuSeconds(pid) {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : 0;
}

/** When a process started, in seconds since boot (10 ms resolution). */
export function startedAtBoot(pid) {
  const f = statFields(pid);
  return f ? Number(f[19]) / CLK_TCK : NaN;
}

/** Seconds since boot now (/proc/uptime, 10 ms resolution). */
export function uptimeSeconds() {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

/** Busy and total jiffies of one CPU from /proc/stat (busy = everything but idle and iowait). */
export function cpuCoreTicks(core) {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${core} `));
  if (!line) return undefined;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - v[4], total };
}

/** Name (argv[1] basename, or comm) and RSS of each pid. */
export function describePids(pids) {
  return pids.map((pid) => {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(0, 3).join(' ');
    } catch {
      /* gone */
    }
    return { pid, cmd: cmd.slice(0, 160), rssBytes: rssBytes(pid) };
  });
}

function allCpuTicks() {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - v[4], total };
}

/** Fraction (0..1) of the whole machine's CPU that was busy over the next `ms`. */
export async function machineBusy(ms = 1000) {
  const a = allCpuTicks();
  await sleep(ms);
  const b = allCpuTicks();
  return b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
}

/**
 * Waits (up to maxMs) for a second in which the machine is at most `threshold` busy, so that each
 * round starts on a comparably quiet machine. Resolves { waitedMs, busy } (busy of the last second).
 */
export async function waitQuiet({ threshold = 0.5, maxMs = 20_000 } = {}) {
  const t0 = Date.now();
  let busy = await machineBusy(1000);
  while (busy > threshold && Date.now() - t0 < maxMs) busy = await machineBusy(1000);
  return { waitedMs: Date.now() - t0, busy: +busy.toFixed(2) };
}

/** A short fingerprint of every .js file under `dir` (the shared tree's dist/ is rebuilt by others). */
export function treeFingerprint(dir) {
  const h = createHash('sha256');
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(p).update(readFileSync(p));
    }
  };
  try {
    walk(dir);
  } catch {
    return 'unreadable';
  }
  return h.digest('hex').slice(0, 12);
}
