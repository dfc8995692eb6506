/** `/kinds/:kind/:name` — one object: health, actions, Clone, Delete, the form (Save), traffic (channels), history. */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, apiUrl, qs } from '../api';
import { TrafficCharts } from '../charts/traffic';
import { ActiveBadge, HealthBadge } from '../components/badges';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner, Notice } from '../components/error-banner';
import { Loading } from '../components/loading';
import { ObjectHistory } from '../components/object-history';
import { UsedBy } from '../components/used-by';
import { Page } from '../components/page';
import { useAction } from '../components/use-async';
import { errorText } from '../errors';
import { flash, takeFlash } from '../flash';
import { ObjectForm } from '../form/object-form';
import { initialState, patchBody, refMatchesKind, type FormState, type RawValue } from '../form/model';
import { errorsFrom } from '../form/submit-errors';
import { saveDraft, takeDraft } from '../form/drafts';
import { ObjectProblems } from '../components/object-problems';
import { healthOf, kinds as kindsStore, loadInfo, serverInfo, type KindInfo } from '../meta';
import { Link, navigate, seg } from '../router';
import { useStore } from '../store';
import type { ObjectView } from './kind-list';
import NotFound, { missingText } from './not-found';

export function actionLabel(action: string): string {
  if (action === 'execute') return 'Run now';
  return action;
}

export default function KindObject({ kind: kindId, name }: { kind: string; name: string }) {
  const all = useStore(kindsStore);
  if (!all) return html`<${Loading} />`;
  const kind = all.find((k) => k.id === kindId);
  if (!kind) return html`<${NotFound} text=${`There is no kind \`${kindId}\``} />`;
  return html`<${ObjectPage} kind=${kind} name=${name} />`;
}

type Load =
  { state: 'loading' } | { state: 'missing' } | { state: 'error'; error: unknown } | { state: 'ok'; obj: ObjectView };

function ObjectPage({ kind, name }: { kind: KindInfo; name: string }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [initial, setInitial] = useState<FormState>({});
  const [form, setForm] = useState<FormState>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(() => takeFlash());
  const [reloadKey, setReloadKey] = useState(0);

  const draftKey = `edit:${kind.id}/${name}`;
  const fetchObj = async (keepForm: boolean) => {
    try {
      const obj = await api<ObjectView>('GET', `config/${seg(kind.id)}/${seg(name)}`);
      const init = initialState(kind.fields, 'edit', obj.data);
      setLoad({ state: 'ok', obj });
      setInitial(init);
      if (!keepForm) {
        const draft = takeDraft(draftKey);
        setForm(draft ?? init);
        if (draft) setNotice('Your unsaved changes are back: check them and Save.');
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setLoad({ state: 'missing' });
      else setLoad({ state: 'error', error: e });
    }
  };
  useEffect(() => {
    void fetchObj(false);
  }, [kind.id, name]);

  if (load.state === 'loading') return html`<${Loading} />`;
  if (load.state === 'missing') return html`<${NotFound} text=${missingText(kind.title, name)} />`;
  if (load.state === 'error')
    return html`<${Page} title=${name} kicker=${kind.title}><${ErrorBanner} error=${load.error} title="Could not load" /></${Page}>`;
  const obj = load.obj;

  const onChange = (field: string, v: RawValue) => {
    setForm((s) => ({ ...s, [field]: v }));
    if (errors[field]) setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== field)));
  };

  const save = async () => {
    setNotice(undefined);
    const { body, errors: inputErrors } = patchBody(kind.fields, initial, form);
    if (Object.keys(inputErrors).length) {
      setErrors(inputErrors);
      setFormErrors(['Not saved: check the fields marked below.']);
      return;
    }
    if (Object.keys(body).length === 0) {
      setErrors({});
      setFormErrors([]);
      setNotice('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const r = await api<{ edited?: string; version?: number }>('PATCH', `config/${seg(kind.id)}/${seg(name)}`, body);
      setErrors({});
      setFormErrors([]);
      const msg = `Saved ${kind.title} \`${typeof body['name'] === 'string' ? body['name'] : name}\`${r?.version !== undefined ? ` as config version ${r.version}` : ''}.`;
      if (typeof body['name'] === 'string' && body['name'] !== name) {
        flash.set(msg);
        navigate(`/kinds/${seg(kind.id)}/${seg(body['name'])}`, { replace: true });
        return;
      }
      setNotice(msg);
      // Secrets typed are now stored: clear them; take the server's view as the new baseline.
      setForm((s) =>
        Object.fromEntries(
          Object.entries(s).map(([k, v]) => [k, kind.fields.find((f) => f.name === k)?.secret ? '' : v]),
        ),
      );
      await fetchObj(true);
      setReloadKey((n) => n + 1);
      void loadInfo().catch(() => undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) saveDraft(draftKey, form);
      const m = errorsFrom(
        e,
        kind.fields.map((f) => f.name),
      );
      setErrors(m.fields);
      setFormErrors(m.form);
    } finally {
      setBusy(false);
    }
  };

  const pending = Object.keys(patchBody(kind.fields, initial, form).body).length;
  const isChannel = kind.id.startsWith('channels.');
  const allKinds = kindsStore.get() ?? [];
  // Only kinds something can refer to get the section (security definitions, outgoing connections, …).
  const usedByShown = allKinds.some((k) => k.fields.some((f) => f.ref && refMatchesKind(f.ref, kind.id)));
  return html`<${Page} title=${name} kicker=${html`<${Link} href=${`/kinds/${seg(kind.id)}`}>${kind.title}</${Link}>`}
    actions=${html`
      <${ObjectActions} kind=${kind} name=${name} onDone=${(m: string) => {
        setNotice(m);
        void loadInfo().catch(() => undefined);
      }} />
      <${Link} class="btn" href=${`/kinds/${seg(kind.id)}/new?clone=${encodeURIComponent(name)}`}>Clone</${Link}>
      <${DeleteButton} kind=${kind} name=${name} />`}>
    <${Notice}>${notice}</${Notice}>
    <${ObjectProblems} kind=${kind.id} name=${name} reloadKey=${reloadKey} />
    <${Summary} kind=${kind} obj=${obj} />
    <section class="panel" aria-labelledby="settings-h">
      <h2 id="settings-h">Settings</h2>
      <${ObjectForm} kind=${kind} state=${form} onChange=${onChange} errors=${errors} formErrors=${formErrors} submitLabel="Save" busy=${busy} editing=${true} onSubmit=${save}
        note=${pending ? `${pending} unsaved change${pending === 1 ? '' : 's'}` : undefined} />
    </section>
    ${
      usedByShown
        ? html`<section class="panel" aria-labelledby="usedby-h">
            <h2 id="usedby-h">Used by</h2>
            <${UsedBy} all=${allKinds} kind=${kind.id} name=${name} reloadKey=${reloadKey} />
          </section>`
        : null
    }
    ${
      isChannel
        ? html`<section class="panel" aria-labelledby="traffic-h">
            <h2 id="traffic-h">Traffic</h2>
            <${TrafficCharts} channel=${name} kind=${kind.id} />
          </section>`
        : null
    }
    <section class="panel" aria-labelledby="history-h">
      <h2 id="history-h">History</h2>
      <${ObjectHistory} kind=${kind.id} name=${name} reloadKey=${reloadKey} />
    </section>
  </${Page}>`;
}

function Summary({ kind, obj }: { kind: KindInfo; obj: ObjectView }) {
  const info = useStore(serverInfo);
  const h = healthOf(info, kind.id, obj.name);
  const hasActive = kind.fields.some((f) => f.name === 'active');
  return html`<dl class="facts panel">
    ${
      hasActive
        ? html`<dt>Active</dt>
            <dd><${ActiveBadge} active=${obj.data['active']} /></dd>`
        : null
    }
    ${
      h
        ? html`<dt>Health</dt>
            <dd>
              <${HealthBadge}
                status=${h}
              />${h.health?.detail ? html` <span class="small muted">${h.health.detail}</span>` : null}
            </dd>`
        : null
    }
    ${
      obj.version !== undefined
        ? html`<dt>Config version</dt>
            <dd>${obj.version}</dd>`
        : null
    }
    ${
      obj.updatedAt
        ? html`<dt>Last change</dt>
            <dd>${new Date(obj.updatedAt).toLocaleString()}</dd>`
        : null
    }
    <dt>Kind</dt>
    <dd><code>${kind.id}</code></dd>
    ${
      kind.id === 'channels.http'
        ? html`<dt>Contract</dt>
            <dd><${ContractLinks} name=${obj.name} data=${obj.data} /></dd>`
        : null
    }
  </dl>`;
}

/**
 * An HTTP channel's contracts (issue 15), through the admin API: its OpenAPI 3.1 document, and a SOAP
 * channel's WSDL. The channels' clients get the same at GET /wharf/openapi.json?channel= and <urlPath>?wsdl.
 */
function ContractLinks({ name, data }: { name: string; data: Record<string, unknown> }) {
  const soap = data['dataFormat'] === 'soap' && !data['proxyTo'] && !data['routes'];
  const q = qs({ channel: name });
  // Spaces as expressions: htm drops whitespace that contains a line break, wherever a line is wrapped.
  return html`<a class="contract-link" href=${apiUrl(`openapi.json${q}`)} target="_blank" rel="noopener">OpenAPI 3.1</a
    >${
      soap ? html` · <a class="contract-link" href=${apiUrl(`wsdl${q}`)} target="_blank" rel="noopener">WSDL</a>` : null
    }${' '}<span class="small muted contract-hint"
      >${'(for clients: '}<code>/wharf/openapi.json${q}</code>${
        soap ? html`, <code>${String(data['urlPath'] ?? '')}?wsdl</code>` : null
      }${' on the server)'}</span
    >`;
}

function ObjectActions({ kind, name, onDone }: { kind: KindInfo; name: string; onDone: (msg: string) => void }) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<{ action: string; output: unknown }>();
  if (!kind.actions.length) return null;
  const run = async (action: string) => {
    setBusy(action);
    setError(undefined);
    try {
      const out = await api<unknown>('POST', `config/${seg(kind.id)}/${seg(name)}/actions/${seg(action)}`, {});
      setResult({ action, output: out });
      onDone(`${actionLabel(action)}: done.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  return html`${kind.actions.map((a) => html`<button type="button" class="btn" disabled=${busy !== undefined} onClick=${() => run(a)}>${actionLabel(a)}</button>`)}
  ${error ? html`<div class="action-result banner banner-error" role="alert">${actionLabel(busy ?? '')} failed: ${errorText(error)}</div>` : null}
  ${
    result
      ? html`<details class="action-result" open>
          <summary>Result of ${actionLabel(result.action)}</summary>
          <pre class="block">${JSON.stringify(result.output, null, 2)}</pre>
        </details>`
      : null
  }`;
}

function DeleteButton({ kind, name }: { kind: KindInfo; name: string }) {
  const [open, setOpen] = useState(false);
  const {
    busy,
    error,
    setError,
    run: del,
  } = useAction(async () => {
    const r = await api<{ version?: number }>('DELETE', `config/${seg(kind.id)}/${seg(name)}`);
    flash.set(`Deleted ${kind.title} \`${name}\`${r?.version !== undefined ? ` (config version ${r.version})` : ''}.`);
    navigate(`/kinds/${seg(kind.id)}`);
  });
  const usedBy =
    error instanceof ApiError && Array.isArray(error.details?.['usedBy'])
      ? (error.details['usedBy'] as unknown[]).map(String)
      : [];
  return html`<button
      type="button"
      class="btn btn-danger"
      onClick=${() => {
        setError(undefined);
        setOpen(true);
      }}
    >
      Delete
    </button>
    ${
      open
        ? html`<${ConfirmDialog} title=${`Delete ${name}?`} confirmLabel="Delete" danger=${true} busy=${busy} onConfirm=${del} onCancel=${() => setOpen(false)}>
          <p>${kind.title} <strong>${name}</strong> will be removed from every server. Its history stays, so it can be restored.</p>
          ${
            error
              ? html`<div class="banner banner-error" role="alert">
                  <div class="banner-body">
                    ${
                      usedBy.length
                        ? html`It is still in use, nothing was deleted. Used by:
                            <ul>
                              ${usedBy.map((u) => html`<li>${u}</li>`)}
                            </ul>`
                        : errorText(error)
                    }
                  </div>
                </div>`
              : null
          }
        </${ConfirmDialog}>`
        : null
    }`;
}
