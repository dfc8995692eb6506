import { describe, expect, it } from 'vitest';
import {
  bool,
  date,
  datetime,
  decimal,
  Element,
  float,
  int,
  list,
  listOf,
  object,
  opaque,
  text,
  uuid,
} from './elements.js';

describe('SimpleIO element builders', () => {
  it('each scalar builder makes a required element of its kind without a default', () => {
    const builders = { text, int, float, decimal, bool, date, datetime, uuid, opaque } as const;
    for (const [kind, make] of Object.entries(builders)) {
      const el = make();
      expect(el).toBeInstanceOf(Element);
      expect(el.spec).toEqual({ kind });
      expect(el.isRequired).toBe(true);
      expect(el.hasDefault).toBe(false);
      expect(el.defaultValue).toBeUndefined();
      expect(el.description).toBeUndefined();
    }
  });

  it('list, object and listOf nest their specs', () => {
    const inner = int();
    const l = list(inner);
    expect(l.spec).toEqual({ kind: 'list', of: inner });
    const shape = { a: text(), b: int().optional() };
    const o = object(shape);
    expect(o.spec).toEqual({ kind: 'object', shape });
    const lo = listOf(shape);
    expect(lo.spec.kind).toBe('list');
    const of = (lo.spec as { of: Element<unknown> }).of;
    expect(of.spec).toEqual({ kind: 'object', shape });
  });

  it('optional() returns a new, non-required element and leaves the original alone', () => {
    const base = text().describe('a name');
    const opt = base.optional();
    expect(opt).not.toBe(base);
    expect(opt.isRequired).toBe(false);
    expect(opt.hasDefault).toBe(false);
    expect(opt.description).toBe('a name');
    expect(opt.spec).toBe(base.spec);
    expect(base.isRequired).toBe(true);
  });

  it('default() stores a value or a factory, makes the element non-required, keeps the description', () => {
    const d = int().describe('page').default(10);
    expect(d.isRequired).toBe(false);
    expect(d.hasDefault).toBe(true);
    expect(d.defaultValue).toBe(10);
    expect(d.description).toBe('page');
    const factory = (): string[] => ['x'];
    const f = list(text()).default(factory);
    expect(f.defaultValue).toBe(factory);
  });

  it('optional() after default() keeps the default; describe() keeps everything else', () => {
    const d = int().default(3).optional();
    expect(d.hasDefault).toBe(true);
    expect(d.defaultValue).toBe(3);
    const described = d.describe('x');
    expect(described).toMatchObject({ isRequired: false, hasDefault: true, defaultValue: 3, description: 'x' });
    expect(d.description).toBeUndefined();
  });
});
