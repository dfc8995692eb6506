/**
 * One ZeroMQ PUSH or PUB socket and its send queue. zeromq.js allows one pending send per socket, so
 * sends wait their turn; each has a deadline (`sendTimeoutMs` from the call), checked again when its
 * turn comes. ZeroMQ has no acknowledgements: a resolved send means "queued in ZeroMQ", not "received".
 *
 * A send first tries with the socket's sendTimeout at 0: zeromq.js then hands the message to ZeroMQ
 * at once instead of first asking the socket whether it has room (ZMQ_EVENTS, a system call per
 * message). Only when ZeroMQ has no room (EAGAIN) does it send again with the remaining timeout and
 * wait, as before. Since such sends never wait for the event loop, every MAX_IN_A_ROW-th one first
 * yields to it (zeromq.js's own fast path does the same).
 */
import { Publisher, Push } from 'zeromq';
import { WharfError } from '../../errors.js';
import type { ConnectorHealth } from '../../connectors/types.js';
import { lowerIoThreadPriority } from '../../connectors/zeromq/io-threads.js';
import type { Frame } from './frames.js';
import type { ZeromqOutgoingConfig } from './kind.js';

const BIND_RETRY_MS = 2_000;
/** Immediate sends in a row before one waits for a turn of the event loop (as zeromq.js: 512). */
export const MAX_IN_A_ROW = 512;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const isEagain = (e: unknown): boolean => (e as { code?: string } | null)?.code === 'EAGAIN';

/** The fields whose change needs a new socket. */
export function socketKey(cfg: ZeromqOutgoingConfig): string {
  return JSON.stringify([cfg.address, cfg.socketType, cfg.bind, cfg.sendHighWaterMark]);
}

const labelOf = (cfg: ZeromqOutgoingConfig): string => `ZeroMQ connection \`${cfg.name}\``;

export class ZeromqSender {
  readonly key: string;
  private readonly sock: Push | Publisher;
  private tail: Promise<void> = Promise.resolve();
  private readonly queued = new Set<Promise<void>>();
  /** A send is in progress on the socket (zeromq.js allows one at a time). */
  private busy = false;
  /** The sendTimeout last given to the socket (setting it is a native call). */
  private socketTimeout = -1;
  /** Immediate sends since the last yield to the event loop. */
  private inARow = 0;
  private ready = false;
  private problem: string | undefined;
  private closed = false;
  private bindTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cfg: ZeromqOutgoingConfig,
    private readonly onProblem: (msg: string) => void,
  ) {
    this.key = socketKey(cfg);
    const opts = { sendHighWaterMark: cfg.sendHighWaterMark, linger: cfg.lingerMs };
    this.sock = cfg.socketType === 'PUSH' ? new Push(opts) : new Publisher(opts);
    lowerIoThreadPriority();
    if (cfg.bind) void this.bind();
    else {
      try {
        this.sock.connect(cfg.address);
        this.ready = true;
      } catch (e) {
        this.fail(`cannot connect to ${cfg.address}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private fail(msg: string): void {
    if (msg !== this.problem) this.onProblem(msg); // a retry failing the same way is not logged again
    this.problem = msg;
  }

  private async bind(): Promise<void> {
    try {
      await this.sock.bind(this.cfg.address);
      if (this.closed) return;
      this.ready = true;
      this.problem = undefined;
    } catch (e) {
      if (this.closed) return;
      const hint =
        (e as { code?: string }).code === 'EADDRINUSE'
          ? ' (with bind: true only one process, one worker, can bind an address)'
          : '';
      this.fail(
        `cannot bind ${this.cfg.address}: ${e instanceof Error ? e.message : String(e)}${hint}; retrying every ${BIND_RETRY_MS / 1000} s`,
      );
      this.bindTimer = setTimeout(() => void this.bind(), BIND_RETRY_MS);
    }
  }

  health(): ConnectorHealth {
    if (this.closed) return { status: 'stopped' };
    if (this.problem) return { status: 'down', detail: this.problem };
    return this.ready ? { status: 'up' } : { status: 'starting' };
  }

  /** Queues `frames`; `cfg` is the connection's current config (its name and sendTimeoutMs apply). */
  send(frames: Frame[], cfg: ZeromqOutgoingConfig): Promise<void> {
    if (this.closed || !this.ready) {
      return Promise.reject(
        new WharfError(
          'WHARF_ERR_CONNECTION_INACTIVE',
          [cfg.name],
          this.problem ? { details: { reason: this.problem } } : {},
        ),
      );
    }
    // Fast path: nothing queued, the socket is free — send now, no queue bookkeeping.
    // A queued send starts after it (`tail`), so the socket never sees two at once.
    if (!this.busy && this.queued.size === 0) return (this.tail = this.sendNow(frames, cfg, cfg.sendTimeoutMs));
    const deadline = Date.now() + cfg.sendTimeoutMs;
    const run = async (): Promise<void> => {
      if (this.closed) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [cfg.name]);
      const left = deadline - Date.now();
      if (left <= 0 && cfg.sendTimeoutMs > 0) throw this.timeoutError(cfg);
      await this.sendNow(frames, cfg, cfg.sendTimeoutMs === 0 ? 0 : Math.max(1, left));
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    this.queued.add(p);
    const forget = (): void => {
      this.queued.delete(p);
    };
    p.then(forget, forget);
    return p;
  }

  /** One send on the socket, now; `timeoutMs` bounds the wait for room in ZeroMQ's queue. */
  private async sendNow(frames: Frame[], cfg: ZeromqOutgoingConfig, timeoutMs: number): Promise<void> {
    const msg = frames.length === 1 ? (frames[0] as Frame) : frames;
    this.busy = true;
    try {
      if (++this.inARow >= MAX_IN_A_ROW) {
        this.inARow = 0;
        await yieldToLoop();
      }
      try {
        this.setSocketTimeout(0);
        await this.sock.send(msg);
        return;
      } catch (e) {
        if (!isEagain(e)) throw this.sendError(e, cfg);
        if (timeoutMs === 0) throw this.timeoutError(cfg);
      }
      // No room in ZeroMQ's queue right now: wait for it, at most timeoutMs.
      this.inARow = 0;
      this.setSocketTimeout(timeoutMs);
      try {
        await this.sock.send(msg);
      } catch (e) {
        throw isEagain(e) ? this.timeoutError(cfg) : this.sendError(e, cfg);
      }
    } finally {
      this.busy = false;
    }
  }

  private setSocketTimeout(ms: number): void {
    if (ms === this.socketTimeout) return;
    this.sock.sendTimeout = ms;
    this.socketTimeout = ms;
  }

  private sendError(e: unknown, cfg: ZeromqOutgoingConfig): WharfError {
    return new WharfError(
      'WHARF_ERR_UPSTREAM',
      [`${labelOf(cfg)}: send to ${this.cfg.address} failed: ${e instanceof Error ? e.message : String(e)}`],
      { cause: e },
    );
  }

  private timeoutError(cfg: ZeromqOutgoingConfig): WharfError {
    return new WharfError(
      'WHARF_ERR_UPSTREAM_TIMEOUT',
      [
        `${labelOf(cfg)}: could not queue the message to ${this.cfg.address} within ${cfg.sendTimeoutMs} ms (${this.cfg.socketType === 'PUSH' ? "no PULL peer connected, or every peer's queue is full" : 'the socket is busy'})`,
      ],
      { details: { connection: cfg.name, address: this.cfg.address } },
    );
  }

  /**
   * Lets queued sends finish (at most `graceMs`), then closes the socket; ZeroMQ keeps delivering
   * what it holds for `lingerMs` (a bound address is released at once; lingering connections stay).
   */
  async close(graceMs: number, lingerMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.bindTimer);
    if (this.queued.size > 0 || this.busy) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([this.tail, ...this.queued]),
        new Promise((r) => (timer = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.sock.linger = lingerMs;
    this.sock.close();
  }
}
