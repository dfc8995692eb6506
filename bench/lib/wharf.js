/**
 * Driving a Wharf environment through its CLI, as a user would: quickstart create → start →
 * service deploy / channel create → stop; then timed starts pinned to the server core.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { descendantsOf, isAlive, pinned, run, sleep } from './proc.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/wharf.js');

/** Runs `wharf ARGS` to completion; throws unless it exits 0. */
export async function wharf(args, opts = {}) {
  const r = await run(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    timeoutMs: opts.timeoutMs ?? 120_000,
    env: opts.env,
    pin: opts.pin,
  });
  if (r.code !== 0 && !opts.allowFail)
    throw new Error(`wharf ${args.join(' ')} → exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The primary's pid from server1's pidfile, if it is running. */
export function primaryPid(envDir, server = 'server1') {
  const f = join(envDir, server, 'pids/server.pid');
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Primary + workers (every descendant of the primary). */
export function serverPids(envDir) {
  const p = primaryPid(envDir);
  return p ? [p, ...descendantsOf(p)] : [];
}

/**
 * Starts the environment with `wharf start` pinned to `core` (the detached primary and its forked
 * workers inherit the affinity). Returns { t0, done } where `done` settles when the CLI exits.
 */
export function startPinned(envDir, core, env = process.env) {
  const [cmd, args] = pinned(core, process.execPath, [BIN, 'start', envDir, '--quiet']);
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let exitCode;
  const done = new Promise((res, rej) => {
    child.on('error', rej);
    child.on('exit', (code) => {
      exitCode = code ?? -1;
      if (code === 0) res();
      else rej(new Error(`wharf start ${envDir} → exit ${code}\n${out}`));
    });
  });
  done.catch(() => undefined);
  return { t0, done, failed: () => exitCode !== undefined && exitCode !== 0 };
}

/** `wharf stop`, then waits until every server process is gone. */
export async function stopEnv(envDir) {
  const pids = serverPids(envDir);
  await wharf(['stop', envDir], { allowFail: true, timeoutMs: 60_000 });
  const deadline = Date.now() + 20_000;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  for (const p of pids.filter(isAlive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
