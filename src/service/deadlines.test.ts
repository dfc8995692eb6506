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
    s.add(d);
    s.delete(d);
    await new Promise((r) => setTimeout(r, 80));
    expect(fired).toBe(false);
    expect((s as unknown as { timer?: unknown }).timer).toBeUndefined();
  });
});
