import { html } from 'htm/preact';
import type { ConnectorStatus } from '../meta';

/** A health badge ("up", "degraded", "down", "stopped") with the reason as its title and visible text for screen readers. */
export function HealthBadge({ status }: { status: ConnectorStatus | undefined }) {
  if (!status) return html`<span class="badge badge-none" title="No connector runs for this object">n/a</span>`;
  const s = status.health?.status ?? status.state ?? 'unknown';
  const detail = status.health?.detail;
  return html`<span class=${`badge badge-${s}`} title=${detail}>${s}</span
    >${detail ? html`<span class="visually-hidden">: ${detail}</span>` : null}`;
}

export function ActiveBadge({ active }: { active: unknown }) {
  const on = active !== false;
  return html`<span class=${on ? 'badge badge-active' : 'badge badge-inactive'}>${on ? 'active' : 'inactive'}</span>`;
}
