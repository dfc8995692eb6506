/** Small formatting helpers for the ops pages (pure). */

/** `3 d 4 h`, `2 h 5 min`, `4 min 10 s`, `12 s` from milliseconds; '' when unknown. */
export function fmtDuration(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}

/** `12 s ago`, `5 min ago`, … for an ISO time (relative to `now`); the raw text when not a date. */
export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return String(iso);
  const d = now - t;
  if (d < 0) return 'just now';
  return `${fmtDuration(d).split(' ').slice(0, 2).join(' ')} ago`;
}

/** `2026-12-07 16:51:17` (local time) for an ISO time; the raw text when not a date. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (!Number.isFinite(t.getTime())) return String(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

/** Invoke output for the console: strings as they are, everything else as indented JSON. */
export function fmtOutput(v: unknown): string {
  if (v === undefined) return '(no output)';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Longest output the console renders (a huge answer would freeze the page); the rest is cut with a note. */
export const MAX_OUTPUT_CHARS = 200_000;

/** `text` cut to `max` characters with a note saying how much was left out. */
export function clip(text: string, max = MAX_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… (${text.length - max} more characters not shown)`;
}
