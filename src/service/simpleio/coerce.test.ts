import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { absentValue, compileElement, compileShape, invalid, missing } from './coerce.js';
import {
  bool,
  date,
  datetime,
  decimal,
  float,
  int,
  list,
  listOf,
  object,
  opaque,
  text,
  uuid,
  type AnyElement,
} from './elements.js';

const c = (el: AnyElement, v: unknown, path = 'x'): unknown => compileElement(el)(v, path);

function err(fn: () => unknown): WharfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WharfError);
    return e as WharfError;
  }
  throw new Error('expected an error');
}

describe('invalid() and missing()', () => {
  it('build 400 WharfErrors naming the element', () => {
    const i = invalid('a.b', 'int');
    expect(i).toMatchObject({
      code: 'WHARF_ERR_INVALID_ELEMENT',
      status: 400,
      message: 'Invalid value for `a.b`: expected int',
      details: { element: 'a.b', expected: 'int' },
    });
    const m = missing('id');
    expect(m).toMatchObject({
      code: 'WHARF_ERR_MISSING_ELEMENT',
      status: 400,
      message: 'Missing required element `id`',
      details: { element: 'id' },
    });
  });
});

describe('scalar coercers', () => {
  it('text: strings as is, numbers/booleans/bigints stringified, anything else refused', () => {
    expect(c(text(), 'abc')).toBe('abc');
    expect(c(text(), '')).toBe('');
    expect(c(text(), 42)).toBe('42');
    expect(c(text(), false)).toBe('false');
    expect(c(text(), 10n)).toBe('10');
    for (const bad of [{}, [], Symbol('s')])
      expect(err(() => c(text(), bad, 'n')).message).toBe('Invalid value for `n`: expected text');
  });

  it('int: safe integers and integer strings (trimmed, signed)', () => {
    expect(c(int(), 42)).toBe(42);
    expect(c(int(), -7)).toBe(-7);
    expect(c(int(), ' 42 ')).toBe(42);
    expect(c(int(), '+5')).toBe(5);
    expect(c(int(), '-12')).toBe(-12);
    for (const bad of [
      1.5,
      '1.5',
      '1e3',
      '',
      'abc',
      Number.MAX_SAFE_INTEGER + 1,
      '9007199254740993',
      NaN,
      Infinity,
      true,
      null,
    ]) {
      expect(err(() => c(int(), bad)).details).toEqual({ element: 'x', expected: 'int' });
    }
  });

  it('float: finite numbers and numeric strings', () => {
    expect(c(float(), 1.5)).toBe(1.5);
    expect(c(float(), '1.5')).toBe(1.5);
    expect(c(float(), ' -2.5e3 ')).toBe(-2500);
    expect(c(float(), '.5')).toBe(0.5);
    expect(c(float(), '7')).toBe(7);
    expect(c(float(), '1.')).toBe(1);
    for (const bad of [NaN, Infinity, 'Infinity', 'NaN', '1,5', '', '.', '0x10', false])
      expect(() => c(float(), bad)).toThrow(/expected float/);
  });

  it('decimal: kept as its exact string; numbers stringified; a leading + dropped', () => {
    expect(c(decimal(), '12.30')).toBe('12.30');
    expect(c(decimal(), ' -0.001 ')).toBe('-0.001');
    expect(c(decimal(), '+4.50')).toBe('4.50');
    expect(c(decimal(), 12.5)).toBe('12.5');
    expect(c(decimal(), '100')).toBe('100');
    for (const bad of ['1e3', '12.', '.5', '1,5', 'abc', '', NaN, Infinity, true])
      expect(() => c(decimal(), bad)).toThrow(/expected decimal \(e\.g\. 12\.30\)/);
  });

  it('bool: booleans, 0/1 and the usual words in any case', () => {
    for (const t of [true, 1, 'true', 'TRUE', ' yes ', 'on', 'Y', 't', '1']) expect(c(bool(), t)).toBe(true);
    for (const f of [false, 0, 'false', 'No', 'off', 'n', 'F', '0']) expect(c(bool(), f)).toBe(false);
    for (const bad of [2, -1, 'maybe', '', null, {}]) expect(() => c(bool(), bad)).toThrow(/expected bool/);
  });

  it('date: YYYY-MM-DD that exists in the calendar, kept as the string', () => {
    expect(c(date(), '2024-02-29')).toBe('2024-02-29');
    expect(c(date(), ' 2024-01-31 ')).toBe('2024-01-31');
    for (const bad of [
      '2023-02-29',
      '2024-02-30',
      '2024-13-01',
      '2024-00-10',
      '2024-1-1',
      '2024-01-01T00:00:00Z',
      20240101,
      new Date(),
    ]) {
      expect(() => c(date(), bad)).toThrow(/expected date \(YYYY-MM-DD\)/);
    }
  });

  it('datetime: ISO 8601 into a Date; no zone means UTC; space separator; Dates pass through', () => {
    expect((c(datetime(), '2024-05-01T10:20:30Z') as Date).toISOString()).toBe('2024-05-01T10:20:30.000Z');
    expect((c(datetime(), '2024-05-01T10:20:30+02:00') as Date).toISOString()).toBe('2024-05-01T08:20:30.000Z');
    expect((c(datetime(), '2024-05-01T10:20:30.123-0130') as Date).toISOString()).toBe('2024-05-01T11:50:30.123Z');
    expect((c(datetime(), '2024-05-01T10:20:30') as Date).toISOString()).toBe('2024-05-01T10:20:30.000Z');
    expect((c(datetime(), '2024-05-01 10:20') as Date).toISOString()).toBe('2024-05-01T10:20:00.000Z');
    expect((c(datetime(), '2024-05-01t10:20:30z') as Date).toISOString()).toBe('2024-05-01T10:20:30.000Z');
    const d = new Date('2020-01-01T00:00:00Z');
    expect(c(datetime(), d)).toBe(d);
    for (const bad of [
      '2024-05-01',
      'yesterday',
      '2024-05-01T25:00:00Z',
      '2024-13-01T10:00:00Z',
      new Date(NaN),
      1714558830000,
    ]) {
      expect(() => c(datetime(), bad)).toThrow(/expected datetime \(ISO 8601\)/);
    }
  });

  it('uuid: any case in, lower case out', () => {
    expect(c(uuid(), ' 3F2504E0-4F89-11D3-9A0C-0305E82C3301 ')).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    for (const bad of ['3f2504e0-4f89-11d3-9a0c-0305e82c330', '3f2504e04f8911d39a0c0305e82c3301', 42])
      expect(() => c(uuid(), bad)).toThrow(/expected uuid/);
  });

  it('opaque: anything, unchanged (same reference)', () => {
    const v = { a: [1, { b: null }] };
    expect(c(opaque(), v)).toBe(v);
    expect(c(opaque(), 'x')).toBe('x');
  });
});

describe('lists and objects', () => {
  it('a list coerces each item; a single value becomes a one-item list', () => {
    expect(c(list(int()), ['1', 2, '3'])).toEqual([1, 2, 3]);
    expect(c(list(text()), 'solo')).toEqual(['solo']);
    expect(c(list(text()), [])).toEqual([]);
  });

  it('a list names the failing item by index and refuses null items', () => {
    expect(err(() => c(list(int()), [1, 'x'], 'ids')).message).toBe('Invalid value for `ids[1]`: expected int');
    expect(err(() => c(list(int()), [1, null], 'ids')).message).toBe(
      'Invalid value for `ids[1]`: expected a value, not null',
    );
  });

  it('an object coerces its shape and refuses non-objects (arrays, Dates, Buffers)', () => {
    const el = object({ id: int(), name: text().optional() });
    expect(c(el, { id: '5', extra: 1 }, 'cust')).toEqual({ id: 5 });
    for (const bad of [[], 'x', new Date(), Buffer.from('x'), 5])
      expect(err(() => c(el, bad, 'cust')).message).toBe('Invalid value for `cust`: expected an object');
    expect(err(() => c(el, {}, 'cust')).message).toBe('Missing required element `cust.id`');
    expect(err(() => c(el, { id: 'z' }, 'cust')).message).toBe('Invalid value for `cust.id`: expected int');
  });

  it('listOf objects gives full paths into nested items', () => {
    const el = listOf({ sku: text(), qty: int(), tags: list(text()).default([]) });
    expect(c(el, [{ sku: 'a', qty: '2' }], 'lines')).toEqual([{ sku: 'a', qty: 2, tags: [] }]);
    expect(err(() => c(el, [{ sku: 'a', qty: 1 }, { sku: 'b' }], 'lines')).message).toBe(
      'Missing required element `lines[1].qty`',
    );
  });
});

describe('compileShape and absentValue', () => {
  it('fills defaults, leaves optional ones out, refuses missing required ones; null counts as absent', () => {
    const shape = compileShape({
      id: int(),
      note: text().optional(),
      page: int().default(1),
      flag: bool().default(false),
    });
    const out = shape({ id: '3', note: null, page: null }, '');
    expect(out).toEqual({ id: 3, page: 1, flag: false });
    expect(Object.keys(out)).not.toContain('note');
    expect(() => shape({ id: null }, 'p.')).toThrow('Missing required element `p.id`');
  });

  it('default values are cloned per use; factories are called each time', () => {
    const tags = list(text()).default(['a']);
    const a = absentValue(tags, 't') as string[];
    a.push('mutated');
    expect(absentValue(tags, 't')).toEqual(['a']);
    let n = 0;
    const counter = int().default(() => ++n);
    expect(absentValue(counter, 'c')).toBe(1);
    expect(absentValue(counter, 'c')).toBe(2);
  });

  it('a Date default stays a Date', () => {
    const at = new Date('2020-01-01T00:00:00Z');
    const v = absentValue(datetime().default(at), 'at');
    expect(v).toBeInstanceOf(Date);
    expect(v).not.toBe(at);
    expect((v as Date).getTime()).toBe(at.getTime());
  });

  it('absentValue: undefined for optional, MISSING for required', () => {
    expect(absentValue(text().optional(), 'x')).toBeUndefined();
    expect(() => absentValue(text(), 'x')).toThrow(WharfError);
  });
});

describe('scalar coercers: calendar datetimes and plain decimals (regressions, fixed in 39f01a3)', () => {
  it('datetime() refuses calendar dates that do not exist, as date() does', () => {
    // datetime() used to turn 2024-02-30 into 2024-03-01T10:00:00Z
    expect(() => compileElement(date())('2024-02-30', 'd')).toThrow(/expected date/);
    expect(() => compileElement(datetime())('2024-02-30T10:00:00Z', 'at')).toThrow(/expected datetime/);
    expect(() => compileElement(datetime())('2023-02-29 08:00', 'at')).toThrow(/expected datetime/);
  });

  it('decimal() from a JSON number is a plain decimal string, never exponent notation', () => {
    const d = compileElement(decimal());
    // JSON.parse('0.0000001') is 1e-7 and String(1e-7) is "1e-7", which decimal() itself refuses as input
    expect(d(1e-7, 'amount')).toBe('0.0000001');
    expect(d(1.5e-8, 'amount')).toBe('0.000000015');
    expect(d(1e21, 'amount')).toBe('1000000000000000000000');
    expect(d(-2.5e-7, 'amount')).toBe('-0.00000025');
  });
});
