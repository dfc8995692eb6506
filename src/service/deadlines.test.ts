import { describe, expect, it } from 'vitest';
import { DeadlineSweeper } from './deadlines.js';

describe('DeadlineSweeper', () => {
  it('expires a deadline once, never early, at most one resolution late', async () => {
    const s = new DeadlineSweeper(20);
    const t0 = Date.now();
    let fired = 0;
    let at = 0;
    s.add({ at: t0 + 100, expire: () => ((fired += 1), (at = Date.now())) });
    await new Promise((r) => setTimeout(r, 250));
    expect(fired).toBe(1);
    expect(at - t0).toBeGreaterThanOrEqual(100);
    expect(at - t0).toBeLessThan(200);
    s.stop();
  });

  it('a deleted deadline never fires, and an idle sweeper holds no timer', async () => {
    const s = new DeadlineSweeper(10);
    let fired = false;
    const d = { at: Date.now() + 30, expire: () => (fired = true) };
    s.delete(s.add(d), d);
    await new Promise((r) => setTimeout(r, 80));
    expect(fired).toBe(false);
    expect((s as unknown as { timer?: unknown }).timer).toBeUndefined();
  });

  it('reuses freed slots; a stale token (already expired or deleted) frees nothing of a newer deadline', async () => {
    const s = new DeadlineSweeper(10);
    const fired: string[] = [];
    const far = (name: string) => ({ at: Date.now() + 60_000, expire: () => fired.push(name) });
    const a = far('a');
    const ta = s.add(a);
    const soon = { at: Date.now() + 20, expire: () => fired.push('soon') };
    const tSoon = s.add(soon);
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toEqual(['soon']);
    const b = far('b');
    const tb = s.add(b);
    expect(tb).toBe(tSoon); // the expired deadline's slot
    s.delete(tSoon, soon); // late delete of the expired one: must not drop b
    expect(s.size).toBe(2);
    s.delete(ta, a);
    s.delete(ta, a);
    expect(s.size).toBe(1);
    const many = Array.from({ length: 100 }, (_, i) => far(`m${i}`));
    const tokens = many.map((d) => s.add(d));
    tokens.forEach((t, i) => s.delete(t, many[i]!));
    expect(s.size).toBe(1);
    expect((s as unknown as { slots: unknown[] }).slots.length).toBeLessThanOrEqual(101);
    s.stop();
  });
});
