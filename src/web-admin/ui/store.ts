/** A tiny observable value and a hook that re-renders a component when it changes. */
import { useEffect, useState } from 'preact/hooks';

export interface Store<T> {
  get(): T;
  set(value: T): void;
  subscribe(fn: (value: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const subs = new Set<(value: T) => void>();
  return {
    get: () => value,
    set(next: T) {
      if (Object.is(next, value)) return;
      value = next;
      for (const fn of [...subs]) fn(value);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

/** The store's current value; the component re-renders when it changes. */
export function useStore<T>(store: Store<T>): T {
  const [, setTick] = useState(0);
  const value = store.get();
  useEffect(() => {
    const off = store.subscribe(() => setTick((n) => n + 1));
    // The value may have changed between this render and the subscription: catch up.
    if (!Object.is(store.get(), value)) setTick((n) => n + 1);
    return off;
  }, [store]);
  return value;
}
