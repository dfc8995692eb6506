/**
 * The main-thread side of a worker's event-loop watchdog: a cheap unref'd heartbeat, and a probe
 * the pipeline calls when an invocation starts (a few stores into shared memory, no allocation, no
 * IPC). The watching itself happens in watchdog-thread.ts, which keeps running while this loop is stuck.
 */
import { Worker } from 'node:worker_threads';
import {
  CID_MAX,
  CID_OFFSET,
  SAB_BYTES,
  SLOT,
  type ServiceNameMessage,
  type WatchdogThreadData,
} from './watchdog-layout.js';

export const HEARTBEAT_MS = 250;

/** The default limit: 10 s, or the longest channel timeout + 5 s if that is longer. */
export function defaultBlockedMs(longestChannelTimeoutMs: number): number {
  return Math.max(10_000, longestChannelTimeoutMs + 5000);
}

export class Watchdog {
  private readonly sab = new SharedArrayBuffer(SAB_BYTES);
  private readonly ints = new Int32Array(this.sab, 0, CID_OFFSET / 4);
  private readonly cid = new Uint8Array(this.sab, CID_OFFSET, CID_MAX);
  private readonly names = new Map<string, number>();
  private thread: Worker | undefined;
  private beat: NodeJS.Timeout | undefined;
  private lastCid = '';
  private readonly encoder = new TextEncoder();

  constructor(limitMs: number) {
    Atomics.store(this.ints, SLOT.LIMIT_MS, limitMs);
  }

  get limitMs(): number {
    return Atomics.load(this.ints, SLOT.LIMIT_MS);
  }

  set limitMs(ms: number) {
    Atomics.store(this.ints, SLOT.LIMIT_MS, ms);
  }

  /** Starts the heartbeat and the watching thread (call once the worker is ready). */
  start(o: Omit<WatchdogThreadData, 'sab' | 'tickMs' | 'pid'>): void {
    if (this.thread) return;
    const data: WatchdogThreadData = { ...o, sab: this.sab, pid: process.pid, tickMs: 100 };
    this.thread = new Worker(new URL('./watchdog-thread.js', import.meta.url), {
      workerData: data,
      name: 'wharf-watchdog',
      resourceLimits: { maxOldGenerationSizeMb: 16 },
    });
    this.thread.unref();
    for (const [name, index] of this.names) this.thread.postMessage({ index, name } satisfies ServiceNameMessage);
    this.beat = setInterval(() => Atomics.add(this.ints, SLOT.HEARTBEAT, 1), HEARTBEAT_MS);
    this.beat.unref();
  }

  /**
   * An invocation of `service` with `cid` starts (the hot path: keep it cheap). Plain stores, not
   * Atomics: the thread reads these only after the loop has been stuck for seconds, when they are
   * long visible; a torn read at worst names the invocation that started just before.
   */
  readonly enter = (service: string, cid: string): void => {
    let idx = this.names.get(service);
    if (idx === undefined) idx = this.intern(service);
    const ints = this.ints;
    ints[SLOT.SERVICE] = idx + 1;
    if (cid === this.lastCid) return;
    this.lastCid = cid;
    ints[SLOT.CID_LEN] = cid.length < CID_MAX ? this.encoder.encodeInto(cid, this.cid).written : 0;
  };

  /** A module's top level runs for up to `ms` (0: done); the watchdog waits that long instead. */
  readonly loading = (ms: number): void => {
    Atomics.store(this.ints, SLOT.LOADING_MS, ms);
    if (ms === 0) Atomics.add(this.ints, SLOT.HEARTBEAT, 1);
  };

  private intern(name: string): number {
    const idx = this.names.size;
    this.names.set(name, idx);
    this.thread?.postMessage({ index: idx, name } satisfies ServiceNameMessage);
    return idx;
  }

  async stop(): Promise<void> {
    if (this.beat) clearInterval(this.beat);
    Atomics.store(this.ints, SLOT.LIMIT_MS, 0);
    await this.thread?.terminate();
    this.thread = undefined;
  }
}
