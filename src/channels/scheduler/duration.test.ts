import { describe, expect, it } from 'vitest';
import { formatEvery, parseEvery } from './duration.js';

describe('parseEvery', () => {
  it.each([
    ['1s', 1_000],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s', 93_784_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseEvery(text)).toEqual({ ok: true, ms });
  });

  it.each(['', '5', 's', '5x', '1.5h', '-5s', '5 m', '30m1h', '5S', '1h1h', '1e3s', '500ms'])(
    'refuses `%s` with the accepted forms',
    (text) => {
      const r = parseEvery(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/not a duration.*30s, 5m, 2h, 1d/);
    },
  );

  it('refuses zero and more than a year', () => {
    expect(parseEvery('0s')).toEqual({ ok: false, reason: 'must be at least 1s' });
    expect(parseEvery('367d')).toEqual({ ok: false, reason: 'must be at most 366d' });
  });

  it('formats back', () => {
    expect(formatEvery(5_400_000)).toBe('1h30m');
    expect(formatEvery(1_000)).toBe('1s');
    expect(formatEvery(691_200_000)).toBe('1w1d');
  });
});
