/**
 * The ZeroMQ channel connector: a PULL or SUB socket that binds or connects, and a receive loop that
 * invokes the service per message (`concurrency` at a time). A bound address, and any SUB socket
 * (each SUB would get its own copy), runs once per cluster: the instance in every worker competes for
 * the lease `connector:channels.zeromq/<name>` and only the holder opens the socket; the others stand
 * by. A connecting PULL runs in every worker: PUSH peers spread messages over all of them.
 *
 * ZeroMQ has no acknowledgements: a message whose service fails is logged and not redelivered
 * (at most once), and messages ZeroMQ had queued in the socket when it closes are lost.
 */
import { randomUUID } from 'node:crypto';
import { Pull, Subscriber } from 'zeromq';
import { normalizeError } from '../../errors.js';
import type { Connector, ConnectorContext, ConnectorHealth, Lease } from '../../connectors/types.js';
import type { ChannelInfo } from '../../service/service.js';
import { SerialQueue, waitAtMost } from '../../connectors/shared/lifecycle.js';
import { lowerIoThreadPriority } from '../../connectors/zeromq/io-threads.js';
import { waitPortFree } from '../../connectors/zeromq/port-free.js';
import { fromFrames } from './frames.js';
import { needsLease, type ZeromqChannelConfig } from './kind.js';

const BIND_RETRY_MS = 2_000;
const LEASE_RETRY_MS = 1_000;
const DRAIN_MS = 5_000;

/** The headers of a one-frame message without a topic, shared (services get read-only headers). */
const SINGLE_FRAME = {
  PULL: Object.freeze({ 'zmq-socket': 'PULL', 'zmq-frames': '1' }),
  SUB: Object.freeze({ 'zmq-socket': 'SUB', 'zmq-frames': '1' }),
} as const;

function socketKey(cfg: ZeromqChannelConfig): string {
  return JSON.stringify([cfg.address, cfg.socketType, cfg.bind, cfg.receiveHighWaterMark]);
}

/** SUB subscriptions for a config: its prefixes, or '' (everything). */
function prefixesOf(cfg: ZeromqChannelConfig): string[] {
  return cfg.subPrefixes.length > 0 ? [...new Set(cfg.subPrefixes)] : [''];
}

export class ZeromqChannel implements Connector<ZeromqChannelConfig> {
  private config: ZeromqChannelConfig;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private sock: Pull | Subscriber | undefined;
  private sockKey: string | undefined;
  private sockBound: string | undefined;
  private prefixes: string[] = [];
  private loop: Promise<void> | undefined;
  private problem: string | undefined;
  private standby: string | undefined;
  private lease: Lease | undefined;
  private leaseAbort: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly active = new Set<Promise<void>>();
  private info: { cfg: ZeromqChannelConfig; info: ChannelInfo } | undefined;
  private readonly ops = new SerialQueue((e) =>
    this.ctx.logger.error(`${this.label}: ${e instanceof Error ? e.message : String(e)}`),
  );

  constructor(
    config: ZeromqChannelConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.config = config;
  }

  private get label(): string {
    return `ZeroMQ channel \`${this.config.name}\``;
  }

  start(): Promise<void> {
    if (this.state !== 'new') return Promise.resolve();
    this.state = 'running';
    return this.ops.run(() => this.apply());
  }

  reconfigure(next: ZeromqChannelConfig): Promise<void> {
    return this.ops.run(() => {
      this.config = next;
      return this.apply();
    });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.retryTimer);
    this.leaseAbort?.abort();
    await waitAtMost(this.ops.idle(), 1_000);
    await this.closeSocket();
    await this.drain(DRAIN_MS);
    await this.releaseLease();
  }

  health(): ConnectorHealth {
    if (this.state === 'stopped') return { status: 'stopped' };
    if (this.problem) return { status: 'down', detail: this.problem };
    if (this.standby) return { status: 'up', detail: this.standby };
    if (this.sock) return { status: 'up' };
    return { status: 'starting' };
  }

  // ---- socket and lease

  /** Brings the running state in line with the config. Runs serialised. */
  private async apply(): Promise<void> {
    if (this.state !== 'running') return;
    const cfg = this.config;
    if (needsLease(cfg)) {
      if (!this.lease) {
        await this.closeSocket();
        this.standby = `standby: waiting for the cluster lease ${this.leaseName()} (${cfg.bind ? 'a bound address' : 'a SUB socket'} runs once per cluster)`;
        this.acquireLease();
        return;
      }
    } else if (this.lease || this.leaseAbort) {
      await this.releaseLease();
    }
    this.standby = undefined;
    if (this.sock && this.sockKey === socketKey(cfg)) {
      this.updatePrefixes(this.sock, cfg);
      return;
    }
    await this.closeSocket();
    await this.openSocket(cfg);
  }

  private leaseName(): string {
    return `connector:channels.zeromq/${this.config.name}`;
  }

  private acquireLease(): void {
    if (this.leaseAbort) return;
    const ac = new AbortController();
    this.leaseAbort = ac;
    this.ctx.lease(this.leaseName(), { signal: ac.signal }).then(
      (lease) => {
        if (ac.signal.aborted || this.state !== 'running') {
          void lease.release().catch(() => undefined);
          return;
        }
        this.lease = lease;
        lease.signal.addEventListener('abort', () => this.onLeaseLost(lease), { once: true });
        this.ops.background(() => this.apply());
      },
      (e: unknown) => {
        if (ac.signal.aborted) return;
        this.leaseAbort = undefined;
        this.ctx.logger.warn(
          `${this.label}: could not take lease ${this.leaseName()}: ${e instanceof Error ? e.message : String(e)}`,
        );
        this.retryLater(LEASE_RETRY_MS);
      },
    );
  }

  private onLeaseLost(lease: Lease): void {
    if (this.lease !== lease) return;
    this.lease = undefined;
    this.leaseAbort = undefined;
    if (this.state !== 'running') return;
    this.ctx.logger.warn(`${this.label}: lost lease ${lease.name}; closing the socket and waiting to take it again`);
    this.ops.background(() => this.apply());
  }

  private async releaseLease(): Promise<void> {
    this.leaseAbort?.abort();
    this.leaseAbort = undefined;
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release().catch(() => undefined);
  }

  private retryLater(ms: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ops.background(() => this.apply());
    }, ms);
  }

  private async openSocket(cfg: ZeromqChannelConfig): Promise<void> {
    const opts = { receiveHighWaterMark: cfg.receiveHighWaterMark, linger: 0 };
    const sock = cfg.socketType === 'PULL' ? new Pull(opts) : new Subscriber(opts);
    lowerIoThreadPriority();
    let prefixes: string[] = [];
    if (sock instanceof Subscriber) {
      prefixes = prefixesOf(cfg);
      sock.subscribe(...prefixes);
    }
    try {
      if (cfg.bind) await sock.bind(cfg.address);
      else sock.connect(cfg.address);
    } catch (e) {
      sock.close();
      const code = (e as { code?: string }).code;
      const hint = code === 'EADDRINUSE' ? ' (address in use)' : '';
      const problem = `cannot ${cfg.bind ? 'bind' : 'connect to'} ${cfg.address}: ${e instanceof Error ? e.message : String(e)}${hint}; retrying every ${BIND_RETRY_MS / 1000} s`;
      if (problem !== this.problem) this.ctx.logger.error(`${this.label}: ${problem}`);
      this.problem = problem;
      this.retryLater(BIND_RETRY_MS);
      return;
    }
    this.problem = undefined;
    this.sock = sock;
    this.sockKey = socketKey(cfg);
    this.sockBound = cfg.bind ? cfg.address : undefined;
    this.prefixes = prefixes;
    this.loop = this.receive(sock);
    this.ctx.logger.info(`${this.label}: ${cfg.socketType} ${cfg.bind ? 'bound to' : 'connected to'} ${cfg.address}`);
  }

  private updatePrefixes(sock: Pull | Subscriber, cfg: ZeromqChannelConfig): void {
    if (!(sock instanceof Subscriber)) return;
    const want = prefixesOf(cfg);
    const added = want.filter((p) => !this.prefixes.includes(p));
    const removed = this.prefixes.filter((p) => !want.includes(p));
    if (added.length > 0) sock.subscribe(...added);
    if (removed.length > 0) sock.unsubscribe(...removed);
    this.prefixes = want;
  }

  /** Unbinds (the address is free again at once) and closes the socket; its receive loop ends. */
  private async closeSocket(): Promise<void> {
    const sock = this.sock;
    const bound = this.sockBound;
    this.sock = undefined;
    this.sockKey = undefined;
    this.sockBound = undefined;
    if (!sock) return;
    if (bound !== undefined) await sock.unbind(bound).catch(() => undefined);
    sock.close();
    if (bound !== undefined) await waitPortFree(bound);
    const loop = this.loop;
    this.loop = undefined;
    // the loop ends at once unless it waits for a free slot (a slow service): bounded
    await waitAtMost(loop, DRAIN_MS);
  }

  // ---- messages

  private async receive(sock: Pull | Subscriber): Promise<void> {
    try {
      // sock.receive() directly rather than `for await` (zeromq.js's iterator: one more async call
      // and result object per message); a receive failing with EAGAIN once the socket is closed ends it.
      while (!sock.closed) {
        let frames: Buffer[];
        try {
          frames = await sock.receive();
        } catch (e) {
          if (sock.closed && (e as { code?: string }).code === 'EAGAIN') return;
          throw e;
        }
        const p = this.onMessage(frames);
        this.active.add(p);
        if (this.config.concurrency === 1) {
          // One at a time (the default, keeps order): wait for it here, no race/finally bookkeeping.
          await p;
          this.active.delete(p);
          continue;
        }
        void p.finally(() => this.active.delete(p));
        while (this.active.size >= this.config.concurrency) await Promise.race(this.active);
      }
    } catch (e) {
      if (sock.closed || sock !== this.sock) return;
      this.problem = `receiving failed: ${e instanceof Error ? e.message : String(e)}`;
      this.ctx.logger.error(`${this.label}: ${this.problem}`);
    }
  }

  /** What services see as `request.channel`: made once per config, not per message. */
  private channelInfo(cfg: ZeromqChannelConfig): ChannelInfo {
    if (this.info?.cfg !== cfg)
      this.info = { cfg, info: Object.freeze({ name: cfg.name, kind: 'zeromq', dataFormat: cfg.dataFormat }) };
    return this.info.info;
  }

  private async onMessage(frames: Buffer[]): Promise<void> {
    const cfg = this.config;
    const msg = fromFrames(frames, cfg);
    const cid = randomUUID();
    const headers =
      msg.topic === undefined && msg.frames === 1
        ? SINGLE_FRAME[cfg.socketType]
        : {
            'zmq-socket': cfg.socketType,
            'zmq-frames': String(msg.frames),
            ...(msg.topic === undefined ? {} : { 'zmq-topic': msg.topic }),
          };
    try {
      await this.ctx.invoke({
        service: cfg.service,
        raw: msg.raw,
        dataFormat: cfg.dataFormat,
        channel: this.channelInfo(cfg),
        cid,
        headers,
        timeoutMs: cfg.timeoutMs,
      });
    } catch (e) {
      const err = normalizeError(e, cid);
      const what = `${msg.topic === undefined ? 'a message' : `a message on \`${msg.topic}\``} (${msg.raw.length} bytes, cid ${cid}, ${err.code}: ${err.message})`;
      if (err.status < 500 && err.code !== 'WHARF_ERR_SERVICE_UNKNOWN')
        this.ctx.logger.warn(`${this.label}: rejected ${what}: bad input`);
      else
        this.ctx.logger.error(
          `${this.label}: service \`${cfg.service}\` failed on ${what}; ZeroMQ has no redelivery, the message is dropped`,
        );
    }
  }

  private async drain(ms: number): Promise<void> {
    if (this.active.size === 0) return;
    await waitAtMost(Promise.allSettled([...this.active]), ms);
  }
}
