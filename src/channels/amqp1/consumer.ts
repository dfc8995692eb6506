/**
 * One receiver link on its own connection: attaches (again after every reconnect), grants credit as
 * messages are settled so that at most `credit` are unsettled, runs the service per message and settles
 * with accept / reject / release. Never `modified` (it ends the session on RabbitMQ) and never `drain`
 * (it crashes the session on a classic queue).
 */
import type { Delivery, EventContext, Receiver, Session } from 'rhea';
import { normalizeError } from '../../errors.js';
import { Amqp1Connection } from '../../connectors/amqp1/connection.js';
import type { Amqp1Definition } from '../../connectors/amqp1/definition.js';
import { terminus } from '../../connectors/amqp1/address.js';
import { describeAmqpError } from '../../connectors/amqp1/errors.js';
import { closeLinkAndWait, closeLinkQuietly, ReattachTimer, waitIdle } from '../../connectors/amqp1/link-lifecycle.js';
import {
  idText,
  messageHeaders,
  rawBody,
  redeliveryKey,
  type IncomingMessageLike,
} from '../../connectors/amqp1/message.js';
import type { ConnectorContext } from '../../connectors/types.js';
import type { Amqp1ChannelConfig } from './kind.js';
import { decide, type RedeliveryTracker } from './redelivery.js';
import { Settler } from './settler.js';

const REATTACH_MS = 3_000;

export interface ConsumerDeps {
  name: string;
  ctx: ConnectorContext;
  definition: Amqp1Definition;
  address: string;
  credit: number;
  /** The channel's current config; read per message, so live edits apply to the next message. */
  config(): Amqp1ChannelConfig;
  tracker: RedeliveryTracker;
}

interface LinkState {
  receiver: Receiver;
  session: Session;
  /** Delivered but not yet settled on this link. */
  unsettled: number;
  settler: Settler;
}

export class Consumer {
  readonly conn: Amqp1Connection;
  readonly address: string;
  attachError: string | undefined;
  private link: LinkState | undefined;
  private credit: number;
  private closing = false;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly reattach = new ReattachTimer(REATTACH_MS, () => void this.attach());
  private readonly delayedReleases = new Map<NodeJS.Timeout, () => void>();
  private attaching: Promise<void> | undefined;
  private readonly label: string;

  constructor(private readonly deps: ConsumerDeps) {
    this.address = deps.address;
    this.credit = deps.credit;
    this.label = `channel.amqp1 \`${deps.name}\``;
    this.conn = new Amqp1Connection({
      label: this.label,
      definition: deps.definition,
      logger: deps.ctx.logger,
      onUp: () => void this.attach(),
      onDown: () => this.linkGone(undefined),
    });
  }

  get attached(): boolean {
    return this.link !== undefined;
  }

  /** Connects and attaches; waits (bounded) for the first outcome but never throws for broker trouble. */
  async start(waitMs = 10_000): Promise<void> {
    this.conn.open();
    await this.conn.waitFirst(waitMs);
    if (this.attaching) await this.attaching;
  }

  setCredit(credit: number): void {
    this.credit = credit;
    this.topUp(true);
  }

  private attach(): Promise<void> {
    if (this.closing || this.link || this.attaching) return this.attaching ?? Promise.resolve();
    this.reattach.cancel();
    this.attaching = (async () => {
      try {
        const {
          link: receiver,
          session,
          generation,
        } = await this.conn.attachReceiver({
          source: terminus(this.address),
          autoaccept: false,
          credit_window: 0,
        });
        if (this.closing || generation !== this.conn.generation) {
          this.closeLink({ receiver, session });
          return;
        }
        const state: LinkState = { receiver, session, unsettled: 0, settler: new Settler() };
        this.link = state;
        if (this.attachError) this.deps.ctx.logger.info(`${this.label}: consuming from \`${this.address}\` again`);
        this.attachError = undefined;
        receiver.on('message', (c: EventContext) => this.onMessage(state, c));
        const gone = (): void => this.linkGone(state, receiver.error ?? session.error ?? 'detached by the broker');
        receiver.on('receiver_error', gone);
        receiver.on('receiver_close', gone);
        session.on('session_error', gone);
        session.on('session_close', gone);
        this.topUp(true);
      } catch (e) {
        const reason = e instanceof Error ? e.message : describeAmqpError(e);
        if (reason !== this.attachError && !this.closing)
          this.deps.ctx.logger.error(`${reason}; retrying every ${REATTACH_MS / 1000} s`);
        this.attachError = reason;
        this.scheduleReattach();
      } finally {
        this.attaching = undefined;
      }
    })();
    return this.attaching;
  }

  private scheduleReattach(): void {
    this.reattach.schedule(!this.closing && this.conn.current !== undefined);
  }

  /** The link died (broker detached it, or the connection is gone): its deliveries are void. */
  private linkGone(state: LinkState | undefined, error?: unknown): void {
    const current = this.link;
    if (!current || (state && state !== current)) return;
    this.link = undefined;
    current.settler.clear();
    if (error !== undefined && !this.closing) {
      this.attachError = `receiver on \`${this.address}\` detached: ${describeAmqpError(error)}`;
      this.deps.ctx.logger.warn(`${this.label}: ${this.attachError}; re-attaching`);
      try {
        current.session.close();
      } catch {
        /* gone */
      }
      this.scheduleReattach();
    }
  }

  /** Grants credit so that credit + unsettled = the configured window (in batches of a quarter). */
  private topUp(force = false): void {
    const l = this.link;
    if (!l || this.closing) return;
    const granted = (l.receiver as Receiver & { credit: number }).credit;
    const want = this.credit - granted - l.unsettled;
    if (want > 0 && (force || want >= Math.max(1, Math.floor(this.credit / 4)))) l.receiver.add_credit(want);
  }

  private onMessage(state: LinkState, c: EventContext): void {
    state.unsettled++;
    const delivery = c.delivery;
    if (!delivery) return;
    // Once closing, new arrivals stay unsettled: closing the link hands them back to the broker.
    if (this.closing || state !== this.link) return;
    this.inFlight++;
    this.handle(state, c, delivery).finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  private async handle(state: LinkState, c: EventContext, delivery: Delivery): Promise<void> {
    const cfg = this.deps.config();
    const custom = (c as EventContext & { format?: number }).format !== undefined;
    const msg = (custom ? {} : (c.message as unknown as IncomingMessageLike)) ?? {};
    const raw = custom ? (c.message as unknown as Buffer) : rawBody(msg['body']);
    // The redelivery key (a body hash when there is no message-id) is only needed once something failed.
    let key: string | undefined;
    const keyOf = (): string => (key ??= redeliveryKey(msg, raw));
    try {
      await this.deps.ctx.invoke({
        service: cfg.service,
        raw,
        dataFormat: cfg.dataFormat,
        channel: { name: this.deps.name, kind: 'amqp1', dataFormat: cfg.dataFormat },
        headers: messageHeaders(msg),
        ...(cfg.timeoutMs ? { timeoutMs: cfg.timeoutMs } : {}),
      });
      if (this.deps.tracker.size > 0) this.deps.tracker.forget(keyOf());
      this.settle(state, delivery, 'accept', () => delivery.accept());
    } catch (e) {
      const msgId = idText(msg['message_id']) ?? keyOf();
      const err = normalizeError(e, msgId);
      const brokerCount = typeof msg['delivery_count'] === 'number' ? (msg['delivery_count'] as number) : undefined;
      const failures = err.status < 500 ? 0 : this.deps.tracker.fail(keyOf(), brokerCount);
      const d = decide(err, failures, cfg.maxRedeliveries);
      if (d.outcome === 'reject') {
        this.deps.tracker.forget(keyOf());
        this.deps.ctx.logger.warn(
          `${this.label}: rejecting message ${msgId} from \`${this.address}\` (dead-lettered if the queue has a DLX, else dropped): ${d.reason}`,
        );
        const error = { condition: d.condition, description: d.reason.slice(0, 1000) };
        this.settle(state, delivery, `reject:${error.condition}:${error.description}`, () => delivery.reject(error));
      } else {
        this.deps.ctx.logger.info(`${this.label}: releasing message ${msgId} for redelivery: ${d.reason}`);
        this.releaseLater(state, delivery, cfg.redeliveryDelayMs);
      }
    }
  }

  private releaseLater(state: LinkState, delivery: Delivery, delayMs: number): void {
    const release = (): void => this.settle(state, delivery, 'release', () => delivery.release());
    if (delayMs <= 0 || this.closing) return release();
    const t = setTimeout(() => {
      this.delayedReleases.delete(t);
      release();
    }, delayMs);
    this.delayedReleases.set(t, release);
  }

  private settle(state: LinkState, delivery: Delivery, kind: string, apply: () => void): void {
    if (state !== this.link) {
      this.deps.ctx.logger.debug(
        `${this.label}: dropping the settlement (${kind.split(':')[0]}) of a delivery from before a reconnect; the broker redelivers it`,
      );
      return;
    }
    state.settler.settle(kind, () => {
      if (state !== this.link) return;
      try {
        apply();
      } catch (e) {
        this.deps.ctx.logger.warn(`${this.label}: cannot settle a delivery: ${describeAmqpError(e)}`);
      }
      state.unsettled--;
      this.topUp();
    });
  }

  private closeLink(l: Pick<LinkState, 'receiver' | 'session'>): void {
    closeLinkQuietly(l.receiver, l.session);
  }

  /**
   * Stops taking messages, lets in-flight ones finish and settle (up to `graceMs`), then closes the link
   * (unsettled messages go back to the queue) and the connection.
   */
  async close(graceMs = 5_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.reattach.cancel();
    for (const [t, release] of this.delayedReleases) {
      clearTimeout(t);
      release();
    }
    this.delayedReleases.clear();
    if (this.inFlight > 0) {
      await waitIdle(this.idleWaiters, graceMs);
      if (this.inFlight > 0)
        this.deps.ctx.logger.warn(
          `${this.label}: ${this.inFlight} message(s) still in the service after ${graceMs} ms; closing anyway, the broker redelivers them`,
        );
    }
    const l = this.link;
    if (l) {
      // Let the last settlements reach the wire before the detach.
      for (let i = 0; i < 5 && l.settler.pending > 0; i++) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      this.link = undefined;
      await closeLinkAndWait(l.receiver, l.session, 'receiver_close');
      l.settler.clear();
    }
    // Closing the connection also fails an attach still in progress, so this wait is short.
    await this.conn.close();
    if (this.attaching) await this.attaching;
  }
}
