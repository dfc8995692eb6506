/**
 * One sender link on its own connection, with every unconfirmed send tracked until the broker settles
 * it. RabbitMQ silently loses transfers not yet acknowledged when it restarts, so on a reconnect every
 * unconfirmed message is sent again (same message-id: at-least-once, consumers may de-duplicate); a send
 * that the deadline overtakes fails with a WharfError saying whether it may have been delivered.
 *
 * For `/amq/queue/Q`, RabbitMQ accepts and DROPS messages when Q does not exist; before attaching the
 * sender (and after each reconnect) the pipe attaches a zero-credit receiver to Q as an existence probe.
 */
import type { Delivery, EventContext, Message, Sender, Session } from 'rhea';
import { WharfError } from '../../errors.js';
import { parseAddress, terminus } from '../../connectors/amqp1/address.js';
import { Amqp1Connection } from '../../connectors/amqp1/connection.js';
import type { Amqp1Definition } from '../../connectors/amqp1/definition.js';
import { describeAmqpError } from '../../connectors/amqp1/errors.js';
import { closeLinkAndWait, closeLinkQuietly, ReattachTimer, waitIdle } from '../../connectors/amqp1/link-lifecycle.js';
import type { ServiceLogger } from '../../service/service.js';

const REATTACH_MS = 3_000;
/** A message the broker keeps releasing is given up after this many sends. */
const MAX_RELEASES = 5;

interface Pending {
  id: string;
  message: Record<string, unknown>;
  resolve(): void;
  reject(e: WharfError): void;
  timer: NodeJS.Timeout;
  timeoutMs: number;
  /** Times put on the wire. */
  sends: number;
  releases: number;
  lostWith?: string;
}

export interface PipeDeps {
  name: string;
  logger: ServiceLogger;
  definition: Amqp1Definition;
  address: string;
}

export class SenderPipe {
  readonly conn: Amqp1Connection;
  readonly address: string;
  /** The broker refused the last attach (missing queue...): sends fail at once with it until one works. */
  linkError: WharfError | undefined;
  /** Why the sender was detached; sends wait for the re-attach. */
  private detached: string | undefined;
  private sender: Sender | undefined;
  private session: Session | undefined;
  private readonly waiting: Pending[] = [];
  private readonly inflight = new Map<Delivery, Pending>();
  private closing = false;
  private attaching: Promise<void> | undefined;
  private readonly reattach = new ReattachTimer(REATTACH_MS, () => void this.attach());
  private idleWaiters: Array<() => void> = [];
  private readonly label: string;

  constructor(private readonly deps: PipeDeps) {
    this.address = deps.address;
    this.label = `outgoing.amqp1 \`${deps.name}\``;
    this.conn = new Amqp1Connection({
      label: this.label,
      definition: deps.definition,
      logger: deps.logger,
      onUp: () => void this.attach(),
      onDown: (reason) => this.linkGone(undefined, `connection lost: ${reason}`),
    });
  }

  get attached(): boolean {
    return this.sender !== undefined;
  }

  /** Why the sender is not attached (for health). */
  get problem(): string {
    return (
      this.linkError?.message ??
      (this.detached ? `${this.label}: ${this.detached}; re-attaching` : `attaching to \`${this.address}\``)
    );
  }

  /** Unconfirmed sends (waiting + on the wire). */
  get pending(): number {
    return this.waiting.length + this.inflight.size;
  }

  async start(waitMs = 10_000): Promise<void> {
    this.conn.open();
    await this.conn.waitFirst(waitMs);
    if (this.attaching) await this.attaching;
  }

  private attach(): Promise<void> {
    if (this.closing || this.sender || this.attaching) return this.attaching ?? Promise.resolve();
    this.reattach.cancel();
    this.attaching = (async () => {
      try {
        const parsed = parseAddress(this.address);
        if (parsed.ok && parsed.value.probeBeforeSend) await this.probe(parsed.value.queue ?? this.address);
        const { link, session, generation } = await this.conn.attachSender({
          target: terminus(this.address),
          autosettle: true,
        });
        if (this.closing || generation !== this.conn.generation) {
          this.closeLink(link, session);
          return;
        }
        this.sender = link;
        this.session = session;
        if (this.linkError || this.detached)
          this.deps.logger.info(`${this.label}: sending to \`${this.address}\` again`);
        this.linkError = undefined;
        this.detached = undefined;
        link.on('sendable', () => this.pump());
        link.on('accepted', (c: EventContext) => this.settled(c, 'accepted'));
        link.on('rejected', (c: EventContext) => this.settled(c, 'rejected'));
        link.on('released', (c: EventContext) => this.settled(c, 'released'));
        link.on('modified', (c: EventContext) => this.settled(c, 'modified'));
        link.on('settled', (c: EventContext) => this.settled(c, 'settled'));
        const gone = (): void =>
          this.linkGone(link, `sender detached: ${describeAmqpError(link.error ?? session.error)}`);
        link.on('sender_error', gone);
        link.on('sender_close', gone);
        session.on('session_error', gone);
        session.on('session_close', gone);
        this.pump();
      } catch (e) {
        // Lost with the connection: the next connection attaches again, waiting sends keep waiting.
        if (!this.conn.current || this.closing) return;
        const err =
          e instanceof WharfError
            ? e
            : new WharfError('WHARF_ERR_UPSTREAM', [`${this.label}: ${describeAmqpError(e)}`]);
        if (err.message !== this.linkError?.message)
          this.deps.logger.error(`${err.message}; retrying every ${REATTACH_MS / 1000} s`);
        this.linkError = err;
        // A definite refusal: sends waiting for this link fail now instead of at their deadline.
        for (const p of this.waiting.splice(0)) this.finish(p, err);
        this.scheduleReattach();
      } finally {
        this.attaching = undefined;
      }
    })();
    return this.attaching;
  }

  /** Attaches a zero-credit receiver to the queue: RabbitMQ refuses it (not-found) when the queue is missing. */
  private async probe(queue: string): Promise<void> {
    let attached;
    try {
      attached = await this.conn.attachReceiver({
        source: { address: this.address },
        credit_window: 0,
        autoaccept: false,
      });
    } catch (e) {
      const condition = e instanceof WharfError ? e.details?.['condition'] : undefined;
      if (condition === 'amqp:not-found') {
        throw new WharfError(
          'WHARF_ERR_UPSTREAM',
          [
            `${this.label}: queue \`${queue}\` does not exist on the broker (RabbitMQ would accept and silently drop messages sent to \`${this.address}\`); declare it, or send to \`/queue/${queue}\` to have it declared`,
          ],
          { details: { condition } },
        );
      }
      throw e;
    }
    this.closeLink(attached.link, attached.session);
  }

  private scheduleReattach(): void {
    this.reattach.schedule(!this.closing && this.conn.current !== undefined);
  }

  /** The link is gone: whatever was on the wire is unconfirmed and goes first in line for the next link. */
  private linkGone(link: Sender | undefined, reason: string): void {
    if (link && link !== this.sender) return;
    const wasAttached = this.sender !== undefined;
    const session = this.session;
    this.sender = undefined;
    this.session = undefined;
    const unconfirmed = [...this.inflight.values()];
    this.inflight.clear();
    for (const p of unconfirmed) p.lostWith = reason;
    this.waiting.unshift(...unconfirmed);
    if (unconfirmed.length)
      this.deps.logger.warn(
        `${this.label}: ${unconfirmed.length} unconfirmed message(s) will be sent again (${reason})`,
      );
    if (link && wasAttached && !this.closing) {
      try {
        session?.close();
      } catch {
        /* gone */
      }
      this.detached = reason;
      this.deps.logger.warn(`${this.label}: ${reason}; re-attaching`);
      this.scheduleReattach();
    }
  }

  send(message: Record<string, unknown>, id: string, timeoutMs: number): Promise<void> {
    if (this.closing) return Promise.reject(new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [this.deps.name]));
    if (this.linkError && this.conn.current && !this.sender && !this.attaching) return Promise.reject(this.linkError);
    return new Promise<void>((resolve, reject) => {
      const p: Pending = {
        id,
        message,
        resolve,
        reject,
        timeoutMs,
        sends: 0,
        releases: 0,
        timer: setTimeout(() => this.expire(p), timeoutMs),
      };
      this.waiting.push(p);
      this.pump();
    });
  }

  private pump(): void {
    const s = this.sender;
    if (!s) return;
    while (this.waiting.length && s.sendable()) {
      const p = this.waiting.shift() as Pending;
      p.sends++;
      const d = s.send(p.message as unknown as Message);
      this.inflight.set(d, p);
    }
  }

  private settled(c: EventContext, outcome: 'accepted' | 'rejected' | 'released' | 'modified' | 'settled'): void {
    const d = c.delivery;
    if (!d) return;
    const p = this.inflight.get(d);
    if (!p) return;
    this.inflight.delete(d);
    const where = `message ${p.id} to \`${this.address}\``;
    const state = (d as Delivery & { remote_state?: { error?: unknown; undeliverable_here?: boolean } }).remote_state;
    switch (outcome) {
      case 'accepted':
        return this.finish(p);
      case 'rejected':
        return this.finish(
          p,
          new WharfError(
            'WHARF_ERR_UPSTREAM',
            [`${this.label}: the broker rejected ${where}: ${describeAmqpError(state?.error)}`],
            { details: { messageId: p.id } },
          ),
        );
      case 'settled':
        return this.finish(
          p,
          new WharfError(
            'WHARF_ERR_UPSTREAM',
            [`${this.label}: the broker settled ${where} without an outcome; it may or may not have been delivered`],
            { details: { messageId: p.id } },
          ),
        );
      default:
        p.releases++;
        if ((outcome === 'modified' && state?.undeliverable_here) || p.releases >= MAX_RELEASES) {
          return this.finish(
            p,
            new WharfError(
              'WHARF_ERR_UPSTREAM',
              [`${this.label}: the broker did not take ${where} (${outcome} ${p.releases} time(s))`],
              { details: { messageId: p.id } },
            ),
          );
        }
        this.waiting.unshift(p);
        this.pump();
    }
  }

  private expire(p: Pending): void {
    const i = this.waiting.indexOf(p);
    if (i >= 0) this.waiting.splice(i, 1);
    for (const [d, q] of this.inflight) if (q === p) this.inflight.delete(d);
    const where = `message ${p.id} to \`${this.address}\``;
    let why: string;
    if (p.sends > 0)
      why = `was sent but not confirmed by the broker within ${p.timeoutMs} ms${p.lostWith ? ` (${p.lostWith})` : ''}; it may or may not have been delivered`;
    else if (!this.conn.current)
      why = `could not be sent within ${p.timeoutMs} ms: broker unreachable${this.conn.lastError ? ` (${this.conn.lastError})` : ''}; it was not delivered`;
    else if (!this.sender)
      why = `could not be sent within ${p.timeoutMs} ms: ${this.linkError?.message ?? this.detached ?? 'no sender link'}; it was not delivered`;
    else why = `could not be sent within ${p.timeoutMs} ms: no link credit from the broker; it was not delivered`;
    this.finish(
      p,
      new WharfError('WHARF_ERR_UPSTREAM_TIMEOUT', [`${this.label}: ${where} ${why}`], {
        details: { messageId: p.id, sent: p.sends > 0 },
      }),
    );
  }

  private finish(p: Pending, err?: WharfError): void {
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve();
    if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private closeLink(link: Sender | { close(): void }, session: Session): void {
    closeLinkQuietly(link, session);
  }

  /** Takes no new sends, waits (bounded) for unconfirmed ones to settle or expire, then closes. */
  async close(graceMs: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.reattach.cancel();
    if (this.pending > 0) await waitIdle(this.idleWaiters, graceMs);
    for (const p of [...this.waiting, ...this.inflight.values()]) {
      this.finish(
        p,
        new WharfError(
          'WHARF_ERR_UPSTREAM',
          [
            `${this.label}: stopped before the broker confirmed message ${p.id} (${p.sends > 0 ? 'it may or may not have been delivered' : 'it was not sent'})`,
          ],
          { details: { messageId: p.id } },
        ),
      );
    }
    this.waiting.length = 0;
    this.inflight.clear();
    const s = this.sender;
    const session = this.session;
    this.sender = undefined;
    this.session = undefined;
    if (s && session) {
      await closeLinkAndWait(s, session, 'sender_close');
    }
    // Closing the connection also fails an attach still in progress, so this wait is short.
    await this.conn.close();
    if (this.attaching) await this.attaching;
  }
}
