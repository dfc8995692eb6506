/**
 * The form logic of the generic kind pages, pure (no DOM): a kind's fields → form state (what the
 * inputs show) → a create body or a PATCH diff; validation problems from the admin API → per-field messages.
 */

import type { FieldInfo } from '../../../admin/api-types.js';

/** The part of `GET kinds`' field description the form needs. */
export type FormField = FieldInfo;

export type Control = 'text' | 'number' | 'boolean' | 'enum' | 'lines' | 'json' | 'secret' | 'ref';

/** What an input holds: text as typed, or a checkbox's state. */
export type RawValue = string | boolean;
export type FormState = Record<string, RawValue>;

/** The reference target of a field: its `ref`, or `service` for a string field named `service`. */
export function refOf(f: FormField): string | undefined {
  if (f.ref) return f.ref;
  if (f.name === 'service' && f.type === 'string') return 'service';
  return undefined;
}

export function controlOf(f: FormField): Control {
  if (f.secret) return 'secret';
  if (refOf(f)) return 'ref';
  if (f.type === 'boolean') return 'boolean';
  if (f.type === 'enum' && f.values && f.values.length > 0) return 'enum';
  if (f.type === 'number' || f.type === 'int' || f.type === 'bigint') return 'number';
  if (f.type === 'array<string>') return 'lines';
  if (f.type === 'string') return 'text';
  return 'json';
}

/** The raw input value that shows `v` in the field's control. */
export function toRaw(f: FormField, v: unknown): RawValue {
  const c = controlOf(f);
  if (c === 'boolean') return v === undefined || v === null ? false : Boolean(v);
  if (c === 'secret') return '';
  if (v === undefined || v === null) return '';
  if (c === 'lines') return Array.isArray(v) ? v.map(String).join('\n') : String(v);
  if (c === 'json') return JSON.stringify(v, null, 2);
  return String(v);
}

export type Mode = 'new' | 'edit' | 'clone';

/**
 * The inputs' first values. new: the fields' defaults. edit: the object's data (defaults for what it
 * lacks); secrets empty = unchanged. clone: like edit, but secrets empty (they must be typed) and the
 * name empty.
 */
export function initialState(fields: readonly FormField[], mode: Mode, data?: Record<string, unknown>): FormState {
  const out: FormState = {};
  for (const f of fields) {
    let v: unknown = mode === 'new' || !data ? undefined : data[f.name];
    if (mode === 'clone' && f.name === 'name') v = undefined;
    if (v === undefined && f.default !== undefined && !(mode === 'clone' && f.name === 'name')) v = f.default;
    out[f.name] = toRaw(f, v);
  }
  return out;
}

export interface Parsed {
  /** undefined when the input is empty. */
  value?: unknown;
  empty: boolean;
  error?: string;
}

/** The value an input stands for. */
export function parseRaw(f: FormField, raw: RawValue | undefined): Parsed {
  const c = controlOf(f);
  if (c === 'boolean') return { value: raw === true, empty: false };
  const s = typeof raw === 'string' ? raw : '';
  if (c === 'lines') {
    const lines = s
      .split('\n')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    return lines.length ? { value: lines, empty: false } : { empty: true };
  }
  if (s.trim() === '') return { empty: true };
  if (c === 'number') {
    const n = Number(s.trim());
    return Number.isFinite(n) ? { value: n, empty: false } : { empty: false, error: 'must be a number' };
  }
  if (c === 'json') {
    try {
      return { value: JSON.parse(s) as unknown, empty: false };
    } catch (e) {
      return { empty: false, error: `must be JSON (${e instanceof Error ? e.message : String(e)})` };
    }
  }
  if (c === 'enum' && f.values && !f.values.includes(s))
    return { empty: false, error: `must be one of ${f.values.join(', ')}` };
  return { value: s, empty: false };
}

export interface BodyResult {
  body: Record<string, unknown>;
  /** Input errors found before calling the admin API (field → message). */
  errors: Record<string, string>;
}

/** The POST body: every non-empty field (required but empty fields are left to the admin API to name). */
export function createBody(fields: readonly FormField[], state: FormState): BodyResult {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const p = parseRaw(f, state[f.name]);
    if (p.error) errors[f.name] = p.error;
    else if (!p.empty) body[f.name] = p.value;
  }
  return { body, errors };
}

/**
 * The PATCH body: only fields whose input changed from `initial`; a field emptied → null (removed,
 * back to its default); a secret only when something was typed; a changed name renames.
 */
export function patchBody(fields: readonly FormField[], initial: FormState, state: FormState): BodyResult {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const now = state[f.name];
    if (controlOf(f) === 'secret') {
      if (typeof now === 'string' && now !== '') body[f.name] = now;
      continue;
    }
    if (same(f, initial[f.name], now)) continue;
    const p = parseRaw(f, now);
    if (p.error) errors[f.name] = p.error;
    else if (p.empty) {
      if (f.name !== 'name') body[f.name] = null;
    } else body[f.name] = p.value;
  }
  return { body, errors };
}

function same(f: FormField, a: RawValue | undefined, b: RawValue | undefined): boolean {
  if (a === b) return true;
  const pa = parseRaw(f, a);
  const pb = parseRaw(f, b);
  if (pa.error || pb.error) return false;
  if (pa.empty && pb.empty) return true;
  return JSON.stringify(pa.value) === JSON.stringify(pb.value);
}

export interface MappedProblems {
  /** field → message(s) shown under it. */
  fields: Record<string, string>;
  /** Problems that name no field of the form. */
  form: string[];
}

/**
 * Maps `details.problems` (`"<field>: <reason>"`, nested paths like `"headers.0: …"` start with the
 * field) to fields; anything else is a form-level problem.
 */
export function mapProblems(problems: readonly string[], fieldNames: readonly string[]): MappedProblems {
  const fields: Record<string, string> = {};
  const form: string[] = [];
  const names = new Set(fieldNames);
  for (const p of problems) {
    const m = /^([^:\s]+):\s*(.*)$/s.exec(p);
    const path = m?.[1];
    const head = path ? path.split(/[.[]/)[0]! : undefined;
    if (m && head && names.has(head)) {
      const text = path === head ? m[2]! : p;
      fields[head] = fields[head] ? `${fields[head]}; ${text}` : text;
    } else form.push(p);
  }
  return { fields, form };
}

/** Does a ref pattern (`outgoing.*`, `security.basicAuth`) cover this kind id? */
export function refMatchesKind(ref: string, kindId: string): boolean {
  if (ref.endsWith('.*')) return kindId.startsWith(ref.slice(0, -1));
  if (ref.endsWith('*')) return kindId.startsWith(ref.slice(0, -1));
  return ref === kindId;
}

/** Fields in the form's order: name, active, required ones, then the rest (schema order otherwise). */
export function orderFields<F extends FormField>(fields: readonly F[]): F[] {
  const rank = (f: F) => (f.name === 'name' ? 0 : f.name === 'active' ? 1 : f.required ? 2 : 3);
  return fields
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map((x) => x.f);
}
