import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { jsonPointer } from './json-pointer.js';

// The example document of RFC 6901, section 5.
const RFC = {
  foo: ['bar', 'baz'],
  '': 0,
  'a/b': 1,
  'c%d': 2,
  'e^f': 3,
  'g|h': 4,
  'i\\j': 5,
  'k"l': 6,
  ' ': 7,
  'm~n': 8,
};

describe('jsonPointer', () => {
  it('evaluates every example of RFC 6901 §5 (plain form)', () => {
    const cases: Array<[string, unknown]> = [
      ['', RFC],
      ['/foo', ['bar', 'baz']],
      ['/foo/0', 'bar'],
      ['/', 0],
      ['/a~1b', 1],
      ['/c%d', 2],
      ['/e^f', 3],
      ['/g|h', 4],
      ['/i\\j', 5],
      ['/k"l', 6],
      ['/ ', 7],
      ['/m~0n', 8],
    ];
    for (const [p, v] of cases) expect(jsonPointer(p).get(RFC), p).toEqual(v);
  });

  it('evaluates the URI fragment form of RFC 6901 §6', () => {
    const cases: Array<[string, unknown]> = [
      ['#', RFC],
      ['#/foo', ['bar', 'baz']],
      ['#/foo/0', 'bar'],
      ['#/', 0],
      ['#/a~1b', 1],
      ['#/c%25d', 2],
      ['#/e%5Ef', 3],
      ['#/g%7Ch', 4],
      ['#/i%5Cj', 5],
      ['#/k%22l', 6],
      ['#/%20', 7],
      ['#/m~0n', 8],
    ];
    for (const [p, v] of cases) expect(jsonPointer(p).get(RFC), p).toEqual(v);
  });

  it('missing paths give undefined; has() tells a missing path from a null value', () => {
    const doc = { a: { b: null, c: [10, { d: 'x' }] } };
    expect(jsonPointer('/a/b').get(doc)).toBeNull();
    expect(jsonPointer('/a/b').has(doc)).toBe(true);
    expect(jsonPointer('/a/x').get(doc)).toBeUndefined();
    expect(jsonPointer('/a/x').has(doc)).toBe(false);
    expect(jsonPointer('/a/c/1/d').get(doc)).toBe('x');
    expect(jsonPointer('/a/c/2').get(doc)).toBeUndefined();
    expect(jsonPointer('/a/c/-').get(doc)).toBeUndefined();
    expect(jsonPointer('/a/c/01').get(doc)).toBeUndefined();
    expect(jsonPointer('/a/c/1.0').get(doc)).toBeUndefined();
    expect(jsonPointer('/a/b/c').get(doc)).toBeUndefined();
    expect(jsonPointer('/a/c/0/x').get(doc)).toBeUndefined();
    expect(jsonPointer('/x').get('a string')).toBeUndefined();
    expect(jsonPointer('/x').get(undefined)).toBeUndefined();
    expect(jsonPointer('').get(undefined)).toBeUndefined();
  });

  it('never follows inherited members', () => {
    expect(jsonPointer('/__proto__').get({})).toBeUndefined();
    expect(jsonPointer('/constructor').get({})).toBeUndefined();
    expect(jsonPointer('/toString').get({ a: 1 })).toBeUndefined();
    expect(jsonPointer('/length').get([1, 2])).toBeUndefined();
    const own = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    expect(jsonPointer('/__proto__/x').get(own)).toBe(1);
  });

  it('exposes the unescaped tokens', () => {
    expect(jsonPointer('/a~1b/m~0n/~01').tokens).toEqual(['a/b', 'm~n', '~1']);
  });

  it('refuses invalid pointers with a clear error', () => {
    for (const [p, re] of [
      ['a/b', /must be empty or start with `\/`/],
      ['/a~2', /`a~2` has a `~` not followed by 0 or 1/],
      ['/a~', /has a `~` not followed by 0 or 1/],
      ['#/%E0%A4%A', /bad percent-encoding/],
    ] as const) {
      try {
        jsonPointer(p);
        throw new Error(`accepted ${p}`);
      } catch (e) {
        expect(e).toBeInstanceOf(WharfError);
        expect((e as WharfError).code).toBe('WHARF_ERR_CONFIG_INVALID');
        expect((e as WharfError).message).toMatch(re);
      }
    }
  });
});
