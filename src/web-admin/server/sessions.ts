/**
 * Sessions in memory: a random 256-bit id (the cookie) → the admin user, the admin API token, a CSRF
 * token. Idle expiry (every use counts), a bounded count (the least recently used goes first).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  readonly id: string;
  readonly user: string;
  readonly csrf: string;
  token: string;
  /** When the admin API token expires (epoch ms). */
  tokenExpiresAt: number;
  lastSeen: number;
  /** A token refresh in flight, shared by concurrent requests. */
  refreshing?: Promise<void> | undefined;
}

export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

const ID = /^[A-Za-z0-9_-]{43}$/;

export type Lookup = { state: 'ok'; session: Session } | { state: 'expired' } | { state: 'none' };

export class SessionStore {
  private readonly map = new Map<string, Session>();

  constructor(
    readonly idleMs: number,
    readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.map.size;
  }

  create(user: string, token: string, tokenExpiresAt: number): Session {
    const s: Session = { id: randomId(), user, csrf: randomId(), token, tokenExpiresAt, lastSeen: this.now() };
    this.map.set(s.id, s);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
    return s;
  }

  /** Looks a cookie value up and counts it as a use. */
  lookup(id: string | undefined): Lookup {
    if (id === undefined || id === '') return { state: 'none' };
    if (!ID.test(id)) return { state: 'expired' };
    const s = this.map.get(id);
    if (!s) return { state: 'expired' };
    const now = this.now();
    if (now - s.lastSeen > this.idleMs || now >= s.tokenExpiresAt) {
      this.map.delete(id);
      return { state: 'expired' };
    }
    s.lastSeen = now;
    // Most recently used last: eviction takes the first.
    this.map.delete(id);
    this.map.set(id, s);
    return { state: 'ok', session: s };
  }

  delete(id: string): Session | undefined {
    const s = this.map.get(id);
    this.map.delete(id);
    return s;
  }

  /** Drops idle sessions; returns how many went. */
  sweep(): number {
    const now = this.now();
    let n = 0;
    for (const [id, s] of this.map) {
      if (now - s.lastSeen > this.idleMs || now >= s.tokenExpiresAt) {
        this.map.delete(id);
        n++;
      }
    }
    return n;
  }

  /** When the session goes idle-expired if not used (epoch ms). */
  expiresAt(s: Session): number {
    return Math.min(s.lastSeen + this.idleMs, s.tokenExpiresAt);
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: string | string[] | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrf);
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}
