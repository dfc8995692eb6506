import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { WharfError } from '../errors.js';
import {
  AdminTokens,
  deriveTokenKey,
  MAX_SESSION_MS,
  REVOCATION_CACHE_MS,
  REVOKED_SCOPE,
  type RevocationStore,
} from './tokens.js';

/** ODB state in memory (the ODB's own state API is tested with the ODB). */
class MemState implements RevocationStore {
  readonly rows = new Map<string, unknown>();
  gets = 0;
  async getState(scope: string, key: string): Promise<unknown> {
    this.gets++;
    return this.rows.get(`${scope}/${key}`);
  }
  async setState(scope: string, key: string, value: unknown): Promise<void> {
    if (value === undefined) this.rows.delete(`${scope}/${key}`);
    else this.rows.set(`${scope}/${key}`, value);
  }
  async listState(scope: string): Promise<Array<{ key: string; value: unknown }>> {
    return [...this.rows]
      .filter(([k]) => k.startsWith(`${scope}/`))
      .map(([k, value]) => ({ key: k.slice(scope.length + 1), value }));
  }
}

async function refused(p: Promise<unknown>): Promise<WharfError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WharfError);
  expect((e as WharfError).status).toBe(401);
  expect((e as WharfError).code).toBe('WHARF_ERR_UNAUTHORIZED');
  return e as WharfError;
}

describe('admin tokens', () => {
  const secret = randomBytes(32);
  const clock = { t: Date.UTC(2026, 0, 1, 12) };
  const now = (): number => clock.t;

  it('issues a 15-minute HS256 JWT (sub, jti, sid, iat, exp) that verifies', async () => {
    const t = new AdminTokens(secret, new MemState(), { now });
    const issued = await t.issue('admin');
    expect(issued.expiresAt.getTime()).toBe(clock.t + 15 * 60_000);
    const [h, p] = issued.token
      .split('.')
      .slice(0, 2)
      .map((s) => JSON.parse(Buffer.from(s!, 'base64url').toString()) as Record<string, unknown>);
    expect(h).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(p).toMatchObject({ sub: 'admin', iss: 'wharf', aud: 'wharf-admin', sid: p!['jti'] });
    expect(typeof p!['jti']).toBe('string');
    expect(await t.verify(issued.token)).toMatchObject({
      user: 'admin',
      jti: issued.claims.jti,
      sid: issued.claims.jti,
    });
  });

  it('another server with the same secret key accepts it; a different key does not', async () => {
    const store = new MemState();
    const a = new AdminTokens(secret, store, { now });
    const b = new AdminTokens(Buffer.from(secret), store, { now });
    const other = new AdminTokens(randomBytes(32), store, { now });
    const { token } = await a.issue('admin');
    expect((await b.verify(token)).user).toBe('admin');
    await refused(other.verify(token));
  });

  it('refuses an expired token', async () => {
    const c = { t: clock.t };
    const t = new AdminTokens(secret, new MemState(), { now: () => c.t });
    const { token } = await t.issue('admin');
    c.t += 15 * 60_000 - 1000;
    await t.verify(token);
    c.t += 2000;
    expect((await refused(t.verify(token))).message).toMatch(/expired/);
  });

  it('refuses tampered, unsigned, foreign and garbage tokens with 401', async () => {
    const t = new AdminTokens(secret, new MemState(), { now });
    const { token } = await t.issue('admin');
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'root' })).toString('base64url');
    await refused(t.verify(`${h}.${forged}.${s}`));
    await refused(t.verify(`${h}.${p}.${s!.slice(0, -2)}AA`));
    await refused(
      t.verify(
        new UnsecuredJWT({ sid: 'x', lt: 1 })
          .setSubject('admin')
          .setJti('x')
          .setIssuedAt()
          .setExpirationTime('1h')
          .setIssuer('wharf')
          .setAudience('wharf-admin')
          .encode(),
      ),
    );
    // Signed with the raw secret key instead of the derived one, or with HS512 under the right key.
    await refused(t.verify(await new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(secret)));
    await refused(t.verify(await new SignJWT(payload).setProtectedHeader({ alg: 'HS512' }).sign(new Uint8Array(64))));
    // Right key, but claims missing (no sid / no sub) or of the wrong type.
    const key = deriveTokenKey(secret);
    const { sid: _s, ...noSid } = payload;
    await refused(t.verify(await new SignJWT(noSid).setProtectedHeader({ alg: 'HS256' }).sign(key)));
    await refused(
      t.verify(
        await new SignJWT({ ...payload, sub: 42 } as unknown as Record<string, unknown>)
          .setProtectedHeader({ alg: 'HS256' })
          .sign(key),
      ),
    );
    await refused(
      t.verify(await new SignJWT({ ...payload, aud: 'someone-else' }).setProtectedHeader({ alg: 'HS256' }).sign(key)),
    );
    for (const junk of ['', 'x', 'a.b.c', '...', 'x'.repeat(100_000), `${h}.${p}`, '\u0000.\u0000.\u0000'])
      await refused(t.verify(junk));
  });

  it('logout revokes the whole session (tokens before and after refresh) through the shared store', async () => {
    const store = new MemState();
    const c = { t: clock.t };
    const a = new AdminTokens(secret, store, { now: () => c.t });
    const b = new AdminTokens(secret, store, { now: () => c.t });
    const first = await a.issue('admin');
    const second = await a.issue('admin', first.claims);
    expect(second.claims.sid).toBe(first.claims.sid);
    expect(second.claims.jti).not.toBe(first.claims.jti);
    await b.verify(first.token); // b now believes "not revoked" for a moment
    await a.revoke(second.claims);
    expect([...store.rows.keys()]).toEqual([`${REVOKED_SCOPE}/${first.claims.sid}`]);
    await refused(a.verify(first.token));
    await refused(a.verify(second.token));
    // b refuses them at the latest when its cache runs out.
    c.t += REVOCATION_CACHE_MS + 1;
    await refused(b.verify(first.token));
    await refused(b.verify(second.token));
    // Another session of the same user is not affected.
    await b.verify((await a.issue('admin')).token);
  });

  it('asks the store at most once per session per cache period', async () => {
    const store = new MemState();
    const c = { t: clock.t };
    const t = new AdminTokens(secret, store, { now: () => c.t });
    const { token } = await t.issue('admin');
    for (let i = 0; i < 20; i++) await t.verify(token);
    expect(store.gets).toBe(1);
    c.t += REVOCATION_CACHE_MS + 1;
    await t.verify(token);
    expect(store.gets).toBe(2);
  });

  it('purges revocations of tokens that expired on their own', async () => {
    const store = new MemState();
    const c = { t: clock.t };
    const t = new AdminTokens(secret, store, { now: () => c.t });
    await t.revoke((await t.issue('admin')).claims);
    await store.setState(REVOKED_SCOPE, 'junk', 'not a number');
    c.t += 20 * 60_000;
    await t.revoke((await t.issue('admin')).claims);
    expect(store.rows.size).toBe(1);
  });

  it('a refresh never extends a session beyond 12 hours after login', async () => {
    const c = { t: clock.t };
    const t = new AdminTokens(secret, new MemState(), { now: () => c.t });
    let cur = await t.issue('admin');
    const login = c.t;
    while (c.t + 10 * 60_000 < login + MAX_SESSION_MS) {
      c.t += 10 * 60_000;
      cur = await t.issue('admin', cur.claims);
    }
    expect(cur.expiresAt.getTime()).toBeLessThanOrEqual(login + MAX_SESSION_MS);
    c.t = login + MAX_SESSION_MS;
    await refused(t.issue('admin', cur.claims));
  });
});
