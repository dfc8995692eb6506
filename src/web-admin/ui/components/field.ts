import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';

export interface FieldProps {
  /** The control's id (the label points at it). */
  id: string;
  label: string;
  help?: string | undefined;
  error?: string | undefined;
  required?: boolean | undefined;
  /** Checkboxes: label after the control. */
  inline?: boolean;
  /** The control; give it `id`, `aria-describedby={describedBy(id, help, error)}`, `aria-invalid={error ? 'true' : undefined}`. */
  children?: ComponentChildren;
}

/** The ids a control's aria-describedby should name (help text, error text). */
export function describedBy(id: string, help?: string, error?: string): string | undefined {
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** A labelled form field: label, the control, help text and the field's error under it. */
export function Field({ id, label, help, error, required, inline, children }: FieldProps) {
  // The label holds exactly the field's name (tests and screen readers find fields by it); "required" is
  // marked beside it (aria-required on the control says it to assistive tech).
  const lab = html`<span class="label-row"
    ><label for=${id} class="field-label">${label}</label
    >${required ? html`<span class="req" aria-hidden="true" title="required">*</span>` : null}</span
  >`;
  return html`<div class=${'field' + (inline ? ' field-inline' : '') + (error ? ' field-has-error' : '')}>
    ${inline ? html`<div class="field-row">${children}${lab}</div>` : html`${lab}${children}`}
    ${help ? html`<div class="field-help" id=${`${id}-help`}>${help}</div>` : null}
    ${error ? html`<div class="field-error" id=${`${id}-error`}>${error}</div>` : null}
  </div>`;
}

export interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  help?: string;
  error?: string;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
}

/** A labelled text input (the common case). */
export function TextField(p: TextFieldProps) {
  return html`<${Field} id=${p.id} label=${p.label} help=${p.help} error=${p.error} required=${p.required}>
    <input id=${p.id} name=${p.id} type=${p.type ?? 'text'} value=${p.value} required=${p.required}
      autocomplete=${p.autocomplete} placeholder=${p.placeholder}
      aria-describedby=${describedBy(p.id, p.help, p.error)} aria-invalid=${p.error ? 'true' : undefined}
      onInput=${(e: Event) => p.onInput((e.currentTarget as HTMLInputElement).value)} />
  </${Field}>`;
}
