/** State badges of the ops pages (reuses the badge classes of styles.css). */
import { html } from 'htm/preact';

const CLASS: Record<string, string> = {
  up: 'badge-up',
  ok: 'badge-up',
  deployed: 'badge-up',
  alive: 'badge-up',
  degraded: 'badge-degraded',
  pending: 'badge-degraded',
  outdated: 'badge-degraded',
  starting: 'badge-degraded',
  down: 'badge-down',
  failed: 'badge-down',
  missing: 'badge-down',
  stopped: 'badge-stopped',
};

/** The badge class of a state word (`failed: …` counts as failed; unknown words are neutral). */
export function badgeClass(state: string): string {
  const word = state.split(/[:\s]/)[0]!.toLowerCase();
  return `badge ops-badge ${CLASS[word] ?? (/^\d+\/\d+$/.test(word) ? 'badge-degraded' : 'badge-none')}`;
}

/** A state badge; `detail` is its title and also read out after it. */
export function StateBadge({ state, detail }: { state: string; detail?: string | undefined }) {
  return html`<span class=${badgeClass(state)} title=${detail}>${state}</span
    >${detail ? html`<span class="visually-hidden">: ${detail}</span>` : null}`;
}

/** `failed: <why>` → badge `failed` with the reason as detail. */
export function StatusCell({ status }: { status: string }) {
  const i = status.indexOf(':');
  if (i <= 0) return html`<${StateBadge} state=${status} />`;
  // The reason is shown, not only on hover (a failed module's error matters); very long ones are cut.
  const detail = status.slice(i + 1).trim();
  const short = detail.length > 160 ? `${detail.slice(0, 157)}…` : detail;
  return html`<span class=${badgeClass(status.slice(0, i))} title=${detail}>${status.slice(0, i)}</span>
    <div class="small status-detail">${short}</div>`;
}
