/**
 * `GET metrics/series?minutes=15`, refreshed every 5 s while the page is visible. Keeps the last good
 * answer when a refresh fails (the error is returned next to it).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { normalizeView, type SeriesView } from './series';

export const REFRESH_MS = 5000;

export interface SeriesState {
  view?: SeriesView;
  error?: unknown;
}

export function useSeries(minutes = 15, everyMs = REFRESH_MS): SeriesState {
  const [state, setState] = useState<SeriesState>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (stopped) return;
      if (typeof document === 'undefined' || !document.hidden) {
        try {
          const raw = await api<unknown>('GET', `metrics/series?minutes=${minutes}`);
          if (!stopped) setState({ view: normalizeView(raw) });
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
export function usePoll(fn: () => Promise<unknown> | void, everyMs: number, deps: unknown[] = [], immediate = true): void {
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
