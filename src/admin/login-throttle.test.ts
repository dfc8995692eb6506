import { describe, expect, it } from 'vitest';
import { WharfError } from '../errors.js';
import { clientAddress, isLoopback, LoginThrottle } from './login-throttle.js';

function fail(t: LoginThrottle, user: string, addr: string): number {
  const a = t.begin(user, addr);
  a.failed();
  return a.delayMs;
}

function locked(t: LoginThrottle, user: string, addr: string): WharfError {
  try {
    t.begin(user, addr);
  } catch (e) {
    expect(e).toBeInstanceOf(WharfError);
    return e as WharfError;
  }
  throw new Error('not locked');
}

describe('login throttle', () => {
  it('3 free failures, then 250 ms · 2^n up to 4 s, then 429 with Retry-After after 10', () => {
    const clock = { t: 1_000_000 };
    const t = new LoginThrottle({ now: () => clock.t });
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      delays.push(fail(t, 'admin', '10.0.0.1'));
      clock.t += 1000;
    }
    expect(delays).toEqual([0, 0, 0, 250, 500, 1000, 2000, 4000, 4000, 4000]);
    const e = locked(t, 'admin', '10.0.0.1');
    expect(e.status).toBe(429);
    expect(e.code).toBe('WHARF_ERR_TOO_MANY_REQUESTS');
    // The last failure was 1 s ago: 299 s left of the 5-minute window.
    expect(e.headers?.['retry-after']).toBe('299');
    // Refused attempts do not extend the window; it slides from the last failure.
    clock.t += 299_000;
    expect(locked(t, 'admin', '10.0.0.1').headers?.['retry-after']).toBe('1');
    clock.t += 1001;
    expect(t.begin('admin', '10.0.0.1').delayMs).toBe(0);
  });

  it('per user + address: another address of the same user is not locked (but waits: the user failed often)', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 10; i++) fail(t, 'admin', '10.0.0.1');
    expect(locked(t, 'admin', '10.0.0.1').status).toBe(429);
    expect(t.begin('admin', '10.0.0.2').delayMs).toBe(4000);
    expect(t.begin('bob', '10.0.0.1').delayMs).toBe(0);
  });

  it('per user: 30 failures from anywhere lock the user out everywhere', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 30; i++) fail(t, 'admin', `10.0.${i}.1`);
    expect(locked(t, 'admin', '192.168.1.1').status).toBe(429);
    expect(t.begin('bob', '192.168.1.1').delayMs).toBe(0);
  });

  it('per address: 100 failures from one address for any users (password spraying) lock that address out', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 100; i++) expect(fail(t, `user${i}`, '10.0.0.1')).toBe(0); // no delays for new users
    const e = locked(t, 'someone-else', '10.0.0.1');
    expect(e.status).toBe(429);
    expect(Number(e.headers?.['retry-after'])).toBe(300);
    expect(t.begin('user1', '10.0.0.2').delayMs).toBe(0);
  });

  it('a success resets its pair (the user count keeps the other failures)', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 5; i++) fail(t, 'admin', '10.0.0.1');
    t.begin('admin', '10.0.0.1').succeeded();
    expect(t.begin('admin', '10.0.0.1').delayMs).toBe(1000); // the pair starts over; the user still has 5 failures
    const t2 = new LoginThrottle({ userLimit: 1000 });
    for (let i = 0; i < 9; i++) fail(t2, 'admin', '10.0.0.1');
    t2.begin('admin', '10.0.0.1').succeeded();
    for (let i = 0; i < 9; i++) fail(t2, 'admin', '10.0.0.1'); // would be locked without the reset
    expect(() => t2.begin('admin', '10.0.0.1')).not.toThrow();
  });

  it('an aborted attempt (the ODB did not answer) is not counted', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 3; i++) fail(t, 'admin', '10.0.0.1');
    for (let i = 0; i < 20; i++) t.begin('admin', '10.0.0.1').aborted();
    expect(t.begin('admin', '10.0.0.1').delayMs).toBe(250); // as after the 3 failures alone
  });

  it('parallel attempts count as they start: no burst slips through at the same count', () => {
    const t = new LoginThrottle();
    const started = Array.from({ length: 12 }, () => {
      try {
        return t.begin('admin', '10.0.0.1');
      } catch {
        return undefined;
      }
    });
    expect(started.filter((a) => a === undefined)).toHaveLength(2);
    expect(started.map((a) => a?.delayMs)).toEqual([
      0,
      0,
      0,
      250,
      500,
      1000,
      2000,
      4000,
      4000,
      4000,
      undefined,
      undefined,
    ]);
  });

  it('memory is bounded: cycling usernames and addresses keeps at most maxEntries per table', () => {
    const t = new LoginThrottle({ maxEntries: 1000 });
    for (let i = 0; i < 10; i++) fail(t, 'admin', '10.0.0.1');
    for (let i = 0; i < 50_000; i++) fail(t, `user${i}`, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(t.size.pairs).toBeLessThanOrEqual(1000);
    expect(t.size.users).toBeLessThanOrEqual(1000);
    expect(t.size.addresses).toBeLessThanOrEqual(1000);
    // A lock-out that is still being hammered stays (refused attempts keep it recent).
    const t2 = new LoginThrottle({ maxEntries: 100, addressLimit: Infinity });
    for (let i = 0; i < 10; i++) fail(t2, 'admin', '10.0.0.1');
    for (let i = 0; i < 1000; i++) {
      fail(t2, `user${i}`, '10.0.0.9');
      if (i % 50 === 0) locked(t2, 'admin', '10.0.0.1');
    }
    expect(locked(t2, 'admin', '10.0.0.1').status).toBe(429);
  });
});

describe('client address', () => {
  it('is the socket peer, or x-wharf-client-addr (an IP) only from a loopback peer', () => {
    const h = { 'x-wharf-client-addr': '203.0.113.7' };
    expect(clientAddress(h, '198.51.100.1')).toBe('198.51.100.1');
    expect(clientAddress(h, '127.0.0.1')).toBe('203.0.113.7');
    expect(clientAddress(h, '::1')).toBe('203.0.113.7');
    expect(clientAddress(h, '::ffff:127.0.0.1')).toBe('203.0.113.7');
    expect(clientAddress({ 'x-wharf-client-addr': 'not an ip' }, '127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddress({ 'x-wharf-client-addr': '2001:db8::1' }, '::1')).toBe('2001:db8::1');
    expect(clientAddress({}, '127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddress({}, undefined)).toBe('unknown');
    expect(isLoopback('127.10.0.1')).toBe(true);
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopback('1127.0.0.1')).toBe(false);
  });
});

describe('refusal reports', () => {
  it('a locked-out entry reports its refusals at most every 10 s, with their count', () => {
    const clock = { t: 0 };
    const t = new LoginThrottle({ now: () => clock.t });
    for (let i = 0; i < 10; i++) fail(t, 'admin', '10.0.0.1');
    const reports: number[] = [];
    const attempt = (): void => {
      try {
        t.begin('admin', '10.0.0.1', (n) => reports.push(n));
      } catch {
        // 429
      }
    };
    for (let i = 0; i < 100; i++) attempt();
    expect(reports).toEqual([1]);
    clock.t += 10_000;
    attempt();
    expect(reports).toEqual([1, 100]);
  });
});
