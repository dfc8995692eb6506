import { describe, expect, it } from 'vitest';
import { diffRows, MASK } from './diff';

describe('diffRows', () => {
  it('fields of both sides in the kind order, changed ones flagged', () => {
    const rows = diffRows(
      { name: 'a', timeoutMs: 1, extra: true },
      { name: 'a', timeoutMs: 2, urlPath: '/x' },
      ['name', 'urlPath', 'timeoutMs'],
      new Set(),
    );
    expect(rows.map((r) => [r.field, r.from, r.to, r.changed])).toEqual([
      ['name', 'a', 'a', false],
      ['urlPath', '', '/x', true],
      ['timeoutMs', '1', '2', true],
      ['extra', 'true', '', true],
    ]);
  });
  it('secrets always masked; a null side (deleted) shows empty', () => {
    const rows = diffRows({ name: 'a', password: 'clear?' }, null, ['name', 'password'], new Set(['password']));
    expect(rows).toEqual([
      { field: 'name', from: 'a', to: '', changed: true },
      { field: 'password', from: MASK, to: '', changed: true },
    ]);
    expect(diffRows({ password: MASK }, { password: MASK }, [], new Set(['password']))[0]!.changed).toBe(false);
  });
  it('objects compared by value, shown as JSON', () => {
    const [r] = diffRows({ headers: { a: '1' } }, { headers: { a: '1' } }, [], new Set());
    expect(r).toMatchObject({ changed: false, from: '{\n  "a": "1"\n}' });
  });
});
