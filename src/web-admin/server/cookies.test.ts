import { describe, expect, it } from 'vitest';
import { clearSessionCookie, parseCookies, SESSION_COOKIE, sessionCookie } from './cookies.js';

describe('cookies', () => {
  it('parses a Cookie header; the first of a repeated name wins', () => {
    const c = parseCookies(`a=1; ${SESSION_COOKIE}=abc_-9; b="q"; ${SESSION_COOKIE}=evil; junk; =x`);
    expect(c.get(SESSION_COOKIE)).toBe('abc_-9');
    expect(c.get('a')).toBe('1');
    expect(c.get('b')).toBe('q');
    expect(c.has('junk')).toBe(false);
  });

  it('ignores a missing or oversized header', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies(`${SESSION_COOKIE}=${'a'.repeat(9000)}`).size).toBe(0);
  });

  it('the session cookie is HttpOnly, SameSite=Strict, Path=/, Secure only under TLS', () => {
    const plain = sessionCookie('abc', { secure: false });
    expect(plain).toBe(`${SESSION_COOKIE}=abc; Path=/; HttpOnly; SameSite=Strict`);
    expect(sessionCookie('abc', { secure: true })).toMatch(/; Secure/);
    expect(clearSessionCookie({ secure: false })).toBe(
      `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
    );
  });

  it('refuses a value that could inject attributes', () => {
    expect(() => sessionCookie('a; Domain=evil', { secure: false })).toThrow();
  });
});
