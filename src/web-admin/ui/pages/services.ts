/** The services list + upload (placeholder; filled in by F). */
import { html } from 'htm/preact';
import { Page } from '../components/page';

export default function Services() {
  return html`<${Page} title="Services"><p class="muted">Loading services…</p></${Page}>`;
}
