import { describe, expect, it } from 'vitest';
import { csrfMatches, SessionStore } from './sessions.js';

describe('SessionStore', () => {
  it('gives random 256-bit ids and CSRF tokens, distinct per session', () => {
    const s = new SessionStore(60_000, 10);
    const a = s.create('admin', 't1', Date.now() + 900_000);
    const b = s.create('admin', 't2', Date.now() + 900_000);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.id, 'base64url')).toHaveLength(32);
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(a.id);
    expect(a.csrf).not.toBe(b.csrf);
  });

  it('expires a session idle for longer than the idle time; every use counts', () => {
    let now = 1_000_000;
    const s = new SessionStore(10_000, 10, () => now);
    const a = s.create('admin', 't', now + 900_000);
    now += 9_000;
    expect(s.lookup(a.id).state).toBe('ok');
    now += 9_000;
    expect(s.lookup(a.id).state).toBe('ok');
    now += 10_001;
    expect(s.lookup(a.id).state).toBe('expired');
    expect(s.lookup(a.id).state).toBe('expired');
    expect(s.size).toBe(0);
  });

  it('expires a session whose admin token has expired', () => {
    let now = 1_000_000;
    const s = new SessionStore(3_600_000, 10, () => now);
    const a = s.create('admin', 't', now + 1000);
    now += 1000;
    expect(s.lookup(a.id).state).toBe('expired');
  });

  it('tells no cookie from an unknown or malformed one', () => {
    const s = new SessionStore(60_000, 10);
    expect(s.lookup(undefined).state).toBe('none');
    expect(s.lookup('').state).toBe('none');
    expect(s.lookup('x'.repeat(43)).state).toBe('expired');
    expect(s.lookup('../../etc/passwd').state).toBe('expired');
    expect(s.lookup('a'.repeat(10_000)).state).toBe('expired');
  });

  it('is bounded: the least recently used session goes first', () => {
    const s = new SessionStore(60_000, 3);
    const a = s.create('a', 't', Date.now() + 900_000);
    const b = s.create('b', 't', Date.now() + 900_000);
    const c = s.create('c', 't', Date.now() + 900_000);
    expect(s.lookup(a.id).state).toBe('ok'); // a is now the most recent
    const d = s.create('d', 't', Date.now() + 900_000);
    expect(s.size).toBe(3);
    expect(s.lookup(b.id).state).toBe('expired');
    for (const x of [a, c, d]) expect(s.lookup(x.id).state).toBe('ok');
  });

  it('sweep() drops idle sessions, delete() logs one out', () => {
    let now = 0;
    const s = new SessionStore(1000, 100, () => now);
    const a = s.create('a', 't', 1e12);
    s.create('b', 't', 1e12);
    now = 2000;
    const c = s.create('c', 't', 1e12);
    expect(s.sweep()).toBe(2);
    expect(s.lookup(a.id).state).toBe('expired');
    expect(s.delete(c.id)?.user).toBe('c');
    expect(s.lookup(c.id).state).toBe('expired');
  });
});

describe('csrfMatches', () => {
  const s = new SessionStore(60_000, 10).create('admin', 't', Date.now() + 900_000);
  it('accepts exactly the session token', () => {
    expect(csrfMatches(s, s.csrf)).toBe(true);
  });
  it('refuses a missing, repeated, shorter, longer or different token', () => {
    expect(csrfMatches(s, undefined)).toBe(false);
    expect(csrfMatches(s, [s.csrf, s.csrf])).toBe(false);
    expect(csrfMatches(s, '')).toBe(false);
    expect(csrfMatches(s, s.csrf.slice(1))).toBe(false);
    expect(csrfMatches(s, `${s.csrf}x`)).toBe(false);
    expect(csrfMatches(s, `${s.csrf.slice(0, -1)}${s.csrf.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(csrfMatches(s, s.id)).toBe(false);
  });
});
