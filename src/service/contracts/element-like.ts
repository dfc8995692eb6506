/**
 * The parts of a SimpleIO element a contract generator reads. Duck-typed on purpose: a deployed
 * module brings its own copy of the element classes, so `instanceof Element` does not hold for it.
 * An element kind the generators do not know is a clear error naming it, never a guessed schema.
 */
import { WharfError } from '../../errors.js';

export interface ElementLike {
  readonly spec: {
    readonly kind: string;
    readonly of?: ElementLike;
    readonly shape?: Readonly<Record<string, ElementLike>>;
  };
  readonly isRequired: boolean;
  readonly defaultValue?: unknown;
  readonly hasDefault: boolean;
  readonly description?: string | undefined;
}

export type ShapeLike = Readonly<Record<string, ElementLike>>;

/** An input or output declaration: a shape (object of elements) or, for output, one element. */
export type DeclarationLike = ShapeLike | ElementLike;

export const SCALAR_KINDS = ['text', 'int', 'float', 'decimal', 'bool', 'date', 'datetime', 'uuid', 'opaque'] as const;
export type ScalarKindName = (typeof SCALAR_KINDS)[number];

export function isElementLike(v: unknown): v is ElementLike {
  return typeof v === 'object' && v !== null && typeof (v as { spec?: { kind?: unknown } }).spec?.kind === 'string';
}

export function isScalarKind(kind: string): kind is ScalarKindName {
  return (SCALAR_KINDS as readonly string[]).includes(kind);
}

/** The error for an element the generators cannot describe (`where` names the service and element). */
export function unknownKind(where: string, kind: string): WharfError {
  return new WharfError('WHARF_ERR_CONTRACT', [
    where,
    `element kind \`${kind}\` is not one the contract generator knows (${[...SCALAR_KINDS, 'list', 'object'].join(', ')})`,
  ]);
}

/** The shape's entries that are elements (anything else in a declaration object is ignored, as SimpleIO does). */
export function entriesOf(shape: ShapeLike): Array<[string, ElementLike]> {
  return Object.entries(shape).filter((e): e is [string, ElementLike] => isElementLike(e[1]));
}

/** The element's default as a JSON value, or undefined when it has none or it is computed (a function). */
export function defaultOf(el: ElementLike): unknown {
  if (!el.hasDefault || typeof el.defaultValue === 'function') return undefined;
  const d = el.defaultValue;
  if (d instanceof Date) return d.toISOString();
  return d;
}

/** The list's item element, an object's shape: checked, with an error that names the element. */
export function listItem(el: ElementLike, where: string): ElementLike {
  const of = el.spec.of;
  if (!isElementLike(of)) throw new WharfError('WHARF_ERR_CONTRACT', [where, 'a list element has no item element']);
  return of;
}

export function objectShape(el: ElementLike, where: string): ShapeLike {
  const shape = el.spec.shape;
  if (typeof shape !== 'object' || shape === null)
    throw new WharfError('WHARF_ERR_CONTRACT', [where, 'an object element has no shape']);
  return shape;
}
