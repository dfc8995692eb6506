import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseFields, defineKind, describeIssues, matchesKind } from './kind.js';

const widget = defineKind({
  id: 'test.widget',
  title: 'Widget',
  cli: ['widget'],
  fields: {
    size: z.number().int().positive(),
    colour: z.enum(['red', 'blue']).default('red'),
    token: z.string().optional(),
    owner: z.string().optional(),
    nested: z.object({ depth: z.number() }).optional(),
  },
  secrets: ['token'],
  refs: { owner: 'security.*' },
  check: (obj) => (obj.size > 10 ? ['size: too big'] : []),
});

const issues = (v: unknown): string[] => {
  const r = widget.schema.safeParse(v);
  return r.success ? [] : describeIssues(r.error);
};

describe('defineKind', () => {
  it('adds name and active, applies defaults, keeps metadata', () => {
    expect(widget.schema.parse({ name: ' w1 ', size: 2 })).toEqual({
      name: 'w1',
      active: true,
      size: 2,
      colour: 'red',
    });
    expect(widget).toMatchObject({
      id: 'test.widget',
      title: 'Widget',
      cli: ['widget'],
      secrets: ['token'],
      refs: { owner: 'security.*' },
    });
    expect(widget.check!({ name: 'w', active: true, size: 11, colour: 'red' }, { list: () => [] })).toEqual([
      'size: too big',
    ]);
    expect(Object.keys(baseFields)).toEqual(['name', 'active']);
  });

  it('optional metadata is absent when not given', () => {
    const k = defineKind({ id: 'test.min', title: 'Min', cli: ['min'], fields: {} });
    expect(k).not.toHaveProperty('secrets');
    expect(k).not.toHaveProperty('refs');
    expect(k).not.toHaveProperty('check');
    expect(k).not.toHaveProperty('cliDefault');
    expect(defineKind({ id: 'test.d', title: 'D', cli: ['d'], cliDefault: true, fields: {} }).cliDefault).toBe(true);
  });
});

describe('describeIssues', () => {
  it('one `field: reason` line per problem', () => {
    expect(issues({ name: 'w', size: -1 })).toEqual(['size: Too small: expected number to be >0']);
    expect(issues({ name: '', size: 1 })).toEqual(['name: must not be empty']);
    const missing = issues({ name: 'w' });
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(/^size: /);
    expect(issues({ name: 'w', size: 1, colour: 'green' })[0]).toMatch(/^colour: Invalid option/);
  });

  it('unknown fields are listed by name (singular and plural)', () => {
    expect(issues({ name: 'w', size: 1, bogus: 1 })).toEqual(['bogus: unknown field']);
    expect(issues({ name: 'w', size: 1, a: 1, b: 2 })).toEqual(['a, b: unknown fields']);
  });

  it('nested paths are dotted; a root problem is (object)', () => {
    expect(issues({ name: 'w', size: 1, nested: { depth: 'x' } })).toEqual([expect.stringMatching(/^nested\.depth: /)]);
    expect(issues('not an object')).toEqual([expect.stringMatching(/^\(object\): /)]);
  });

  it('several problems at once', () => {
    expect(issues({ name: 'w', size: 'big', colour: 'x', extra: true })).toHaveLength(3);
  });
});

describe('matchesKind', () => {
  it('exact ids or a trailing * prefix', () => {
    expect(matchesKind('security.basicAuth', 'security.basicAuth')).toBe(true);
    expect(matchesKind('security.basicAuth', 'security.apiKey')).toBe(false);
    expect(matchesKind('security.*', 'security.apiKey')).toBe(true);
    expect(matchesKind('security.*', 'channels.http')).toBe(false);
    expect(matchesKind('*', 'anything')).toBe(true);
  });
});

describe('describeIssues: nested unknown fields (regression, fixed in 39f01a3)', () => {
  it('an unknown field inside a nested object is named with its full path', () => {
    const schema = z.strictObject({ name: z.string(), tls: z.strictObject({ verify: z.boolean() }).optional() });
    const r = schema.safeParse({ name: 'x', tls: { verify: true, verfiy: false } });
    expect(r.success).toBe(false);
    // was "verfiy: unknown field": the user could not tell where `verfiy` is
    expect(describeIssues(r.error!)).toEqual(['tls.verfiy: unknown field']);
  });
});
