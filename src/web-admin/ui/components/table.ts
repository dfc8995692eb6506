import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Column<R> {
  key: string;
  label: string;
  /** Cell content (default: the row's `key` property as text). */
  render?: (row: R) => ComponentChildren;
  /** Value used to sort (default: the row's `key` property); absent + sortable=false → no sort button. */
  sortValue?: (row: R) => string | number | boolean | null | undefined;
  sortable?: boolean;
  /** Extra class for the cells (e.g. 'num'). */
  className?: string;
}

export interface TableProps<R> {
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R) => string;
  /** Accessible name of the table. */
  label?: string;
  /** Shown in a single row when there are no rows. */
  empty?: ComponentChildren;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  rowClass?: (row: R) => string | undefined;
}

function cmp(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null || a === '') return 1;
  if (b === undefined || b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

/** Sorts rows by a column (stable); exported for tests and for callers sorting elsewhere. */
export function sortRows<R>(rows: R[], col: Column<R> | undefined, dir: 'asc' | 'desc'): R[] {
  if (!col) return rows;
  const val = col.sortValue ?? ((r: R) => (r as Record<string, unknown>)[col.key] as string | number | undefined);
  const out = rows.map((r, i) => ({ r, i, v: val(r) }));
  out.sort((x, y) => {
    const c = cmp(x.v, y.v);
    // empty values stay last in both directions
    const empty = x.v === undefined || x.v === null || x.v === '' || y.v === undefined || y.v === null || y.v === '';
    return c === 0 ? x.i - y.i : dir === 'asc' || empty ? c : -c;
  });
  return out.map((x) => x.r);
}

/** A table in its own horizontal scroll container; sortable columns have header buttons (aria-sort). */
export function Table<R>({ columns, rows, rowKey, label, empty, initialSort, rowClass }: TableProps<R>) {
  const [sort, setSort] = useState<{ key: string; dir: 'asc' | 'desc' } | undefined>(initialSort);
  const col = sort ? columns.find((c) => c.key === sort.key) : undefined;
  const sorted = sortRows(rows, col, sort?.dir ?? 'asc');
  const toggle = (key: string) =>
    setSort(sort && sort.key === key ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' });
  return html`<div class="table-wrap" role="region" aria-label=${label} tabindex=${label ? 0 : undefined}>
    <table class="table" aria-label=${label}>
      <thead>
        <tr>
          ${columns.map((c) => {
            const active = sort?.key === c.key;
            const ariaSort = active ? (sort!.dir === 'asc' ? 'ascending' : 'descending') : undefined;
            return html`<th scope="col" class=${c.className} aria-sort=${ariaSort}>
              ${
                c.sortable === false
                  ? c.label
                  : html`<button type="button" class="th-sort" onClick=${() => toggle(c.key)}>
                      ${c.label}<span class="sort-ind" aria-hidden="true"
                        >${active ? (sort!.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span
                      >
                    </button>`
              }
            </th>`;
          })}
        </tr>
      </thead>
      <tbody>
        ${
          sorted.length === 0 && empty
            ? html`<tr>
                <td colspan=${columns.length} class="empty">${empty}</td>
              </tr>`
            : sorted.map(
                (r) =>
                  html`<tr key=${rowKey(r)} class=${rowClass?.(r)}>
                    ${columns.map((c) => html`<td class=${c.className}>${c.render ? c.render(r) : fmt((r as Record<string, unknown>)[c.key])}</td>`)}
                  </tr>`,
              )
        }
      </tbody>
    </table>
  </div>`;
}

function fmt(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
