import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { compileInput, compileOutput } from './compile.js';
import { bool, datetime, decimal, int, list, listOf, object, opaque, text } from './elements.js';

describe('compileInput', () => {
  it('an absent or empty declaration parses to {} whatever arrives', () => {
    expect(compileInput(undefined)({ query: { a: '1' }, body: { b: 2 } })).toEqual({});
    expect(compileInput({})({ body: { b: 2 } })).toEqual({});
  });

  it('reads elements from query, path and body, coercing strings leniently', () => {
    const parse = compileInput({ id: int(), name: text(), active: bool(), tags: list(text()) });
    expect(parse({ path: { id: '7' }, query: { active: 'yes' }, body: { name: 'Ann', tags: 'one' } })).toEqual({
      id: 7,
      name: 'Ann',
      active: true,
      tags: ['one'],
    });
  });

  it('a repeated query key is a list', () => {
    const parse = compileInput({ target: list(text()) });
    expect(parse({ query: { target: ['a', 'b'] } })).toEqual({ target: ['a', 'b'] });
  });

  it('query wins over path by default; path wins with params: "path"', () => {
    const parse = compileInput({ id: int() });
    const src = { query: { id: '1' }, path: { id: '2' } };
    expect(parse(src)).toEqual({ id: 1 });
    expect(parse(src, { params: 'query' })).toEqual({ id: 1 });
    expect(parse(src, { params: 'path' })).toEqual({ id: 2 });
    expect(parse({ path: { id: '2' } }, { params: 'query' })).toEqual({ id: 2 });
    expect(parse({ query: { id: '1' } }, { params: 'path' })).toEqual({ id: 1 });
  });

  it('params win over the body by default; the body wins with paramsOverBody: false', () => {
    const parse = compileInput({ id: int() });
    expect(parse({ query: { id: '1' }, body: { id: 3 } })).toEqual({ id: 1 });
    expect(parse({ query: { id: '1' }, body: { id: 3 } }, { paramsOverBody: false })).toEqual({ id: 3 });
    expect(parse({ path: { id: '2' }, body: {} }, { paramsOverBody: false })).toEqual({ id: 2 });
    expect(
      parse({ query: { id: '1' }, path: { id: '2' }, body: { id: 3 } }, { params: 'path', paramsOverBody: true }),
    ).toEqual({ id: 2 });
  });

  it('a null body element counts as absent; a body that is not an object gives no elements', () => {
    const parse = compileInput({ id: int().default(9), note: text().optional() });
    expect(parse({ body: { id: null, note: null } })).toEqual({ id: 9 });
    expect(parse({ body: [1, 2] })).toEqual({ id: 9 });
    expect(parse({ body: 'text' })).toEqual({ id: 9 });
    expect(parse({})).toEqual({ id: 9 });
    expect('note' in parse({})).toBe(false);
  });

  it('missing and invalid elements are 400s naming the element', () => {
    const parse = compileInput({ id: int(), cust: object({ email: text() }) });
    const miss = (() => {
      try {
        parse({ body: { cust: { email: 'a@b' } } });
      } catch (e) {
        return e as WharfError;
      }
      return undefined;
    })();
    expect(miss).toMatchObject({ code: 'WHARF_ERR_MISSING_ELEMENT', status: 400, details: { element: 'id' } });
    expect(() => parse({ body: { id: 'x', cust: { email: 'a' } } })).toThrow('Invalid value for `id`: expected int');
    expect(() => parse({ body: { id: 1, cust: {} } })).toThrow('Missing required element `cust.email`');
    expect(() => parse({ body: { id: 1, cust: 'str' } })).toThrow('Invalid value for `cust`: expected an object');
  });

  it('unknown elements are ignored, declared ones only come out', () => {
    const parse = compileInput({ a: int() });
    expect(parse({ body: { a: 1, b: 2 }, query: { c: '3' } })).toEqual({ a: 1 });
  });

  it('datetime and decimal inputs', () => {
    const parse = compileInput({ at: datetime(), amount: decimal() });
    const out = parse({ query: { at: '2024-01-02T03:04:05Z', amount: '10.50' } });
    expect(out['at']).toBeInstanceOf(Date);
    expect((out['at'] as Date).toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(out['amount']).toBe('10.50');
  });
});

describe('compileOutput', () => {
  it('no declaration, no normaliser', () => {
    expect(compileOutput(undefined, 'svc')).toBeUndefined();
  });

  it('keeps declared keys only, writes Dates as ISO strings and coerces scalars', () => {
    const norm = compileOutput({ id: int(), at: datetime(), amount: decimal(), name: text() }, 'svc')!;
    const out = norm({ id: '5', at: new Date('2024-01-01T00:00:00Z'), amount: 12.5, name: 42, secret: 'x' });
    expect(out).toEqual({ id: 5, at: '2024-01-01T00:00:00.000Z', amount: '12.5', name: '42' });
  });

  it('fills defaults, leaves optional ones out, keeps explicit nulls of optional ones', () => {
    const norm = compileOutput(
      { id: int(), status: text().default('ok'), note: text().optional(), extra: text().optional() },
      'svc',
    )!;
    const out = norm({ id: 1, extra: null }) as Record<string, unknown>;
    expect(out).toEqual({ id: 1, status: 'ok', extra: null });
    expect('note' in out).toBe(false);
    const factory = compileOutput({ at: datetime().default(() => new Date('2000-01-01T00:00:00Z')) }, 's')!;
    expect(factory({})).toEqual({ at: '2000-01-01T00:00:00.000Z' });
  });

  it('a missing required element or a wrong type is WHARF_ERR_OUTPUT_INVALID (500) naming service and element', () => {
    const norm = compileOutput({ id: int(), lines: listOf({ sku: text(), qty: int() }) }, 'orders.get')!;
    const fail = (v: unknown): WharfError => {
      try {
        norm(v);
      } catch (e) {
        return e as WharfError;
      }
      throw new Error('no error');
    };
    const e1 = fail({ lines: [] });
    expect(e1).toBeInstanceOf(WharfError);
    expect(e1).toMatchObject({ code: 'WHARF_ERR_OUTPUT_INVALID', status: 500 });
    expect(e1.message).toBe('Service `orders.get` produced invalid output: required element `id` is missing');
    expect(fail({ id: 'x', lines: [] }).message).toBe(
      'Service `orders.get` produced invalid output: Invalid value for `id`: expected int',
    );
    expect(fail({ id: 1, lines: 'nope' }).message).toContain('`lines` must be a list');
    expect(fail({ id: 1, lines: [{ sku: 'a' }] }).message).toContain('required element `lines[0].qty` is missing');
    expect(fail({ id: 1, lines: [{ sku: 'a', qty: 'many' }] }).message).toContain(
      'Invalid value for `lines[0].qty`: expected int',
    );
    expect(fail([1]).message).toContain('`output` must be an object');
    expect(fail(null).message).toContain('`output` must be an object');
  });

  it('nested objects are trimmed to their declaration too', () => {
    const norm = compileOutput({ cust: object({ id: int(), when: datetime().optional() }) }, 's')!;
    expect(norm({ cust: { id: 1, password: 'x', when: new Date(0) } })).toEqual({
      cust: { id: 1, when: '1970-01-01T00:00:00.000Z' },
    });
  });

  it('a datetime output must be a Date (or a string); an invalid Date is refused', () => {
    const norm = compileOutput({ at: datetime() }, 's')!;
    const fromString = norm({ at: '2024-01-01T00:00:00Z' }) as { at: string };
    expect(new Date(fromString.at).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(() => norm({ at: 5 })).toThrow('`at` must be a Date');
    expect(() => norm({ at: new Date(NaN) })).toThrow(WharfError);
  });

  it('an element declaration (not a shape) normalises the value itself', () => {
    const l = compileOutput(list(int()), 's')!;
    expect(l(['1', 2])).toEqual([1, 2]);
    expect(() => l('x')).toThrow(/must be a list/);
    const lo = compileOutput(listOf({ id: int() }), 's')!;
    expect(lo([{ id: 1, x: 2 }])).toEqual([{ id: 1 }]);
    const o = compileOutput(opaque(), 's')!;
    const v = { any: ['thing'] };
    expect(o(v)).toBe(v);
    const d = compileOutput(datetime(), 's')!;
    expect(d(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('compileOutput: datetime strings and nested paths (regressions, fixed in 39f01a3)', () => {
  it('a datetime output given as a string must be a valid ISO 8601 datetime', () => {
    const norm = compileOutput({ at: datetime() }, 'svc')!;
    // every other output element was re-checked; a datetime string was passed through unchecked
    expect(() => norm({ at: 'next tuesday' })).toThrow(/produced invalid output/);
    expect(norm({ at: '2024-01-01T10:00:00+02:00' })).toEqual({ at: '2024-01-01T08:00:00.000Z' });
  });

  it('a nested object that is not an object is named without a trailing dot', () => {
    const norm = compileOutput({ customer: object({ id: int() }), lines: listOf({ sku: int() }) }, 'svc')!;
    // was "`customer.` must be an object" / "`lines[0].` must be an object"
    expect(() => norm({ customer: 5, lines: [] })).toThrow(
      'Service `svc` produced invalid output: `customer` must be an object',
    );
    expect(() => norm({ customer: { id: 1 }, lines: [null] })).toThrow('`lines[0]` must be an object');
  });
});
