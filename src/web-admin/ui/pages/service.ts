/** One service: details, source, invoke console (placeholder; filled in by F). */
import { html } from 'htm/preact';
import { Page } from '../components/page';

export default function Service(props: { name: string }) {
  return html`<${Page} title=${props.name}><p class="muted">Loading…</p></${Page}>`;
}
