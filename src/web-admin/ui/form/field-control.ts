/** One generated form field: label = the field's exact name, help = its description, error under it. */
import { html } from 'htm/preact';
import { describedBy, Field } from '../components/field';
import { Link, seg } from '../router';
import { controlOf, refOf, type FormField, type RawValue } from './model';
import { humanUnit } from './units';
import type { RefOption } from './ref-options';

export interface FieldControlProps {
  field: FormField;
  value: RawValue | undefined;
  onChange: (value: RawValue) => void;
  error?: string | undefined;
  /** Choices of a ref field (undefined = loading, null = could not load → free text). */
  options?: RefOption[] | null | undefined;
  /** Edit pages: secrets say "unchanged". */
  editing: boolean;
  idPrefix?: string;
}

function help(f: FormField): string | undefined {
  const parts: string[] = [];
  if (f.description)
    parts.push(/[.!?]$/.test(f.description.trim()) ? f.description.trim() : `${f.description.trim()}.`);
  if (f.default !== undefined && controlOf(f) !== 'boolean' && typeof f.default !== 'object')
    parts.push(`Default: ${String(f.default)}.`);
  if (controlOf(f) === 'lines') parts.push('One per line.');
  if (controlOf(f) === 'json' && !/JSON/.test(f.description ?? '')) parts.push('JSON.');
  return parts.length ? parts.join(' ') : undefined;
}

export function FieldControl({
  field: f,
  value,
  onChange,
  error,
  options,
  editing,
  idPrefix = 'f',
}: FieldControlProps) {
  const id = `${idPrefix}-${f.name}`;
  const h = help(f);
  const common = {
    id,
    name: f.name,
    'aria-describedby': describedBy(id, h, error),
    'aria-invalid': error ? 'true' : undefined,
    'aria-required': f.required ? 'true' : undefined,
  };
  const text = typeof value === 'string' ? value : '';
  const onText = (e: Event) => onChange((e.currentTarget as HTMLInputElement).value);
  const c = controlOf(f);
  let control;
  if (c === 'boolean') {
    control = html`<input
      type="checkbox"
      ...${common}
      checked=${value === true}
      onChange=${(e: Event) => onChange((e.currentTarget as HTMLInputElement).checked)}
    />`;
  } else if (c === 'secret') {
    control = html`<input
      type="password"
      ...${common}
      value=${text}
      onInput=${onText}
      autocomplete="new-password"
      placeholder=${editing ? 'unchanged' : ''}
    />`;
  } else if (c === 'enum') {
    control = html`<select ...${common} value=${text} onChange=${onText}>
      <option value="">
        ${f.required ? '— choose —' : f.default !== undefined ? `(default: ${String(f.default)})` : '(none)'}
      </option>
      ${(f.values ?? []).map((v) => html`<option value=${v}>${v}</option>`)}
    </select>`;
  } else if (c === 'ref' && options !== null) {
    const list = options ?? [];
    const missing = text !== '' && !list.some((o) => o.value === text);
    const groups = [...new Set(list.map((o) => o.group ?? ''))];
    const opt = (o: RefOption) => html`<option value=${o.value}>${o.value}</option>`;
    const target =
      text === ''
        ? undefined
        : refOf(f) === 'service'
          ? `/services/${seg(text)}`
          : (() => {
              const k = list.find((o) => o.value === text)?.kind ?? (refOf(f)!.includes('*') ? undefined : refOf(f));
              return k ? `/kinds/${seg(k)}/${seg(text)}` : undefined;
            })();
    const link =
      target && !missing
        ? html`<${Link} class="ref-open small" href=${target}>Open<span class="visually-hidden"> ${text}</span></${Link}>`
        : null;
    control = html`<div class="ref-row">
      <select ...${common} value=${text} onChange=${onText}>
        <option value="">
          ${options === undefined ? 'Loading…' : list.length === 0 ? (refOf(f) === 'service' ? '(no services deployed)' : '(none exist yet)') : f.required ? '— choose —' : '(none)'}
        </option>
        ${missing ? html`<option value=${text}>${text} (missing)</option>` : null}
        ${groups.length > 1 ? groups.map((g) => html`<optgroup label=${g}>${list.filter((o) => (o.group ?? '') === g).map(opt)}</optgroup>`) : list.map(opt)}</select
      >${link}
    </div>`;
  } else if (c === 'lines' || c === 'json') {
    const rows = Math.min(12, Math.max(3, text.split('\n').length + 1));
    control = html`<textarea ...${common} rows=${rows} value=${text} onInput=${onText} spellcheck=${false}></textarea>`;
  } else {
    control = html`<input
      type=${c === 'number' ? 'text' : 'text'}
      inputmode=${c === 'number' ? 'decimal' : undefined}
      ...${common}
      value=${text}
      onInput=${onText}
      placeholder=${f.default !== undefined && typeof f.default !== 'object' ? String(f.default) : ''}
      spellcheck=${false}
    />`;
  }
  const unit = c === 'number' ? humanUnit(f.name, text) : undefined;
  if (unit)
    control = html`<div class="ref-row">
      ${control}<span class="unit small muted" aria-live="polite">${unit}</span>
    </div>`;
  const wide = c === 'json' || c === 'lines';
  return html`<div class=${wide ? 'wide' : undefined}>
    <${Field} id=${id} label=${f.name} help=${h} error=${error} required=${f.required} inline=${c === 'boolean'}>${control}</${Field}>
  </div>`;
}
