/** `/history` — config changes newest first, filtered by kind/name, paged with `next`. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, qs } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { diffHref, type HistoryItem } from '../components/object-history';
import { Page } from '../components/page';
import { useAsync } from '../components/use-async';
import { kinds as kindsStore } from '../meta';
import { Link, navigate, seg, useLocation } from '../router';
import { useStore } from '../store';
import { fmtTime } from './kind-list';

const LIMIT = 50;

export default function HistoryList() {
  const loc = useLocation();
  const all = useStore(kindsStore) ?? [];
  const kind = loc.query.get('kind') ?? '';
  const name = loc.query.get('name') ?? '';
  const before = loc.query.get('before') ?? '';
  const [kindIn, setKindIn] = useState(kind);
  const [nameIn, setNameIn] = useState(name);
  const res = useAsync(
    () => api<{ items: HistoryItem[]; next?: number }>('GET', 'history' + qs({ kind, name, limit: LIMIT, before })),
    [kind, name, before],
  );
  const title = (id: string) => all.find((k) => k.id === id)?.title ?? id;
  const go = (p: { kind?: string; name?: string; before?: string | number }) =>
    navigate('/history' + qs({ kind: p.kind, name: p.name, before: p.before }));

  const submit = (e: Event) => {
    e.preventDefault();
    go({ kind: kindIn, name: nameIn.trim() });
  };
  return html`<${Page} title="History">
    <form class="toolbar" onSubmit=${submit} role="search" aria-label="Filter the history">
      <div class="field">
        <label class="field-label plain" for="h-kind">Kind</label>
        <select id="h-kind" value=${kindIn} onChange=${(e: Event) => setKindIn((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">All kinds</option>
          ${all.map((k) => html`<option value=${k.id}>${k.title}</option>`)}
        </select>
      </div>
      <div class="field">
        <label class="field-label plain" for="h-name">Name</label>
        <input id="h-name" type="search" value=${nameIn} onInput=${(e: Event) => setNameIn((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <button type="submit" class="btn">Filter</button>
      ${
        kind || name
          ? html`<button
              type="button"
              class="btn-link"
              onClick=${() => {
                setKindIn('');
                setNameIn('');
                go({});
              }}
            >
              Clear
            </button>`
          : null
      }
    </form>
    <${ErrorBanner} error=${res.error} title="Could not load the history" />
    ${!res.data && res.loading ? html`<${Loading} />` : null}
    ${
      res.data
        ? html`<div class="table-wrap">
              <table class="table" aria-label="Config versions">
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Name</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  ${
                    res.data.items.length === 0
                      ? html`<tr>
                          <td colspan="6" class="empty">
                            No changes recorded${kind || name ? ' for this filter' : ''}.
                          </td>
                        </tr>`
                      : null
                  }
                  ${res.data.items.map(
                    (i) => html`<tr key=${`${i.version}/${i.kind}/${i.name}`}>
              <td><${Link} href=${diffHref(i)} aria-label=${`Version ${i.version}: ${i.action} ${title(i.kind)} ${i.name}`}>v${i.version}</${Link}></td>
              <td class="small">${fmtTime(i.at)}</td>
              <td>${i.who ?? ''}</td>
              <td>${title(i.kind)}</td>
              <td>${i.kind.includes('.') ? html`<${Link} href=${`/kinds/${seg(i.kind)}/${seg(i.name)}`}>${i.name}</${Link}>` : i.name}</td>
              <td><span class=${`badge badge-${i.action}`}>${i.action}</span>${i.summary ? html` <span class="small muted">${i.summary}</span>` : null}</td>
            </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            <nav class="pager" aria-label="Pages">
              ${before ? html`<button type="button" class="btn" onClick=${() => go({ kind, name })}>Newest</button>` : null}
              ${res.data.next !== undefined && res.data.next !== null ? html`<button type="button" class="btn" onClick=${() => go({ kind, name, before: res.data!.next })}>Older</button>` : null}
            </nav>`
        : null
    }
  </${Page}>`;
}
