import { describe, expect, it } from 'vitest';
import { proxyPath, staticName } from './paths.js';

describe('proxyPath', () => {
  it('maps to /wharf/admin/ keeping raw percent-encoded segments and the query', () => {
    expect(proxyPath('kinds')).toEqual({ ok: true, path: '/wharf/admin/kinds' });
    expect(proxyPath('config/channel.http/a%2Fb%20c?x=1&y=%2F')).toEqual({
      ok: true,
      path: '/wharf/admin/config/channel.http/a%2Fb%20c?x=1&y=%2F',
    });
    expect(proxyPath('history?kind=channel.http&limit=50')).toEqual({
      ok: true,
      path: '/wharf/admin/history?kind=channel.http&limit=50',
    });
  });

  it.each([
    ['', 'no admin API path'],
    ['..', '`.`'],
    ['../ping', '`.`'],
    ['config/../../ping', '`.`'],
    ['./kinds', '`.`'],
    ['%2e%2e/ping', '`.`'],
    ['%2E%2e/x', '`.`'],
    ['.%2E/x', '`.`'],
    ['a%2F..%2Fb', '`.`'],
    ['config/x/%2E%2E%2f%2e%2e', '`.`'],
    ['a//b', 'empty'],
    ['a/', 'empty'],
    ['a\\..\\b', 'backslash'],
    ['a/%5C..', 'backslash'],
    ['a%5cb', 'backslash'],
    ['a%00b', 'NUL'],
    ['a%zz', 'percent'],
    ['a b', 'spaces'],
    ['a\tb', 'control'],
    ['kinds\r\nHost: evil', 'control'],
    ['k\u00e9', 'control'],
  ])('refuses %j', (rest, reason) => {
    const r = proxyPath(rest);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('never yields a path outside /wharf/admin/', () => {
    for (const rest of ['x', 'a/b/c', 'a%2Fb', 'config/x?y=../../z']) {
      const r = proxyPath(rest);
      if (r.ok) expect(r.path.startsWith('/wharf/admin/')).toBe(true);
    }
  });
});

describe('staticName', () => {
  it('accepts plain names and sub folders', () => {
    expect(staticName('app.js')).toBe('app.js');
    expect(staticName('fonts/inter-1a2b3c4d.woff2')).toBe('fonts/inter-1a2b3c4d.woff2');
  });
  it.each(['', '../x', 'a/../b', '.env', 'a/.git/config', 'a//b', 'a\\b', '%2e%2e/x', 'x'.repeat(300)])(
    'refuses %j',
    (n) => {
      expect(staticName(n)).toBeUndefined();
    },
  );
});
