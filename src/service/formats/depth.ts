import { WharfError } from '../../errors.js';

/** Iteratively bounds the nesting of a parsed body, so later recursive walks cannot overflow. */
export function checkDepth(value: unknown, maxDepth: number, sourceLength = Infinity): void {
  if (typeof value !== 'object' || value === null) return;
  // Every level needs at least two bytes ("[]", "{}", "<a>"): a short body cannot nest too deep.
  if (sourceLength <= maxDepth * 2) return;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > maxDepth) throw new WharfError('WHARF_ERR_TOO_DEEP', [maxDepth]);
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
    } else {
      for (const k in v as Record<string, unknown>) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
      }
    }
  }
}
