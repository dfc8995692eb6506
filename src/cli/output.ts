/** Plain output helpers for the CLI. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function printTable(headers: string[], rows: unknown[][]): void {
  const text = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.min(60, Math.max(h.length, ...text.map((r) => (r[i] ?? '').length))));
  const line = (cols: string[]): string =>
    cols.map((c, i) => (i === cols.length - 1 ? c : c.slice(0, 60).padEnd(widths[i]!))).join('  ');
  print(line(headers.map((h) => h.toUpperCase())));
  for (const r of text) print(line(r));
  if (rows.length === 0) print('(none)');
}
