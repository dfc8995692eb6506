import { describe, expect, it } from 'vitest';
import { httpChannelKind } from './kind.js';
import { escapeProblem, isReservedPath, isReservedRequestPath, normalisePath } from './reserved.js';
import { ChannelRouter } from './router.js';

const urlPathIssues = (urlPath: string): string[] => {
  const r = httpChannelKind.schema.safeParse({ name: 'c', urlPath, service: 's' });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the reserved /wharf prefix on the normalised path', () => {
  it('normalises: decoded, lower-cased, // collapsed, dot segments resolved', () => {
    expect(normalisePath('/WHARF/Admin/x')).toBe('/wharf/admin/x');
    expect(normalisePath('//wharf//admin/x')).toBe('/wharf/admin/x');
    expect(normalisePath('/%77harf/admin/info')).toBe('/wharf/admin/info');
    expect(normalisePath('/a/../wharf/admin')).toBe('/wharf/admin');
    expect(normalisePath('/../../wharf')).toBe('/wharf');
    expect(normalisePath('/a/./b/')).toBe('/a/b/');
    expect(normalisePath('/%zz')).toBeUndefined();
  });

  it.each([
    '/wharf',
    '/wharf/admin/x',
    '/WHARF/admin/x',
    '//wharf/admin/x',
    '/%77harf/admin/info',
    '/a/../wharf/admin',
    '/Wharf',
    '/./wharf/x',
  ])('urlPath %s is refused with a clear field error', (p) => {
    const issues = urlPathIssues(p);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^urlPath: the \/wharf prefix is reserved for the admin API/);
  });

  it('invalid escapes and an encoded / are refused', () => {
    expect(escapeProblem('/a%2Fb')).toMatch(/encoded \//);
    expect(escapeProblem('/a%2fb')).toMatch(/encoded \//);
    expect(escapeProblem('/a%zz')).toMatch(/not a valid percent-escape/);
    expect(escapeProblem('/a%4')).toMatch(/not a valid percent-escape/);
    expect(urlPathIssues('/a%2Fwharf')[0]).toMatch(/^urlPath: must not contain an encoded \//);
    expect(urlPathIssues('/a%G1')[0]).toMatch(/^urlPath: `%G1` is not a valid percent-escape/);
  });

  it('ordinary paths, and paths merely containing "wharf", are accepted', () => {
    for (const p of ['/customer/{id}', '/wharfs', '/api/wharf/x', '/wharf-x/y', '/a%20b', '/'])
      expect(urlPathIssues(p), p).toEqual([]);
    expect(isReservedPath('/wharfs')).toBe(false);
  });

  it('at request time a spelling of /wharf reaches no channel', () => {
    const r = new ChannelRouter<string>();
    r.set('any', 'ANY', '/{first}/admin/{rest}', 'A');
    expect(r.find('GET', '/x/admin/y').kind).toBe('found');
    for (const p of ['//wharf/admin/users', '/WHARF/admin/users', '/%77harf/admin/users', '/x/../wharf/admin/users']) {
      expect(isReservedRequestPath(p), p).toBe(true);
      expect(r.find('GET', p), p).toEqual({ kind: 'none' });
    }
    expect(isReservedRequestPath('/customer/42')).toBe(false);
  });
});
