/**
 * The memory a worker's main thread shares with its watchdog thread: Int32 slots for the heartbeat,
 * the limit and what runs, then the running invocation's cid as bytes.
 */
export const SLOT = {
  /** Bumped by the main thread's heartbeat timer. */
  HEARTBEAT: 0,
  /** Interned index + 1 of the service whose invocation started last (0: none yet). */
  SERVICE: 1,
  /** Byte length of that invocation's cid. */
  CID_LEN: 2,
  /** The blocked limit in ms (0: off); the main thread may change it. */
  LIMIT_MS: 3,
  /** > 0 while a module's top level runs: its own time limit, the watchdog waits that long (+ 2 s) instead. */
  LOADING_MS: 4,
} as const;

export const INT_SLOTS = 8;
export const CID_OFFSET = INT_SLOTS * 4;
export const CID_MAX = 128;
export const SAB_BYTES = CID_OFFSET + CID_MAX;

export interface WatchdogThreadData {
  sab: SharedArrayBuffer;
  logFile: string;
  toStdout: boolean;
  server: string;
  workerId: number;
  pid: number;
  /** How often the thread looks at the heartbeat. */
  tickMs: number;
  /** Single-process mode: the kill ends the server (its supervisor restarts it), no primary replaces it. */
  single?: boolean;
}

/** The thread is told each newly interned service name (once per name). */
export interface ServiceNameMessage {
  index: number;
  name: string;
}
