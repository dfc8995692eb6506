/** The dashboard (placeholder; filled in by F). */
import { html } from 'htm/preact';
import { Page } from '../components/page';

export default function Dashboard() {
  return html`<${Page} title="Dashboard"><p class="muted">Loading the dashboard…</p></${Page}>`;
}
