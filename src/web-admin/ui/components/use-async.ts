import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (keeps the old data while loading). */
  reload: () => void;
}

/** Runs `load` on mount and whenever `deps` change; ignores answers that arrive after a newer load started. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => n === seq.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => n === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, deps);
  useEffect(() => {
    setState({ data: undefined, error: undefined, loading: true });
    run();
    return () => {
      seq.current++;
    };
  }, [run]);
  return { ...state, reload: run };
}

export interface Action {
  busy: boolean;
  error: unknown;
  setError: (e: unknown) => void;
  /** Runs the action: busy while it runs; on failure the error is kept and busy ends (on success the caller moves on). */
  run: () => Promise<void>;
}

/** A button's or dialog's action against the admin API, with its busy and error state. */
export function useAction(act: () => Promise<void>): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await act();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
