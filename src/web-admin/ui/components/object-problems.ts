/** Problems the admin API knows about one object (GET problems: a missing service, a dangling reference). */
import { html } from 'htm/preact';
import { api } from '../api';
import { useAsync } from './use-async';

interface ProblemItem {
  kind: string;
  name: string;
  problem: string;
}

export function ObjectProblems({ kind, name, reloadKey }: { kind: string; name: string; reloadKey?: unknown }) {
  const res = useAsync(() => api<{ items?: ProblemItem[] }>('GET', 'problems'), [reloadKey]);
  const mine = (res.data?.items ?? []).filter((p) => p.kind === kind && p.name === name);
  if (!mine.length) return null; // none, or the endpoint is not there: nothing to say
  return html`<div class="banner banner-warn" role="status">
    <div class="banner-body">
      <strong>${mine.length === 1 ? 'Problem' : 'Problems'}: </strong>
      ${
        mine.length === 1
          ? mine[0]!.problem
          : html`<ul>
              ${mine.map((p) => html`<li>${p.problem}</li>`)}
            </ul>`
      }
    </div>
  </div>`;
}
