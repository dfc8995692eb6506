/**
 * Interval lengths for `every`: whole units, largest first, no spaces — `30s`, `5m`, `2h`, `1d`,
 * `1w`, or combined like `1h30m`. Parsed strictly: anything else is refused with a reason.
 */

const UNITS = [
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
] as const;

const RE = /^(?:(\d{1,6})w)?(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?$/;

/** The shortest and longest interval a job may have. */
export const MIN_EVERY_MS = 1_000;
export const MAX_EVERY_MS = 366 * 86_400_000;

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

export function parseEvery(text: string): DurationResult {
  const m = RE.exec(text);
  if (!m || text === '') {
    return {
      ok: false,
      reason: `\`${text}\` is not a duration; use whole units largest first, like 30s, 5m, 2h, 1d, 1w or 1h30m`,
    };
  }
  let ms = 0;
  UNITS.forEach(([, size], i) => {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * size;
  });
  if (ms < MIN_EVERY_MS) return { ok: false, reason: 'must be at least 1s' };
  if (ms > MAX_EVERY_MS) return { ok: false, reason: 'must be at most 366d' };
  return { ok: true, ms };
}

/** `5400000` → `1h30m`. */
export function formatEvery(ms: number): string {
  let left = Math.round(ms / 1000) * 1000;
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(left / size);
    if (n > 0) out += `${n}${unit}`;
    left -= n * size;
  }
  return out || '0s';
}
