/** The versions of one object (GET history?kind=&name=), each linking to its diff page. */
import { html } from 'htm/preact';
import { api, qs } from '../api';
import { ErrorBanner } from './error-banner';
import { Loading } from './loading';
import { useAsync } from './use-async';
import { Link, seg } from '../router';
import { fmtTime } from '../pages/kind-list';

export interface HistoryItem {
  version: number;
  at: string;
  who?: string;
  kind: string;
  name: string;
  action: string;
  summary?: string;
}

export function diffHref(i: { version: number; kind: string; name: string }): string {
  return `/history/${i.version}/${seg(i.kind)}/${seg(i.name)}`;
}

export function ObjectHistory({ kind, name, reloadKey }: { kind: string; name: string; reloadKey?: unknown }) {
  const res = useAsync(
    () => api<{ items: HistoryItem[]; next?: number }>('GET', 'history' + qs({ kind, name, limit: 10 })),
    [kind, name, reloadKey],
  );
  if (res.error) return html`<${ErrorBanner} error=${res.error} title="Could not load the history" />`;
  if (!res.data) return html`<${Loading} />`;
  if (res.data.items.length === 0) return html`<p class="muted">No recorded changes.</p>`;
  return html`<div class="table-wrap">
      <table class="table" aria-label="Versions of this object">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          ${res.data.items.map(
            (i) => html`<tr key=${i.version}>
      <td><${Link} href=${diffHref(i)}>v${i.version}</${Link}></td>
      <td class="small">${fmtTime(i.at)}</td>
      <td>${i.who ?? ''}</td>
      <td><span class=${`badge badge-${i.action}`}>${i.action}</span>${i.summary ? html` <span class="small muted">${i.summary}</span>` : null}</td>
    </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${res.data.next !== undefined ? html`<p><${Link} href=${`/history?kind=${encodeURIComponent(kind)}&name=${encodeURIComponent(name)}`}>All versions</${Link}></p>` : null}`;
}
