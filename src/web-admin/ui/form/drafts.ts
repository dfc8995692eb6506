/**
 * Typed-but-unsaved form values kept in memory when a save fails because the session expired: after
 * logging in again the page comes back with them (nothing typed is lost). Memory only, never storage.
 */
import type { FormState } from './model';

const drafts = new Map<string, FormState>();

export function saveDraft(key: string, state: FormState): void {
  drafts.set(key, state);
}

/** The draft for `key` (once). */
export function takeDraft(key: string): FormState | undefined {
  const d = drafts.get(key);
  drafts.delete(key);
  return d;
}
