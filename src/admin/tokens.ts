/**
 * Admin API login tokens: JWT HS256 (jose), 15 minutes, signed with a key derived by HKDF from the
 * server's secret key (`secret.key`, the same file on every server of a cluster, so a token issued
 * by one server works on all of them behind the load balancer).
 *
 * Every token carries `sid`, the login session it belongs to: the `jti` of the token the login
 * issued, kept by each refresh (a refresh never extends a session beyond MAX_SESSION_MS after login).
 * Revocation (logout) is per session and cluster-wide: the `sid` goes into ODB state (scope
 * `admin.revoked`, value = the latest expiry of any token of that session, epoch seconds), so the
 * tokens a session had before its last refresh die with it. A server believes "this session is not
 * revoked" for at most REVOCATION_CACHE_MS, so a token revoked on one server is refused by every
 * other one within that time; the revoking server refuses it at once.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { Unauthorized } from '../errors.js';

export const TOKEN_TTL_MS = 15 * 60_000;
export const REVOKED_SCOPE = 'admin.revoked';
/** A session (login + refreshes) ends this long after the login. */
export const MAX_SESSION_MS = 12 * 3600_000;
/** How long "not revoked" is believed without asking the ODB again. */
export const REVOCATION_CACHE_MS = 2_000;
/** A JWT longer than this is not one of ours; refused before any parsing. */
const MAX_TOKEN_CHARS = 4096;
const ISSUER = 'wharf';
const AUDIENCE = 'wharf-admin';
const BEARER_CHALLENGE = 'Bearer realm="Wharf admin", error="invalid_token"';

/** The part of the ODB the revocation list needs (ODB state: no version bump, no broadcast). */
export interface RevocationStore {
  getState(scope: string, key: string): Promise<unknown>;
  setState(scope: string, key: string, value: unknown): Promise<void>;
  listState(scope: string): Promise<Array<{ key: string; value: unknown }>>;
}

export interface TokenClaims {
  user: string;
  jti: string;
  /** The login session: the first token's jti, kept by refreshes. */
  sid: string;
  /** When the session logged in (epoch seconds). */
  lt: number;
  /** Epoch seconds. */
  iat: number;
  /** Epoch seconds. */
  exp: number;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  claims: TokenClaims;
}

export interface AdminTokensOptions {
  ttlMs?: number;
  /** Clock (ms); tests move it. */
  now?: () => number;
}

/** The token signing key: HKDF-SHA256 of the 32-byte secret key, bound to this one purpose. */
export function deriveTokenKey(secretKey: Buffer): Uint8Array {
  if (secretKey.length < 32) throw new Error('the secret key must be at least 32 bytes');
  return new Uint8Array(hkdfSync('sha256', secretKey, Buffer.from('wharf'), Buffer.from('wharf admin token v1'), 32));
}

/** Reads the key file the runtime reads (hex, see SecretBox.fromHex). */
export function readSecretKey(file: string): Buffer {
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

function invalid(message = 'Invalid or expired admin token'): Unauthorized {
  return new Unauthorized(message, BEARER_CHALLENGE);
}

export class AdminTokens {
  private readonly key: Uint8Array;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** sid → until when "not revoked" is believed (ms), or 0 when known revoked. Bounded. */
  private readonly checked = new Map<string, number>();
  private static readonly MAX_CHECKED = 10_000;

  constructor(
    secretKey: Buffer,
    private readonly store: RevocationStore,
    opts: AdminTokensOptions = {},
  ) {
    this.key = deriveTokenKey(secretKey);
    this.ttlMs = opts.ttlMs ?? TOKEN_TTL_MS;
    this.now = opts.now ?? Date.now;
  }

  /** A token for `user`: a new session, or the next token of `session` (a refresh). */
  async issue(user: string, session?: Pick<TokenClaims, 'sid' | 'lt'>): Promise<IssuedToken> {
    const iat = Math.floor(this.now() / 1000);
    const jti = randomBytes(16).toString('base64url');
    const sid = session?.sid ?? jti;
    const lt = session?.lt ?? iat;
    const end = lt + Math.floor(MAX_SESSION_MS / 1000);
    if (iat >= end) throw invalid('The admin session is older than 12 hours; log in again');
    const exp = Math.min(iat + Math.ceil(this.ttlMs / 1000), end);
    const token = await new SignJWT({ sid, lt })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user)
      .setJti(jti)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000), claims: { user, jti, sid, lt, iat, exp } };
  }

  /** The token's claims; throws 401 when it is malformed, forged, expired or revoked. */
  async verify(token: string): Promise<TokenClaims> {
    if (token.length === 0 || token.length > MAX_TOKEN_CHARS) throw invalid();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'jti', 'iat', 'exp', 'sid', 'lt'],
        currentDate: new Date(this.now()),
      }));
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw invalid('The admin token has expired');
      throw invalid();
    }
    const { sub, jti, iat, exp, sid, lt } = payload;
    if (
      typeof sub !== 'string' ||
      sub === '' ||
      typeof jti !== 'string' ||
      jti === '' ||
      typeof sid !== 'string' ||
      sid === '' ||
      sid.length > 64
    )
      throw invalid();
    if (typeof iat !== 'number' || typeof exp !== 'number' || typeof lt !== 'number') throw invalid();
    if (await this.isRevoked(sid)) throw invalid('The admin token has been revoked');
    return { user: sub, jti, sid, lt, iat, exp };
  }

  /**
   * Revokes the token's session everywhere: this token and every other token of the session, until
   * the last of them would have expired anyway.
   */
  async revoke(claims: Pick<TokenClaims, 'sid' | 'exp'>): Promise<void> {
    const until = Math.max(claims.exp, Math.ceil((this.now() + this.ttlMs) / 1000));
    await this.store.setState(REVOKED_SCOPE, claims.sid, until);
    this.remember(claims.sid, 0);
    await this.purgeExpired().catch(() => undefined);
  }

  private async isRevoked(sid: string): Promise<boolean> {
    const t = this.now();
    const until = this.checked.get(sid);
    if (until === 0) return true;
    if (until !== undefined && until > t) return false;
    const revoked = (await this.store.getState(REVOKED_SCOPE, sid)) !== undefined;
    this.remember(sid, revoked ? 0 : t + REVOCATION_CACHE_MS);
    return revoked;
  }

  private remember(sid: string, until: number): void {
    this.checked.delete(sid);
    if (this.checked.size >= AdminTokens.MAX_CHECKED) {
      const t = this.now();
      for (const [k, v] of this.checked) if (v !== 0 && v <= t) this.checked.delete(k);
      // Still full: drop the oldest half (a revoked sid dropped here is simply looked up again).
      if (this.checked.size >= AdminTokens.MAX_CHECKED) {
        let n = this.checked.size / 2;
        for (const k of this.checked.keys()) {
          if (n-- <= 0) break;
          this.checked.delete(k);
        }
      }
    }
    this.checked.set(sid, until);
  }

  /** Drops revocations of tokens that have expired on their own (keeps the ODB list short). */
  private async purgeExpired(): Promise<void> {
    const nowS = Math.floor(this.now() / 1000);
    for (const { key, value } of await this.store.listState(REVOKED_SCOPE)) {
      if (typeof value !== 'number' || value < nowS - 60) await this.store.setState(REVOKED_SCOPE, key, undefined);
    }
  }
}
