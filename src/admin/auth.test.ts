import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../config/secrets.js';
import { WharfError } from '../errors.js';
import { AdminAuth, USER_CACHE_MS, type AuthStore } from './auth.js';
import { REVOCATION_CACHE_MS } from './tokens.js';

class MemStore implements AuthStore {
  readonly users = new Map<string, string>();
  readonly state = new Map<string, unknown>();
  hashReads = 0;
  async getUserHash(u: string): Promise<string | undefined> {
    this.hashReads++;
    return this.users.get(u);
  }
  async getState(scope: string, key: string): Promise<unknown> {
    return this.state.get(`${scope}/${key}`);
  }
  async setState(scope: string, key: string, value: unknown): Promise<void> {
    if (value === undefined) this.state.delete(`${scope}/${key}`);
    else this.state.set(`${scope}/${key}`, value);
  }
  async listState(scope: string): Promise<Array<{ key: string; value: unknown }>> {
    return [...this.state]
      .filter(([k]) => k.startsWith(`${scope}/`))
      .map(([k, value]) => ({ key: k.slice(scope.length + 1), value }));
  }
}

interface Logged {
  msg: string;
  args: unknown[];
}

async function setup(): Promise<{ auth: AdminAuth; store: MemStore; clock: { t: number }; logs: Logged[] }> {
  const store = new MemStore();
  store.users.set('admin', await hashPassword('s3cret:with:colons'));
  const clock = { t: Date.now() };
  const logs: Logged[] = [];
  const push = (msg: string, ...args: unknown[]): void => void logs.push({ msg, args });
  const auth = new AdminAuth(
    store,
    randomBytes(32),
    { debug: push, info: push, warn: push, error: push },
    { now: () => clock.t, throttle: { baseDelayMs: 1 } },
  );
  return { auth, store, clock, logs };
}

const basic = (u: string, p: string): { authorization: string } => ({
  authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
});
const bearer = (t: string): { authorization: string } => ({ authorization: `Bearer ${t}` });

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (!(e instanceof WharfError)) throw e;
    return e.status;
  }
}

describe('admin auth', () => {
  it('login gives a Bearer token that check() accepts; Basic works too (password with colons)', async () => {
    const { auth } = await setup();
    const t = await auth.login('admin', 's3cret:with:colons', '10.0.0.1');
    expect(await auth.check(bearer(t.token), '10.0.0.1')).toBe('admin');
    expect(await auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1')).toBe('admin');
  });

  it('refuses missing, unknown-scheme and malformed credentials with 401', async () => {
    const { auth } = await setup();
    for (const h of [
      {},
      { authorization: 'Digest x' },
      { authorization: 'Basic' },
      { authorization: 'Basic !!!' },
      bearer(''),
      bearer('x.y.z'),
      { authorization: 'Bearer' },
    ]) {
      expect(await status(auth.check(h, '10.0.0.1')), JSON.stringify(h)).toBe(401);
    }
  });

  it('a deleted user: Bearer and cached Basic stop working within USER_CACHE_MS', async () => {
    const { auth, store, clock } = await setup();
    const { token } = await auth.login('admin', 's3cret:with:colons', '10.0.0.1');
    await auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1');
    store.users.delete('admin');
    clock.t += USER_CACHE_MS + 1;
    expect(await status(auth.check(bearer(token), '10.0.0.1'))).toBe(401);
    expect(await status(auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1'))).toBe(401);
  });

  it('a changed password: the old Basic credential stops working within USER_CACHE_MS, the new one works', async () => {
    const { auth, store, clock } = await setup();
    await auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1');
    store.users.set('admin', await hashPassword('new'));
    clock.t += USER_CACHE_MS + 1;
    expect(await status(auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1'))).toBe(401);
    expect(await auth.check(basic('admin', 'new'), '10.0.0.1')).toBe('admin');
  });

  it('a cached Basic credential costs no scrypt but re-reads the hash at most every USER_CACHE_MS', async () => {
    const { auth, store, clock } = await setup();
    await auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1');
    const reads = store.hashReads;
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) await auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1');
    expect(performance.now() - t0).toBeLessThan(200);
    expect(store.hashReads).toBe(reads);
    clock.t += USER_CACHE_MS + 1;
    await auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1');
    expect(store.hashReads).toBe(reads + 1);
  });

  it('logout revokes: check() refuses the token (and the session’s refreshed token)', async () => {
    const { auth, clock } = await setup();
    const first = await auth.login('admin', 's3cret:with:colons', '10.0.0.1');
    const claims = await auth.bearer(bearer(first.token));
    const second = await auth.tokens.issue(claims.user, claims);
    await auth.tokens.revoke(await auth.bearer(bearer(second.token)));
    clock.t += REVOCATION_CACHE_MS + 1;
    expect(await status(auth.check(bearer(first.token), '10.0.0.1'))).toBe(401);
    expect(await status(auth.check(bearer(second.token), '10.0.0.1'))).toBe(401);
  });

  it('unknown users cost a scrypt like wrong passwords; failures are logged without the password', async () => {
    const { auth, logs } = await setup();
    await status(auth.login('nobody', 'warm-up', '10.9.9.9'));
    const time = async (u: string): Promise<number> => {
      const t0 = performance.now();
      expect(await status(auth.login(u, 'WrongPassword123', `10.0.0.${u.length}`))).toBe(401);
      return performance.now() - t0;
    };
    const known = Math.min(await time('admin'), await time('admin'));
    const unknown = Math.min(await time('ghost'), await time('ghost'));
    expect(unknown).toBeGreaterThan(known * 0.4);
    const failed = logs.filter((l) => l.msg === 'admin login failed');
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed[1]!.args[0]).toMatchObject({ user: 'admin', address: '10.0.0.5', via: 'login' });
    expect(JSON.stringify(logs)).not.toContain('WrongPassword123');
  });

  it('login and Basic share the throttle: 429 after 10 failures of a user from an address', async () => {
    const { auth } = await setup();
    for (let i = 0; i < 10; i++) expect(await status(auth.login('admin', 'wrong', '10.0.0.1'))).toBe(401);
    expect(await status(auth.login('admin', 's3cret:with:colons', '10.0.0.1'))).toBe(429);
    expect(await status(auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.1'))).toBe(429);
    // From another address the right password still works.
    expect(await auth.check(basic('admin', 's3cret:with:colons'), '10.0.0.2')).toBe('admin');
  });
});
