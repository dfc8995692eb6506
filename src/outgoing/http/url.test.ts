import { describe, expect, it } from 'vitest';
import { basePath, buildPath } from './url.js';

describe('request paths', () => {
  it('joins the address prefix and the path', () => {
    expect(basePath('http://h:1')).toBe('');
    expect(basePath('http://h:1/')).toBe('');
    expect(basePath('https://h/api/v2/')).toBe('/api/v2');
    expect(buildPath('', '/', undefined, undefined)).toEqual({ path: '/' });
    expect(buildPath('/api', '/', undefined, undefined)).toEqual({ path: '/api/' });
    expect(buildPath('/api', '', undefined, undefined)).toEqual({ path: '/api' });
    expect(buildPath('/api', 'x/y', undefined, undefined)).toEqual({ path: '/api/x/y' });
  });

  it('fills placeholders URL-encoded; leftover params and query go to the query string', () => {
    expect(buildPath('', '/o/{ n }', { n: 2 }, undefined)).toEqual({ path: '/o/2' });
    expect(buildPath('', '/c/{id}/o/{n}', { id: 'a/b c', n: 0, x: false }, { q: ['1', 2], z: null })).toEqual({
      path: '/c/a%2Fb%20c/o/0?x=false&q=1&q=2',
    });
    expect(buildPath('', '/c/{id}', {}, undefined)).toEqual({ missing: 'id' });
    expect(buildPath('', '/c/{id}', { id: ['a'] }, undefined)).toEqual({ missing: 'id' });
    expect(buildPath('', '/s?v=1', undefined, { 'a&b': 'c=d' })).toEqual({ path: '/s?v=1&a%26b=c%3Dd' });
    expect(buildPath('', '/s?', undefined, { a: 1 })).toEqual({ path: '/s?a=1' });
  });
});
