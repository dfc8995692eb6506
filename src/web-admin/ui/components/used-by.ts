/** What references an object: objects of kinds whose ref fields cover this kind and name it. */
import { html } from 'htm/preact';
import { api } from '../api';
import { refMatchesKind } from '../form/model';
import type { KindInfo } from '../meta';
import { Link, seg } from '../router';
import { ErrorBanner } from './error-banner';
import { Loading } from './loading';
import { useAsync } from './use-async';

export interface UserRef {
  kind: KindInfo;
  name: string;
  field: string;
}

/** The objects (of `all` kinds) whose ref fields name `kindId`/`name`. */
export async function findUsers(all: readonly KindInfo[], kindId: string, name: string): Promise<UserRef[]> {
  const candidates = all
    .map((k) => ({ k, fields: k.fields.filter((f) => f.ref && refMatchesKind(f.ref, kindId)).map((f) => f.name) }))
    .filter((c) => c.fields.length > 0);
  const lists = await Promise.all(
    candidates.map(async ({ k, fields }) => {
      const r = await api<{ items: { name: string; data: Record<string, unknown> }[] }>('GET', `config/${seg(k.id)}`);
      const out: UserRef[] = [];
      for (const o of r.items) {
        for (const f of fields) {
          const v = o.data[f];
          if (v === name || (Array.isArray(v) && v.includes(name))) out.push({ kind: k, name: o.name, field: f });
        }
      }
      return out;
    }),
  );
  return lists.flat();
}

export function UsedBy({
  all,
  kind,
  name,
  reloadKey,
}: {
  all: readonly KindInfo[];
  kind: string;
  name: string;
  reloadKey?: unknown;
}) {
  const res = useAsync(() => findUsers(all, kind, name), [kind, name, all, reloadKey]);
  if (res.error) return html`<${ErrorBanner} error=${res.error} title="Could not find what uses this object" />`;
  if (!res.data) return html`<${Loading} />`;
  if (!res.data.length) return html`<p class="muted">Nothing refers to this object.</p>`;
  return html`<ul class="plain-list">
    ${res.data.map(
      (u) => html`<li key=${`${u.kind.id}/${u.name}/${u.field}`}>
    ${u.kind.title} <${Link} href=${`/kinds/${seg(u.kind.id)}/${seg(u.name)}`}>${u.name}</${Link}> <span class="muted small">(${u.field})</span>
  </li>`,
    )}
  </ul>`;
}
