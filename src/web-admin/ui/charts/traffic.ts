/** Traffic charts for a channel or a service (placeholder; filled in by F). */
import { html } from 'htm/preact';

export function TrafficCharts(props: { channel?: string; service?: string }) {
  return html`<section aria-label="Traffic"><p class="muted">Traffic for ${props.channel ?? props.service ?? 'all'}…</p></section>`;
}
