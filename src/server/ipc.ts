/** Messages between a server's primary process and its workers (besides the broker's). */
export const WORKER_READY = 'wharf:worker-ready';
export const SHUTDOWN = 'wharf:shutdown';
/**
 * The primary forks its first workers while it opens and migrates the ODB (their module loading
 * overlaps it). Such a worker (WAIT_ODB_ENV=1) asks with ODB_WAIT once it listens, and waits for
 * ODB_READY (sent at once if the ODB is ready, else when it is).
 */
export const ODB_WAIT = 'wharf:odb-wait';
export const ODB_READY = 'wharf:odb-ready';
export const WAIT_ODB_ENV = 'WHARF_WAIT_ODB';

export interface DeployRequest {
  type: 'wharf:deploy';
  id: number;
  name: string;
  source: string;
  from: string;
}

/** What a deploy of a pickup file came to (worker 1's, or the single process's own). */
export type DeployOutcome =
  | { ok: true; result: { module: string; services: string[]; hash: string; unchanged: boolean } }
  | { ok: false; error: string };

export type DeployReply = { type: 'wharf:deploy-reply'; id: number } & DeployOutcome;

export function isDeployRequest(m: unknown): m is DeployRequest {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'wharf:deploy';
}

export function isDeployReply(m: unknown): m is DeployReply {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'wharf:deploy-reply';
}

/** A worker past its memory ceiling asks the primary for a graceful replacement. */
export const RECYCLE = 'wharf:recycle';

export interface RecycleRequest {
  type: typeof RECYCLE;
  workerId: number;
  reason: string;
  rssMb: number;
  heapMb: number;
}

export function isRecycleRequest(m: unknown): m is RecycleRequest {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === RECYCLE;
}

/**
 * A spare worker (server.yaml `watchdog.spare`): forked with SPARE_ENV=1, it loads everything (modules,
 * config, kept in step) but starts no connectors and does not listen; it says SPARE_READY, then waits
 * for ACTIVATE with the id of the worker whose place it takes (then WORKER_READY as any worker).
 */
export const SPARE_ENV = 'WHARF_SPARE';
export const SPARE_READY = 'wharf:spare-ready';
export const ACTIVATE = 'wharf:activate';

export interface ActivateMessage {
  type: typeof ACTIVATE;
  workerId: number;
}

export function isActivateMessage(m: unknown): m is ActivateMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === ACTIVATE;
}

/** `{ type }` messages without payload (SHUTDOWN, SPARE_READY, ODB_WAIT, ...). */
export function isTyped(m: unknown, type: string): boolean {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}
