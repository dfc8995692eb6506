/**
 * Admin login throttle, per (user, client address) and per user. The first `freeFailures` failures
 * cost nothing; after that each attempt waits `baseDelayMs · 2^n` (at most `maxDelayMs`) before it
 * is answered; after `pairLimit` failures of one user from one address, or `userLimit` failures of
 * one user from anywhere, attempts are refused with 429 + Retry-After until `lockMs` after the last
 * failure (a sliding window). A success resets its (user, address) pair.
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
}

const DEFAULTS = { freeFailures: 3, baseDelayMs: 250, maxDelayMs: 4000, pairLimit: 10, userLimit: 30, lockMs: 5 * 60_000, maxEntries: 10_000 };

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

  constructor(opts: ThrottleOptions = {}) {
    const { now, ...rest } = opts;
    this.o = { ...DEFAULTS, ...rest };
    this.now = now ?? Date.now;
  }

  /** Entries held (for tests and metrics). */
  get size(): { pairs: number; users: number } {
    return { pairs: this.pairs.size, users: this.users.size };
  }

  /**
   * Starts an attempt of `user` from `address`: throws 429 (with Retry-After) when locked out, else
   * counts it as a failure until `succeeded()` and tells how long to wait before answering.
   */
  begin(user: string, address: string, onRefused?: (refusals: number) => void): LoginAttempt {
    const t = this.now();
    const pairKey = `${user}\u0000${address}`;
    const pair = this.live(this.pairs, pairKey, t);
    const usr = this.live(this.users, user, t);
    const pairLocked = (pair?.failures ?? 0) >= this.o.pairLimit;
    const userLocked = (usr?.failures ?? 0) >= this.o.userLimit;
    if (pairLocked || userLocked) {
      // Keep a hammered lock-out fresh in the LRU order (without extending it), so cycling other
      // names cannot push it out.
      if (pair) this.bump(this.pairs, pairKey, pair);
      if (usr) this.bump(this.users, user, usr);
      const e = pairLocked ? pair! : usr!;
      e.refused = (e.refused ?? 0) + 1;
      if (onRefused && t - (e.reportedAt ?? -Infinity) >= REPORT_EVERY_MS) {
        onRefused(e.refused);
        e.refused = 0;
        e.reportedAt = t;
      }
      const until = Math.max(pairLocked ? pair!.last + this.o.lockMs : 0, userLocked ? usr!.last + this.o.lockMs : 0);
      throw new TooManyRequests('Too many failed admin logins; try again later', Math.max(1, Math.ceil((until - t) / 1000)));
    }
    const delayMs = Math.max(this.delayFor(pair?.failures ?? 0), this.delayFor(usr?.failures ?? 0));
    const p = this.touch(this.pairs, pairKey, t);
    const u = this.touch(this.users, user, t);
    p.failures++;
    u.failures++;
    let settled = false;
    return {
      delayMs,
      succeeded: () => {
        if (settled) return;
        settled = true;
        this.pairs.delete(pairKey);
        const cur = this.users.get(user);
        if (cur === u && u.failures > 0) u.failures--; // this attempt was counted; it did not fail
      },
      failed: () => {
        if (settled) return;
        settled = true;
        const at = this.now();
        if (this.pairs.get(pairKey) === p) p.last = at;
        if (this.users.get(user) === u) u.last = at;
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
