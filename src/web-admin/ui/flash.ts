/** A one-shot message carried across a navigation ("Created … as config version 12"). */
import { createStore } from './store';

export const flash = createStore<string | undefined>(undefined);

/** Takes the pending message (once). */
export function takeFlash(): string | undefined {
  const m = flash.get();
  if (m !== undefined) flash.set(undefined);
  return m;
}
