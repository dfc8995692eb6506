/** `/find?q=` — objects of every kind whose name contains the text (the nav's "Find an object"). */
import { html } from 'htm/preact';
import { api } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { Page } from '../components/page';
import { useAsync } from '../components/use-async';
import { kinds as kindsStore, type KindInfo } from '../meta';
import { Link, seg, useLocation } from '../router';
import { useStore } from '../store';

interface Hit {
  kind: KindInfo;
  name: string;
}

async function find(all: readonly KindInfo[], q: string): Promise<{ hits: Hit[]; failed: string[] }> {
  const needle = q.toLowerCase();
  const failed: string[] = [];
  const lists = await Promise.all(
    all.map(async (k) => {
      try {
        const r = await api<{ items: { name: string }[] }>('GET', `config/${seg(k.id)}`);
        return r.items.filter((o) => o.name.toLowerCase().includes(needle)).map((o) => ({ kind: k, name: o.name }));
      } catch {
        failed.push(k.title);
        return [];
      }
    }),
  );
  return { hits: lists.flat(), failed };
}

export default function Find() {
  const all = useStore(kindsStore);
  const q = (useLocation().query.get('q') ?? '').trim();
  const res = useAsync(() => (all && q ? find(all, q) : Promise.resolve({ hits: [], failed: [] })), [all, q]);
  return html`<${Page} title=${q ? `Objects named like “${q}”` : 'Find an object'}>
    ${!all || res.loading ? html`<${Loading} />` : null}
    <${ErrorBanner} error=${res.error} />
    ${res.data?.failed.length ? html`<p class="banner banner-warn">Not searched (could not be listed): ${res.data.failed.join(', ')}</p>` : null}
    ${
      res.data && !res.loading
        ? !q
          ? html`<p class="muted">Type part of a name in “Find an object”.</p>`
          : res.data.hits.length === 0
            ? html`<p role="status">No object of any kind has “${q}” in its name.</p>`
            : html`<p class="muted small" role="status">${res.data.hits.length} found.</p>
                <div class="table-wrap">
                  <table class="table" aria-label="Objects found">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Kind</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${res.data.hits.map(
                        (h) => html`<tr key=${`${h.kind.id}/${h.name}`}>
                <td><${Link} href=${`/kinds/${seg(h.kind.id)}/${seg(h.name)}`}>${h.name}</${Link}></td>
                <td><${Link} href=${`/kinds/${seg(h.kind.id)}`}>${h.kind.title}</${Link}></td>
              </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
        : null
    }
  </${Page}>`;
}
