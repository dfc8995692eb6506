import { describe, expect, it } from 'vitest';
import { matchPath, safeNext } from './paths';

describe('matchPath', () => {
  it('matches literal and param segments, decoded', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/kinds/:kind', '/kinds/channels.http')).toEqual({ kind: 'channels.http' });
    expect(matchPath('/kinds/:kind/:name', '/kinds/outgoing.http/a%20b%2Fc')).toEqual({
      kind: 'outgoing.http',
      name: 'a b/c',
    });
    expect(matchPath('/history/:version/:kind/:name', '/history/12/channels.http/x')).toEqual({
      version: '12',
      kind: 'channels.http',
      name: 'x',
    });
  });
  it('refuses other shapes', () => {
    expect(matchPath('/kinds/:kind', '/kinds')).toBeNull();
    expect(matchPath('/kinds/:kind', '/kinds/a/b')).toBeNull();
    expect(matchPath('/users', '/userz')).toBeNull();
  });
  it('keeps a badly encoded segment as typed', () => {
    expect(matchPath('/kinds/:kind', '/kinds/%E0%A4%A')).toEqual({ kind: '%E0%A4%A' });
  });
  it('a literal segment wins when listed first (new before :name)', () => {
    expect(matchPath('/kinds/:kind/new', '/kinds/x/new')).toEqual({ kind: 'x' });
  });
});

describe('safeNext', () => {
  it('local paths only', () => {
    expect(safeNext('/kinds/x?y=1')).toBe('/kinds/x?y=1');
    expect(safeNext(null)).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('javascript:alert(1)')).toBe('/');
    expect(safeNext('/login?next=/x')).toBe('/');
  });
});
