/**
 * Admin API authentication: `Authorization: Bearer <token>` (the web admin, tokens from
 * POST auth/login, see tokens.ts) or HTTP Basic (the CLI) against scrypt hashes in the ODB.
 *
 * - Bearer: the token verifies, its session is not revoked, and its user still exists (that fact
 *   is believed for USER_CACHE_MS at most).
 * - Basic: a verified credential is remembered for a minute (keyed by a SHA-256 of it) so scrypt's
 *   cost is paid once, not per call; the entry keeps the hash it was verified against, and the
 *   user's current hash (believed for USER_CACHE_MS) must still be that one, so a deleted user or a
 *   changed password stops working within USER_CACHE_MS.
 * - Password checks (login and uncached Basic) go through the login throttle and cost one scrypt
 *   even for unknown users (a dummy hash), so timing does not reveal which users exist. Every
 *   failure is logged with the user and the client address (never the password); refusals of a
 *   locked-out user/address (429) are logged with their count, at most every 10 s each.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { hashPassword, randomPassword, verifyPassword } from '../config/secrets.js';
import { Unauthorized } from '../errors.js';
import type { ServiceLogger } from '../service/service.js';
import type { AdminRuntime } from './runtime.js';
import { clientAddress, LoginThrottle, type ThrottleOptions } from './login-throttle.js';
import {
  AdminTokens,
  readSecretKey,
  type AdminTokensOptions,
  type IssuedToken,
  type RevocationStore,
  type TokenClaims,
} from './tokens.js';

const BASIC_CACHE_MS = 60_000;
/** How long "user X exists with hash H" is believed. */
export const USER_CACHE_MS = 2_000;
const MAX_CACHE = 1000;
const CHALLENGE = 'Basic realm="Wharf admin"';
const INVALID = 'Invalid admin credentials';

/** What authentication needs of the ODB. */
export interface AuthStore extends RevocationStore {
  getUserHash(username: string): Promise<string | undefined>;
}

export interface AdminAuthOptions {
  tokens?: AdminTokensOptions;
  throttle?: ThrottleOptions;
  now?: () => number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** For the log: short and printable. */
function logName(user: string): string {
  return user.length > 128 ? `${user.slice(0, 128)}…` : user;
}

const perRuntime = new WeakMap<AdminRuntime, AdminAuth>();

export class AdminAuth {
  readonly tokens: AdminTokens;
  readonly throttle: LoginThrottle;
  private readonly now: () => number;
  private readonly basic = new Map<string, { user: string; hash: string; until: number }>();
  private readonly users = new Map<string, { hash: string | undefined; until: number }>();
  private dummy: Promise<string> | undefined;

  /** The one instance of a worker runtime (shared by the admin handler and the auth routes). */
  static for(rt: AdminRuntime): AdminAuth {
    let a = perRuntime.get(rt);
    if (!a) {
      a = new AdminAuth(rt.opts.odb, readSecretKey(rt.opts.config.secretKeyFile), rt.log);
      perRuntime.set(rt, a);
    }
    return a;
  }

  constructor(
    private readonly store: AuthStore,
    secretKey: Buffer,
    private readonly log: ServiceLogger,
    opts: AdminAuthOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.tokens = new AdminTokens(secretKey, store, { now: this.now, ...opts.tokens });
    this.throttle = new LoginThrottle({ now: this.now, ...opts.throttle });
    void this.dummyHash().catch(() => undefined); // ready before the first unknown user asks
  }

  /** The admin user of a request (Bearer or Basic); 401 otherwise. */
  async check(headers: IncomingHttpHeaders, remoteAddress: string | undefined): Promise<string> {
    const auth = headers.authorization;
    if (auth && /^bearer /i.test(auth)) return (await this.bearer(headers)).user;
    if (!auth || !/^basic /i.test(auth))
      throw new Unauthorized('Admin API needs credentials (HTTP Basic or a Bearer token from auth/login)', CHALLENGE);
    const digest = createHash('sha256').update(auth).digest('hex');
    const hit = this.basic.get(digest);
    if (hit && hit.until > this.now()) {
      if ((await this.userHash(hit.user)) === hit.hash) return hit.user;
      this.basic.delete(digest);
    }
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = i > 0 ? decoded.slice(0, i) : '';
    const hash = await this.checkPassword(
      user,
      i > 0 ? decoded.slice(i + 1) : '',
      clientAddress(headers, remoteAddress),
      'basic',
      CHALLENGE,
    );
    if (this.basic.size >= MAX_CACHE) this.basic.clear();
    this.basic.set(digest, { user, hash, until: this.now() + BASIC_CACHE_MS });
    return user;
  }

  /** The claims of a request's Bearer token (valid, not revoked, its user still exists); 401 otherwise. */
  async bearer(headers: IncomingHttpHeaders): Promise<TokenClaims> {
    const auth = headers.authorization;
    if (!auth || !/^bearer /i.test(auth))
      throw new Unauthorized('This needs a Bearer token from auth/login', 'Bearer realm="Wharf admin"');
    const claims = await this.tokens.verify(auth.slice(7).trim());
    if ((await this.userHash(claims.user)) === undefined)
      throw new Unauthorized(
        `Admin user \`${logName(claims.user)}\` no longer exists`,
        'Bearer realm="Wharf admin", error="invalid_token"',
      );
    return claims;
  }

  /** POST auth/login: throttled password check, then a new token (401 / 429 otherwise). */
  async login(user: string, password: string, address: string): Promise<IssuedToken> {
    await this.checkPassword(user, password, address, 'login');
    return this.tokens.issue(user);
  }

  /** A throttled scrypt check; the user's hash when it matches, else 401 (logged). */
  private async checkPassword(
    user: string,
    password: string,
    address: string,
    via: 'login' | 'basic',
    challenge?: string,
  ): Promise<string> {
    const attempt = this.throttle.begin(user, address, (refusals) =>
      this.log.warn('admin login refused: too many failures', { user: logName(user), address, via, refusals }),
    );
    try {
      if (attempt.delayMs > 0) await sleep(attempt.delayMs);
      const hash = user === '' ? undefined : await this.freshUserHash(user);
      const ok = await verifyPassword(password, hash ?? (await this.dummyHash()));
      if (ok && hash !== undefined) {
        attempt.succeeded();
        return hash;
      }
    } catch (e) {
      attempt.aborted(); // the ODB did not answer: not the user's failure
      throw e;
    }
    attempt.failed();
    this.log.warn('admin login failed', { user: logName(user), address, via });
    throw new Unauthorized(INVALID, challenge);
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(randomPassword());
    return this.dummy;
  }

  /** The user's hash, believed for USER_CACHE_MS. */
  private async userHash(user: string): Promise<string | undefined> {
    const hit = this.users.get(user);
    if (hit && hit.until > this.now()) return hit.hash;
    return this.freshUserHash(user);
  }

  private async freshUserHash(user: string): Promise<string | undefined> {
    const hash = await this.store.getUserHash(user);
    if (this.users.size >= MAX_CACHE) this.users.clear();
    this.users.set(user, { hash, until: this.now() + USER_CACHE_MS });
    return hash;
  }
}
