/**
 * Admin login throttle, per (user, client address) and per user. The first `freeFailures` failures
 * cost nothing; after that each attempt waits `baseDelayMs · 2^n` (at most `maxDelayMs`) before it
 * is answered; after `pairLimit` failures of one user from one address, or `userLimit` failures of
 * one user from anywhere, or `addressLimit` failures from one address for any users (password
 * spraying), attempts are refused with 429 + Retry-After until `lockMs` after the last failure (a
 * sliding window). A success resets its (user, address) pair.
 *
 * An attempt counts as a failure from the moment it starts (until it succeeds), so parallel
 * attempts cannot all slip through at the same count. Memory is bounded: each table keeps at most
 * `maxEntries` entries (least recently used dropped first), so cycling usernames or addresses cannot
 * grow it. State is per process (each worker of a server keeps its own). Refusals are reported
 * (`onRefused`, for the log) at most every 10 s per locked-out entry, with their count.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { TooManyRequests } from '../errors.js';

export interface ThrottleOptions {
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  pairLimit?: number;
  userLimit?: number;
  /** Failures from one address, any users (password spraying); no delays, only the lock-out. */
  addressLimit?: number;
  lockMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  /** When the last attempt started or failed (ms). */
  last: number;
  /** Refusals (429) not yet reported, and when they were last reported (ms). */
  refused?: number;
  reportedAt?: number;
}

/** Refusals of a locked-out entry are reported at most this often (the log must not become the attack). */
const REPORT_EVERY_MS = 10_000;

export interface LoginAttempt {
  /** Wait this long before answering (ms). */
  readonly delayMs: number;
  succeeded(): void;
  failed(): void;
  /** Neither (e.g. the ODB could not be asked): the attempt is not counted. */
  aborted(): void;
}

const DEFAULTS = {
  freeFailures: 3,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  pairLimit: 10,
  userLimit: 30,
  addressLimit: 100,
  lockMs: 5 * 60_000,
  maxEntries: 10_000,
};

/** The header the local web admin passes the browser's address in (trusted from loopback peers only). */
export const CLIENT_ADDR_HEADER = 'x-wharf-client-addr';

export function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** The client's address: the socket peer, or `x-wharf-client-addr` when the peer is loopback. */
export function clientAddress(headers: IncomingHttpHeaders, peer: string | undefined): string {
  const socket = peer ?? 'unknown';
  if (!isLoopback(peer)) return socket;
  const h = headers[CLIENT_ADDR_HEADER];
  const v = (Array.isArray(h) ? h[0] : h)?.trim();
  return v && isIP(v) !== 0 ? v : socket;
}

export class LoginThrottle {
  private readonly o: Required<Omit<ThrottleOptions, 'now'>>;
  private readonly now: () => number;
  private readonly pairs = new Map<string, Entry>();
  private readonly users = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();

  constructor(opts: ThrottleOptions = {}) {
    const { now, ...rest } = opts;
    this.o = { ...DEFAULTS, ...rest };
    this.now = now ?? Date.now;
  }

  /** Entries held (for tests and metrics). */
  get size(): { pairs: number; users: number; addresses: number } {
    return { pairs: this.pairs.size, users: this.users.size, addresses: this.addresses.size };
  }

  /**
   * Starts an attempt of `user` from `address`: throws 429 (with Retry-After) when locked out, else
   * counts it as a failure until `succeeded()` and tells how long to wait before answering.
   */
  begin(user: string, address: string, onRefused?: (refusals: number) => void): LoginAttempt {
    const t = this.now();
    const scopes = [
      { map: this.pairs, key: `${user}\u0000${address}`, limit: this.o.pairLimit, delays: true },
      { map: this.users, key: user, limit: this.o.userLimit, delays: true },
      { map: this.addresses, key: address, limit: this.o.addressLimit, delays: false },
    ].map((sc) => ({ ...sc, e: this.live(sc.map, sc.key, t) }));
    const locked = scopes.filter((sc) => (sc.e?.failures ?? 0) >= sc.limit);
    if (locked.length > 0) {
      // Keep a hammered lock-out fresh in the LRU order (without extending it), so cycling other
      // names cannot push it out.
      for (const sc of scopes) if (sc.e) this.bump(sc.map, sc.key, sc.e);
      const e = locked[0]!.e!;
      e.refused = (e.refused ?? 0) + 1;
      if (onRefused && t - (e.reportedAt ?? -Infinity) >= REPORT_EVERY_MS) {
        onRefused(e.refused);
        e.refused = 0;
        e.reportedAt = t;
      }
      const until = Math.max(...locked.map((sc) => sc.e!.last + this.o.lockMs));
      throw new TooManyRequests(
        'Too many failed admin logins; try again later',
        Math.max(1, Math.ceil((until - t) / 1000)),
      );
    }
    const delayMs = Math.max(...scopes.map((sc) => (sc.delays ? this.delayFor(sc.e?.failures ?? 0) : 0)));
    const held = scopes.map((sc) => {
      const e = this.touch(sc.map, sc.key, t);
      e.failures++;
      return { ...sc, e };
    });
    const [pair, ...others] = held;
    let settled = false;
    return {
      delayMs,
      succeeded: () => {
        if (settled) return;
        settled = true;
        pair!.map.delete(pair!.key);
        // This attempt was counted; it did not fail.
        for (const o of others) if (o.map.get(o.key) === o.e && o.e.failures > 0) o.e.failures--;
      },
      failed: () => {
        if (settled) return;
        settled = true;
        const at = this.now();
        for (const h of held) if (h.map.get(h.key) === h.e) h.e.last = at;
      },
      aborted: () => {
        if (settled) return;
        settled = true;
        for (const h of held) if (h.map.get(h.key) === h.e && h.e.failures > 0) h.e.failures--;
      },
    };
  }

  private delayFor(failures: number): number {
    const n = failures - this.o.freeFailures;
    return n < 0 ? 0 : Math.min(this.o.baseDelayMs * 2 ** n, this.o.maxDelayMs);
  }

  /** The entry, unless its window has passed (then it is forgotten). */
  private live(map: Map<string, Entry>, key: string, t: number): Entry | undefined {
    const e = map.get(key);
    if (e && t - e.last > this.o.lockMs) {
      map.delete(key);
      return undefined;
    }
    return e;
  }

  private bump(map: Map<string, Entry>, key: string, e: Entry): void {
    map.delete(key);
    map.set(key, e);
  }

  /** The entry (created if needed), moved to the most recently used end; the oldest dropped when full. */
  private touch(map: Map<string, Entry>, key: string, t: number): Entry {
    let e = map.get(key);
    if (e) map.delete(key);
    else e = { failures: 0, last: t };
    e.last = t;
    map.set(key, e);
    while (map.size > this.o.maxEntries) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
    }
    return e;
  }
}
