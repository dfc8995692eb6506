/** The cluster page (placeholder; filled in by F). */
import { html } from 'htm/preact';
import { Page } from '../components/page';

export default function Cluster() {
  return html`<${Page} title="Cluster"><p class="muted">Loading the cluster…</p></${Page}>`;
}
