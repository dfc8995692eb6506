/** `/history/:version/:kind/:name` — one version of an object against the current one; "Restore this version". */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner, Notice } from '../components/error-banner';
import { Loading } from '../components/loading';
import { diffHref } from '../components/object-history';
import { Page } from '../components/page';
import { useAsync } from '../components/use-async';
import { takeFlash, flash } from '../flash';
import { diffRows } from '../form/diff';
import { kinds as kindsStore, loadInfo } from '../meta';
import { Link, navigate, seg } from '../router';
import { useStore } from '../store';
import { fmtTime } from './kind-list';
import NotFound from './not-found';
import type { HistoryItem } from '../components/object-history';

interface VersionView extends Omit<HistoryItem, 'summary'> {
  data: Record<string, unknown> | null;
  current: Record<string, unknown> | null;
}

export default function HistoryDiff({ version, kind, name }: { version: string; kind: string; name: string }) {
  const all = useStore(kindsStore) ?? [];
  const k = all.find((x) => x.id === kind);
  const [notice] = useState(() => takeFlash());
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [restoreError, setRestoreError] = useState<unknown>();
  const res = useAsync(
    () => api<VersionView>('GET', `history/${seg(version)}/${seg(kind)}/${seg(name)}`),
    [version, kind, name],
  );

  if (res.error instanceof ApiError && res.error.status === 404)
    return html`<${NotFound} text=${`Version ${version} of ${k?.title ?? kind} \`${name}\` does not exist`} />`;
  const title = `${name} at version ${version}`;
  if (res.error)
    return html`<${Page} title=${title}><${ErrorBanner} error=${res.error} title="Could not load this version" /></${Page}>`;
  if (!res.data) return html`<${Loading} />`;
  const v = res.data;
  const fieldOrder = k?.fields.map((f) => f.name) ?? [];
  const secrets = new Set(k?.fields.filter((f) => f.secret).map((f) => f.name) ?? []);
  const rows = diffRows(v.data, v.current, fieldOrder, secrets);
  const changed = rows.filter((r) => r.changed).length;

  const restore = async () => {
    setBusy(true);
    setRestoreError(undefined);
    try {
      const r = await api<{ restored?: string; fromVersion?: number; version: number }>(
        'POST',
        `config/${seg(kind)}/${seg(name)}/restore`,
        { version: Number(version) },
      );
      flash.set(`Restored version ${version} of \`${name}\`: it is now config version ${r.version}.`);
      void loadInfo().catch(() => undefined);
      navigate(diffHref({ version: r.version, kind, name }));
    } catch (e) {
      setRestoreError(e);
      setBusy(false);
      setConfirm(false);
    }
  };

  return html`<${Page} title=${title} kicker=${html`${k ? html`<${Link} href=${`/kinds/${seg(kind)}`}>${k.title}</${Link}>` : kind} · <${Link} href=${`/history?kind=${encodeURIComponent(kind)}&name=${encodeURIComponent(name)}`}>all versions</${Link}>`}
    actions=${v.data !== null ? html`<button type="button" class="btn btn-primary" onClick=${() => setConfirm(true)}>Restore this version</button>` : null}>
    <${Notice}>${notice}</${Notice}>
    <${ErrorBanner} error=${restoreError} title="Could not restore" />
    <dl class="facts panel">
      <dt>Change</dt><dd><span class=${`badge badge-${v.action}`}>${v.action}</span></dd>
      <dt>When</dt><dd>${fmtTime(v.at)}</dd>
      <dt>Who</dt><dd>${v.who ?? 'unknown'}</dd>
      <dt>Object now</dt><dd>${v.current === null ? 'deleted' : k ? html`<${Link} href=${`/kinds/${seg(kind)}/${seg(name)}`}>${name}</${Link}>` : name}</dd>
    </dl>
    ${v.data === null ? html`<p class="muted">At this version the object did not exist (it was deleted).</p>` : null}
    <p class="small muted" role="status">${changed === 0 ? 'This version is the same as the current one.' : `${changed} field${changed === 1 ? ' differs' : 's differ'} from the current object.`}</p>
    <div class="table-wrap"><table class="table diff" aria-label="Fields: this version and the current object">
      <thead><tr><th scope="col">Field</th><th scope="col">Version ${version}</th><th scope="col">Current</th></tr></thead>
      <tbody>${rows.map(
        (r) =>
          html`<tr key=${r.field} class=${r.changed ? 'changed' : 'same'}>
            <th scope="row" class="mono">
              ${r.field}${r.changed ? html`<span class="visually-hidden"> (changed)</span>` : null}
            </th>
            <td class=${r.changed ? 'from' : undefined}><pre>${r.from}</pre></td>
            <td class=${r.changed ? 'to' : undefined}><pre>${r.to}</pre></td>
          </tr>`,
      )}</tbody>
    </table></div>
    ${
      confirm
        ? html`<${ConfirmDialog} title="Restore this version?" confirmLabel="Restore" busy=${busy} onConfirm=${restore} onCancel=${() => setConfirm(false)}>
          <p>${k?.title ?? kind} <strong>${name}</strong> gets the values of version ${version}${v.current === null ? ' (it is re-created)' : ''}. This makes a new config version; nothing is lost.</p>
        </${ConfirmDialog}>`
        : null
    }
  </${Page}>`;
}
