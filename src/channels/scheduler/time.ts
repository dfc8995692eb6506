/**
 * Time zones and start times. `startAt` is an ISO 8601 date-time; with an offset (`Z`, `+02:00`) it
 * is an exact instant, without one it is a wall-clock time in the job's time zone.
 */
import { CronDate } from 'croner';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/;

export function isTimeZone(tz: string): boolean {
  if (tz === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why `text` is not an acceptable start time, or undefined when it is. */
export function startAtProblem(text: string): string | undefined {
  const m = ISO_RE.exec(text);
  if (!m)
    return `\`${text}\` is not an ISO 8601 date-time like 2030-01-31T09:00:00Z or 2030-01-31T09:00 (read in the job's time zone)`;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    probe.getUTCFullYear() === year &&
    probe.getUTCMonth() === month - 1 &&
    probe.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  if (!real) return `\`${text}\` is not a real date and time`;
  const offset = m[8];
  if (offset && offset !== 'Z') {
    const [oh, om] = offset.slice(1).split(':').map(Number) as [number, number];
    if (oh > 14 || om > 59) return `\`${text}\` has an impossible UTC offset ${offset}`;
  }
  return undefined;
}

/** The instant (ms since the epoch) of a valid `startAt` in time zone `tz`. */
export function startAtInstant(text: string, tz: string): number {
  const m = ISO_RE.exec(text);
  if (!m) throw new Error(`invalid startAt ${text}`);
  if (m[8]) return Date.parse(text);
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const whole = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`;
  return new CronDate<undefined>(whole, tz).getTime() + ms;
}
