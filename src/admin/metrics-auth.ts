/**
 * Who may read `/wharf/metrics` (every object name, counts, RSS): by default the admin API's users
 * (HTTP Basic or a Bearer token from auth/login, through the same throttled check as
 * /wharf/admin/*), or a scraper holding the metrics bearer token (server.yaml
 * `metrics.bearerTokenFile`, written by the quickstart as ENV/metrics.token; compared in constant
 * time). `metrics.public: true` opens the page deliberately. Anything else: 401 with a
 * WWW-Authenticate challenge and the error registry's body.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { isAbsolute, resolve } from 'node:path';
import { Unauthorized } from '../errors.js';

/** The challenge of a refused metrics request: both ways in. */
export const METRICS_CHALLENGE = 'Basic realm="Wharf admin", Bearer realm="Wharf metrics"';
/** How long a read token file is believed (a rotated token works within this time, no restart). */
const TOKEN_CACHE_MS = 5_000;

export interface MetricsAccessOptions {
  public?: boolean | undefined;
  /** The bearer token file; relative paths are taken from `baseDir`. */
  bearerTokenFile?: string | undefined;
  baseDir: string;
  /** The admin check (Basic or an admin Bearer token); throws Unauthorized (or 429) when refused. */
  adminCheck(headers: IncomingHttpHeaders, remoteAddress: string | undefined): Promise<string>;
  now?: () => number;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality of two strings (compares SHA-256 digests, so lengths leak nothing either). */
export function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected)) && expected.length > 0;
}

export class MetricsAccess {
  private cached: { token: string | undefined; until: number } | undefined;
  private readonly now: () => number;
  private readonly file: string | undefined;

  constructor(private readonly o: MetricsAccessOptions) {
    this.now = o.now ?? Date.now;
    this.file = o.bearerTokenFile
      ? isAbsolute(o.bearerTokenFile)
        ? o.bearerTokenFile
        : resolve(o.baseDir, o.bearerTokenFile)
      : undefined;
  }

  /** The scrape token (first line of the file, trimmed); undefined when none is configured or readable. */
  async token(): Promise<string | undefined> {
    if (!this.file) return undefined;
    const now = this.now();
    if (this.cached && this.cached.until > now) return this.cached.token;
    let token: string | undefined;
    try {
      token = (await readFile(this.file, 'utf8')).split('\n')[0]!.trim() || undefined;
    } catch {
      token = undefined;
    }
    this.cached = { token, until: now + TOKEN_CACHE_MS };
    return token;
  }

  /** Returns how the request got in (`public`, `token` or `admin:<user>`); throws 401 otherwise. */
  async check(headers: IncomingHttpHeaders, remoteAddress: string | undefined): Promise<string> {
    if (this.o.public) return 'public';
    const auth = headers.authorization;
    if (!auth)
      throw new Unauthorized(
        '/wharf/metrics needs credentials: the metrics bearer token or an admin user',
        METRICS_CHALLENGE,
      );
    if (/^bearer /i.test(auth)) {
      const expected = await this.token();
      if (expected !== undefined && sameToken(auth.slice(7).trim(), expected)) return 'token';
    }
    try {
      return `admin:${await this.o.adminCheck(headers, remoteAddress)}`;
    } catch (e) {
      if (e instanceof Unauthorized)
        throw new Unauthorized(
          '/wharf/metrics: invalid credentials (the metrics bearer token or an admin user)',
          METRICS_CHALLENGE,
        );
      throw e;
    }
  }
}
