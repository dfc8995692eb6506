/** `/kinds/:kind/new[?clone=<name>]` — the create form, defaults filled (or the cloned object's values). */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { Page } from '../components/page';
import { flash } from '../flash';
import { createBody, initialState, type FormState, type RawValue } from '../form/model';
import { ObjectForm } from '../form/object-form';
import { errorsFrom } from '../form/submit-errors';
import { saveDraft, takeDraft } from '../form/drafts';
import { kinds as kindsStore, loadInfo, type KindInfo } from '../meta';
import { Link, navigate, seg, useLocation } from '../router';
import { useStore } from '../store';
import type { ObjectView } from './kind-list';
import NotFound, { missingText } from './not-found';

export default function KindNew({ kind: kindId }: { kind: string }) {
  const all = useStore(kindsStore);
  const loc = useLocation();
  if (!all) return html`<${Loading} />`;
  const kind = all.find((k) => k.id === kindId);
  if (!kind) return html`<${NotFound} text=${`There is no kind \`${kindId}\``} />`;
  const clone = loc.query.get('clone') ?? undefined;
  return html`<${NewPage} key=${clone ?? ''} kind=${kind} clone=${clone} />`;
}

function NewPage({ kind, clone }: { kind: KindInfo; clone?: string }) {
  const draftKey = `new:${kind.id}?${clone ?? ''}`;
  const [draft] = useState(() => takeDraft(draftKey));
  const [form, setForm] = useState<FormState | undefined>(
    draft ?? (clone ? undefined : initialState(kind.fields, 'new')),
  );
  const [loadError, setLoadError] = useState<unknown>();
  const [missing, setMissing] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!clone || draft) return;
    api<ObjectView>('GET', `config/${seg(kind.id)}/${seg(clone)}`).then(
      (o) => setForm(initialState(kind.fields, 'clone', o.data)),
      (e: unknown) => (e instanceof ApiError && e.status === 404 ? setMissing(true) : setLoadError(e)),
    );
  }, [kind.id, clone]);

  if (missing && clone) return html`<${NotFound} text=${missingText(kind.title, clone)} />`;
  const title = clone ? `New ${kind.title} (clone of ${clone})` : `New ${kind.title}`;
  if (loadError)
    return html`<${Page} title=${title}><${ErrorBanner} error=${loadError} title="Could not load the object to clone" /></${Page}>`;
  if (!form) return html`<${Loading} />`;

  const onChange = (field: string, v: RawValue) => {
    setForm((s) => ({ ...s, [field]: v }));
    if (errors[field]) setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== field)));
  };
  const create = async () => {
    const { body, errors: inputErrors } = createBody(kind.fields, form);
    if (Object.keys(inputErrors).length) {
      setErrors(inputErrors);
      setFormErrors(['Not created: check the fields marked below.']);
      return;
    }
    setBusy(true);
    try {
      const r = await api<{ created?: string; version?: number }>('POST', `config/${seg(kind.id)}`, body);
      const name = typeof r?.created === 'string' ? r.created : String(body['name'] ?? '');
      flash.set(
        `Created ${kind.title} \`${name}\`${r?.version !== undefined ? ` as config version ${r.version}` : ''}.`,
      );
      void loadInfo().catch(() => undefined);
      navigate(`/kinds/${seg(kind.id)}/${seg(name)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) saveDraft(draftKey, form);
      const m = errorsFrom(
        e,
        kind.fields.map((f) => f.name),
      );
      setErrors(m.fields);
      setFormErrors(m.form);
      setBusy(false);
    }
  };

  return html`<${Page} title=${title} kicker=${html`<${Link} href=${`/kinds/${seg(kind.id)}`}>${kind.title}</${Link}>`}>
    <section class="panel">
      ${clone ? html`<p class="muted small">Secrets are not copied: type them again.</p>` : null}
      <${ObjectForm} kind=${kind} state=${form} onChange=${onChange} errors=${errors} formErrors=${formErrors} submitLabel="Create" busy=${busy} editing=${false} onSubmit=${create} />
    </section>
  </${Page}>`;
}
