import { describe, expect, it } from 'vitest';
import { sortRows, type Column } from './table';

type R = { name: string; n?: number };
const rows: R[] = [{ name: 'b10', n: 2 }, { name: 'b9' }, { name: 'A1', n: 1 }, { name: 'c', n: 3 }];

describe('sortRows', () => {
  it('natural, case-insensitive order; empty values last both ways', () => {
    const byName: Column<R> = { key: 'name', label: 'Name' };
    expect(sortRows(rows, byName, 'asc').map((r) => r.name)).toEqual(['A1', 'b9', 'b10', 'c']);
    expect(sortRows(rows, byName, 'desc').map((r) => r.name)).toEqual(['c', 'b10', 'b9', 'A1']);
    const byN: Column<R> = { key: 'n', label: 'N' };
    expect(sortRows(rows, byN, 'asc').map((r) => r.name)).toEqual(['A1', 'b10', 'c', 'b9']);
    expect(sortRows(rows, byN, 'desc').map((r) => r.name)).toEqual(['c', 'b10', 'A1', 'b9']);
  });
  it('no column → the rows as given', () => {
    expect(sortRows(rows, undefined, 'asc')).toBe(rows);
  });
});
