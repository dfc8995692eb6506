/** The generated form of a kind: every field, its errors, a form-level alert and the submit button. */
import { html } from 'htm/preact';
import { useStore } from '../store';
import { kinds as kindsStore, type KindInfo } from '../meta';
import { FieldControl } from './field-control';
import { orderFields, refOf, type FormState, type RawValue } from './model';
import { useRefOptions } from './ref-options';

export interface ObjectFormProps {
  kind: KindInfo;
  state: FormState;
  onChange: (name: string, value: RawValue) => void;
  /** Field → message (input errors and the admin API's problems). */
  errors: Record<string, string>;
  /** Problems naming no field, and other errors' messages. */
  formErrors: string[];
  submitLabel: string;
  busy: boolean;
  editing: boolean;
  onSubmit: () => void;
  /** A short note beside the button (e.g. "2 unsaved changes"). */
  note?: string | undefined;
}

export function ObjectForm({
  kind,
  state,
  onChange,
  errors,
  formErrors,
  submitLabel,
  busy,
  editing,
  onSubmit,
  note,
}: ObjectFormProps) {
  const all = useStore(kindsStore) ?? [];
  const fields = orderFields(kind.fields);
  const options = useRefOptions(fields, all);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!busy) onSubmit();
  };
  return html`<form class="object-form" onSubmit=${submit} novalidate aria-label=${`${kind.title} settings`}>
    ${
      formErrors.length
        ? html`<div class="banner banner-error" role="alert">
            <div class="banner-body">
              ${
                formErrors.length === 1
                  ? formErrors[0]
                  : html`<ul>
                      ${formErrors.map((p) => html`<li>${p}</li>`)}
                    </ul>`
              }
            </div>
          </div>`
        : null
    }
    <div class="form-grid">
      ${fields.map((f) => {
        const ref = refOf(f);
        return html`<${FieldControl}
          key=${f.name}
          field=${f}
          value=${state[f.name]}
          onChange=${(v: RawValue) => onChange(f.name, v)}
          error=${errors[f.name]}
          options=${ref ? options[ref] : undefined}
          editing=${editing}
        />`;
      })}
    </div>
    <div class="form-actions">
      <button type="submit" class="btn btn-primary" disabled=${busy}>${submitLabel}</button>
      ${busy ? html`<span class="muted" role="status">Saving…</span>` : note ? html`<span class="muted small">${note}</span>` : null}
    </div>
  </form>`;
}
