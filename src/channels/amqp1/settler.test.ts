import { describe, expect, it } from 'vitest';
import { Settler } from './settler.js';

/** Records which outcomes rhea would write in each of its processing passes (one per process.nextTick). */
function recorder() {
  const passes: string[][] = [];
  let current: string[] | undefined;
  return {
    passes,
    apply(kind: string) {
      if (!current) {
        current = [];
        passes.push(current);
        process.nextTick(() => (current = undefined));
      }
      current.push(kind);
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Settler', () => {
  it('never lets one rhea pass carry two different outcomes', async () => {
    const s = new Settler();
    const r = recorder();
    const order = ['accept', 'release', 'accept', 'reject:x', 'reject:x', 'release', 'reject:y', 'accept'];
    for (const k of order) s.settle(k, () => r.apply(k));
    for (let i = 0; i < 10 && s.pending; i++) await tick();
    await tick();
    for (const p of r.passes) expect(new Set(p).size, JSON.stringify(r.passes)).toBe(1);
    expect(r.passes.flat().sort()).toEqual([...order].sort());
  });

  it('applies same-outcome settlements at once, in one pass', () => {
    const s = new Settler();
    const r = recorder();
    for (let i = 0; i < 5; i++) s.settle('accept', () => r.apply('accept'));
    expect(r.passes).toEqual([['accept', 'accept', 'accept', 'accept', 'accept']]);
    expect(s.pending).toBe(0);
    s.clear();
  });

  it('keeps the order within one outcome and drops waiting work on clear()', async () => {
    const s = new Settler();
    const seen: string[] = [];
    s.settle('accept', () => seen.push('a1'));
    s.settle('release', () => seen.push('r1'));
    s.settle('accept', () => seen.push('a2'));
    s.settle('release', () => seen.push('r2'));
    expect(seen).toEqual(['a1']);
    await tick();
    expect(seen).toEqual(['a1', 'r1', 'r2']);
    s.clear();
    await tick();
    await tick();
    expect(seen).toEqual(['a1', 'r1', 'r2']);
  });
});
