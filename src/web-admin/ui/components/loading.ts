import { html } from 'htm/preact';

/** A "Loading…" placeholder announced politely. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return html`<p class="loading" role="status" aria-live="polite">${label}</p>`;
}
