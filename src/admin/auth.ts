/**
 * Admin API authentication: HTTP Basic against scrypt hashes in the ODB. A verified credential is
 * remembered for a minute (keyed by a SHA-256 of it) so scrypt's cost is paid once, not per call.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { verifyPassword } from '../config/secrets.js';
import { Unauthorized } from '../errors.js';
import type { Odb } from '../odb/odb.js';

const CACHE_MS = 60_000;

export class AdminAuth {
  private cache = new Map<string, { user: string; until: number }>();

  constructor(private readonly odb: Odb) {}

  async check(headers: IncomingHttpHeaders): Promise<string> {
    const auth = headers.authorization;
    const challenge = 'Basic realm="Wharf admin"';
    if (!auth || !/^basic /i.test(auth)) throw new Unauthorized('Admin API needs HTTP Basic credentials', challenge);
    const digest = createHash('sha256').update(auth).digest('hex');
    const hit = this.cache.get(digest);
    if (hit && hit.until > Date.now()) return hit.user;
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = i > 0 ? decoded.slice(0, i) : '';
    const hash = user ? await this.odb.getUserHash(user) : undefined;
    if (!hash || !(await verifyPassword(decoded.slice(i + 1), hash))) throw new Unauthorized('Invalid admin credentials', challenge);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(digest, { user, until: Date.now() + CACHE_MS });
    return user;
  }
}
