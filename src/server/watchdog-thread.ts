/**
 * A worker's event-loop watchdog, in its own thread (worker_threads): when the main thread's
 * heartbeat has not moved for the limit, it logs which service and cid ran last and SIGKILLs its
 * own process; the primary forks the replacement at once. Runs while the main loop is stuck, so it
 * reads only shared memory and writes the log line synchronously.
 */
import { appendFileSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CID_OFFSET, SLOT, type ServiceNameMessage, type WatchdogThreadData } from './watchdog-layout.js';

const data = workerData as WatchdogThreadData;
const ints = new Int32Array(data.sab, 0, CID_OFFSET / 4);
const cidBytes = new Uint8Array(data.sab, CID_OFFSET);
const names: string[] = [];
parentPort?.on('message', (m: ServiceNameMessage) => {
  names[m.index] = m.name;
});

let last = Atomics.load(ints, SLOT.HEARTBEAT);
let since = performance.now();

function running(): { service: string | undefined; cid: string | undefined } {
  const idx = Atomics.load(ints, SLOT.SERVICE);
  const len = Math.min(Atomics.load(ints, SLOT.CID_LEN), cidBytes.length);
  return {
    service: idx > 0 ? (names[idx - 1] ?? `#${idx - 1}`) : undefined,
    cid: len > 0 ? Buffer.from(cidBytes.subarray(0, len)).toString('latin1') : undefined,
  };
}

function fire(blockedMs: number): void {
  const { service, cid } = running();
  const what = service ? `running service ${service} (cid ${cid ?? '?'})` : 'outside any service invocation';
  const line = {
    level: 50,
    time: new Date().toISOString(),
    server: data.server,
    worker: data.workerId,
    pid: data.pid,
    service: service ?? null,
    cid: cid ?? null,
    blockedMs,
    msg: `worker ${data.workerId} blocked for ${blockedMs} ms ${what}; ${data.single ? 'exiting (single-process mode: a supervisor restarts the server)' : 'replacing it'}`,
  };
  const text = `${JSON.stringify(line)}\n`;
  try {
    appendFileSync(data.logFile, text);
  } catch {
    /* the kill matters more than the line */
  }
  if (data.toStdout) {
    try {
      writeSync(1, text);
    } catch {
      /* ignore */
    }
  }
  process.kill(data.pid, 'SIGKILL');
}

setInterval(() => {
  const now = performance.now();
  const beat = Atomics.load(ints, SLOT.HEARTBEAT);
  const limit = Atomics.load(ints, SLOT.LIMIT_MS);
  if (beat !== last || limit <= 0) {
    last = beat;
    since = now;
    return;
  }
  const loading = Atomics.load(ints, SLOT.LOADING_MS);
  const effective = loading > 0 ? Math.max(limit, loading + 2000) : limit;
  const blocked = Math.round(now - since);
  if (blocked >= effective) fire(blocked);
}, data.tickMs);
