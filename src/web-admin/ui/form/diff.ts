/** Field-by-field comparison of two versions of an object's data (pure). */

export interface DiffRow {
  field: string;
  /** Display text of the old / new value ('' = not set). */
  from: string;
  to: string;
  changed: boolean;
}

export const MASK = '******';

/** Display text of a value; secrets always masked. */
export function show(v: unknown, secret: boolean): string {
  if (v === undefined || v === null) return '';
  if (secret) return MASK;
  if (typeof v === 'string') return v;
  return JSON.stringify(v, null, 2);
}

/**
 * Rows for every field set in either version: the kind's field order first, then the rest sorted.
 * A null side (deleted / not created yet) shows every field as '' there.
 */
export function diffRows(
  from: Record<string, unknown> | null,
  to: Record<string, unknown> | null,
  order: readonly string[],
  secrets: ReadonlySet<string>,
): DiffRow[] {
  const a = from ?? {};
  const b = to ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const ordered = [...order.filter((k) => keys.has(k)), ...[...keys].filter((k) => !order.includes(k)).sort()];
  return ordered.map((field) => {
    const secret = secrets.has(field);
    const fa = show(a[field], secret);
    const fb = show(b[field], secret);
    // Secrets are compared by their masked text: a changed secret cannot be seen from here.
    const changed = secret
      ? (a[field] === undefined) !== (b[field] === undefined) ||
        (a[field] !== b[field] && a[field] !== MASK && b[field] !== MASK)
      : JSON.stringify(a[field]) !== JSON.stringify(b[field]);
    return { field, from: fa, to: fb, changed };
  });
}
