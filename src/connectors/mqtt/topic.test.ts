import { describe, expect, it } from 'vitest';
import { clientIdFor, fnv1a, splitShared, topicFilterProblem, topicMatches, topicNameProblem } from './topic.js';

describe('topic filters', () => {
  it.each(['a', 'a/b', '#', '+', 'a/+/c', 'a/#', '+/+/#', '/a', 'a//b', '$SYS/#', '$share/g/a/+', '$share/g/#'])(
    'accepts %s',
    (f) => {
      expect(topicFilterProblem(f)).toBeUndefined();
    },
  );

  it.each([
    ['', /must not be empty/],
    ['a/#/b', /# must be a whole level and the last one/],
    ['a#', /# must be a whole level/],
    ['a/b+', /\+ must be a whole level/],
    ['a/+b/c', /\+ must be a whole level/],
    ['a\u0000b', /NUL/],
    ['$share/g', /needs a filter after/],
    ['$share//a', /looks like \$share\/<group>\/<filter>/],
    ['$share/g+/a', /looks like/],
    ['x'.repeat(65_536), /must not exceed 65535 bytes/],
  ])('refuses %j', (f, message) => {
    expect(topicFilterProblem(f)).toMatch(message);
  });

  it('splits shared subscriptions', () => {
    expect(splitShared('$share/g/a/b')).toEqual({ group: 'g', filter: 'a/b' });
    expect(splitShared('a/b')).toEqual({ filter: 'a/b' });
  });
});

describe('topic names', () => {
  it('refuses wildcards and empty names', () => {
    expect(topicNameProblem('a/b')).toBeUndefined();
    expect(topicNameProblem('a/+')).toMatch(/must not contain the wildcards/);
    expect(topicNameProblem('#')).toMatch(/must not contain the wildcards/);
    expect(topicNameProblem('')).toMatch(/must not be empty/);
  });
});

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/+', 'a', false],
    ['a/+', 'a/', true],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', 'a/b', true],
    ['+/b', 'a/b', true],
    ['+/+', '/b', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['$share/g/a/+', 'a/b', true],
    ['a/b/c', 'a/b', false],
  ])('%s ~ %s = %s', (f, t, want) => {
    expect(topicMatches(f, t)).toBe(want);
  });
});

describe('clientIdFor', () => {
  it('is stable and readable for plain names', () => {
    expect(clientIdFor('wharf-', 'ch', 'orders')).toBe('wharf-ch-orders');
    expect(clientIdFor('wharf-', 'out', 'orders', 'server1-2')).toBe('wharf-out-orders-server1-2');
  });

  it('replaces odd characters and keeps distinct names distinct', () => {
    const a = clientIdFor('w-', 'ch', 'Orders EU/1');
    const b = clientIdFor('w-', 'ch', 'Orders_EU_1');
    expect(a).toMatch(/^w-ch-Orders_EU_1\.[0-9a-f]{8}$/);
    expect(b).toBe('w-ch-Orders_EU_1');
    expect(a).not.toBe(b);
    expect(clientIdFor('w-', 'ch', 'Orders EU/1')).toBe(a);
  });

  it('shortens long names', () => {
    const id = clientIdFor('w-', 'ch', 'n'.repeat(500));
    expect(id.length).toBeLessThan(100);
    expect(fnv1a('abc')).toBe('1a47e90b');
  });
});
