/**
 * What the admin API tells about one service: its SimpleIO fields (input and output), an example
 * input built from the declaration, and the config objects that name it (channels of every kind,
 * HTTP routes, scheduler jobs).
 */
import { allKinds } from '../config/registry.js';
import type { ObjectKind } from '../config/kind.js';
import { refValues } from '../config/kind.js';
import type { StoredObject } from '../odb/odb.js';
import type { FieldDesc } from './api-types.js';

export type { FieldDesc };

/** The parts of a SimpleIO element read here (duck-typed: deployed modules bring their own copies). */
interface ElementLike {
  spec: { kind: string; of?: ElementLike; shape?: Record<string, ElementLike> };
  isRequired: boolean;
  defaultValue: unknown;
  hasDefault: boolean;
  description?: string | undefined;
}

const isElement = (v: unknown): v is ElementLike =>
  typeof v === 'object' && v !== null && typeof (v as { spec?: { kind?: unknown } }).spec?.kind === 'string';

function typeOf(el: ElementLike): string {
  if (el.spec.kind === 'list') return `list<${el.spec.of ? typeOf(el.spec.of) : 'unknown'}>`;
  return el.spec.kind;
}

function describeElement(name: string, el: ElementLike): FieldDesc {
  const d: FieldDesc = { name, type: typeOf(el), required: el.isRequired };
  if (el.hasDefault && typeof el.defaultValue !== 'function') d.default = el.defaultValue;
  if (el.description) d.description = el.description;
  const inner = el.spec.kind === 'list' ? el.spec.of : el;
  if (inner?.spec.kind === 'object' && inner.spec.shape) d.fields = describeShape(inner.spec.shape);
  return d;
}

function describeShape(shape: Record<string, ElementLike>): FieldDesc[] {
  return Object.entries(shape)
    .filter(([, el]) => isElement(el))
    .map(([name, el]) => describeElement(name, el));
}

/** Input or output fields of a declaration; a single-element output is one field named `(value)`. */
export function describeDeclaration(decl: unknown): FieldDesc[] {
  if (decl === undefined || decl === null) return [];
  if (isElement(decl)) return [describeElement('(value)', decl)];
  if (typeof decl === 'object') return describeShape(decl as Record<string, ElementLike>);
  return [];
}

const SAMPLES: Record<string, unknown> = {
  text: '',
  int: 0,
  float: 0,
  decimal: '0.00',
  bool: false,
  date: '2026-01-01',
  datetime: '2026-01-01T00:00:00Z',
  uuid: '00000000-0000-4000-8000-000000000000',
  opaque: null,
};

function sample(el: ElementLike, depth: number): unknown {
  if (el.hasDefault && typeof el.defaultValue !== 'function') return el.defaultValue;
  if (depth > 8) return null;
  switch (el.spec.kind) {
    case 'list':
      return el.spec.of ? [sample(el.spec.of, depth + 1)] : [];
    case 'object':
      return exampleOf(el.spec.shape, depth + 1);
    default:
      return SAMPLES[el.spec.kind] ?? null;
  }
}

/** An input pre-filled from a SimpleIO shape: every field with its default or a value of its type. */
export function exampleOf(shape: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof shape !== 'object' || shape === null || isElement(shape)) return out;
  for (const [name, el] of Object.entries(shape as Record<string, unknown>))
    if (isElement(el)) out[name] = sample(el, depth);
  return out;
}

/** Fields of `kind` that name a service: a top-level `service`, and `service` inside object lists (HTTP routes). */
export function serviceFields(kind: ObjectKind): string[] {
  const shape = (kind.schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const out: string[] = [];
  if ('service' in shape) out.push('service');
  for (const [name, s] of Object.entries(shape)) {
    if (elementShapeOf(s) && 'service' in elementShapeOf(s)!) out.push(`${name}[].service`);
  }
  return out;
}

type ZodNode = {
  _zod?: {
    def?: { type?: string; innerType?: ZodNode; element?: ZodNode; in?: ZodNode; shape?: Record<string, unknown> };
  };
};
/** The object shape of the elements of an array field (through optional/default wrappers). */
function elementShapeOf(s: unknown): Record<string, unknown> | undefined {
  let n = s as ZodNode | undefined;
  for (let i = 0; i < 10 && n?._zod?.def; i++) {
    const d = n._zod.def;
    if (d.type === 'array') {
      let e = d.element;
      for (let j = 0; j < 10 && e?._zod?.def; j++) {
        const ed = e._zod.def;
        if (ed.type === 'object') return ed.shape;
        e = ed.innerType ?? ed.in;
      }
      return undefined;
    }
    n = d.innerType ?? d.in;
  }
  return undefined;
}

/** Objects whose service fields name `service`, from stored objects of every kind. */
export function usedBy(objects: readonly StoredObject[], service: string): Array<{ kind: string; name: string }> {
  const fieldsByKind = new Map(allKinds().map((k) => [k.id, serviceFields(k)]));
  const out: Array<{ kind: string; name: string }> = [];
  for (const o of objects) {
    const fields = fieldsByKind.get(o.kind) ?? [];
    if (fields.some((f) => refValues(o.data, f).includes(service))) out.push({ kind: o.kind, name: o.name });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}
