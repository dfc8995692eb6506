/**
 * `GET metrics/series?minutes=15`, refreshed every 5 s while the page is visible (the last minute only,
 * merged in; the whole window every minute). Keeps the last good answer when a refresh fails (the error
 * is returned next to it).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { mergeViews, normalizeView, type SeriesView } from './series';

export const REFRESH_MS = 5000;

export interface SeriesState {
  view?: SeriesView;
  error?: unknown;
}

/** Every this many polls the whole window is fetched again (else only the last minute, merged in). */
const FULL_EVERY = 12;

export function useSeries(minutes = 15, everyMs = REFRESH_MS): SeriesState {
  const [state, setState] = useState<SeriesState>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: SeriesView | undefined;
    let n = 0;
    const tick = async () => {
      if (stopped) return;
      if (typeof document === 'undefined' || !document.hidden) {
        try {
          // A small answer (the last minute) merged into what we have; the whole window now and then,
          // and whenever the last answer is too old to join (the tab was hidden, a refresh failed).
          const full = !current || n % FULL_EVERY === 0 || Date.now() / 1000 - current.now > 50;
          const raw = await api<unknown>('GET', `metrics/series?minutes=${full ? minutes : 1}`);
          const fresh = normalizeView(raw);
          current = full || !current ? fresh : mergeViews(current, fresh, minutes);
          n++;
          if (!stopped) setState({ view: current });
        } catch (error) {
          if (!stopped) setState((s) => ({ ...s, error }));
        }
      }
      if (!stopped) timer = setTimeout(tick, everyMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [minutes, everyMs]);
  return state;
}

/** Runs `fn` now (unless `immediate` is false) and every `everyMs` while the page is visible, until unmounted. */
export function usePoll(
  fn: () => Promise<unknown> | void,
  everyMs: number,
  deps: unknown[] = [],
  immediate = true,
): void {
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (stopped) return;
      if (!document.hidden) {
        try {
          await fn();
        } catch {
          /* the caller shows its own errors */
        }
      }
      if (!stopped) timer = setTimeout(tick, everyMs);
    };
    if (immediate) void tick();
    else timer = setTimeout(tick, everyMs);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, deps);
}
