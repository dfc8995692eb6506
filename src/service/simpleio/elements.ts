/**
 * SimpleIO element builders. A declaration is a plain object of elements:
 *   { id: int(), name: text().optional(), tags: list(text()).default([]) }
 * Its TypeScript type follows from the builders (see `Infer`), and a precompiled parser and
 * serializer follow from the same object at deploy time (see `compile.ts`).
 */

export type ScalarKind = 'text' | 'int' | 'float' | 'decimal' | 'bool' | 'date' | 'datetime' | 'uuid' | 'opaque';

export interface ScalarSpec {
  readonly kind: ScalarKind;
}
export interface ListSpec {
  readonly kind: 'list';
  readonly of: AnyElement;
}
export interface ObjectSpec {
  readonly kind: 'object';
  readonly shape: Shape;
}
export type ElementSpec = ScalarSpec | ListSpec | ObjectSpec;

/**
 * One element. `T` is its value type, `Req` whether a value must arrive (false for optional or
 * defaulted elements), `HasDefault` whether a missing value is filled in.
 */
export class Element<T, Req extends boolean = true, HasDefault extends boolean = false> {
  /** Phantom fields that carry the types; never set at run time. */
  declare readonly __type: T;
  declare readonly __required: Req;
  declare readonly __hasDefault: HasDefault;

  constructor(
    readonly spec: ElementSpec,
    readonly isRequired: boolean = true,
    readonly defaultValue: T | (() => T) | undefined = undefined,
    readonly hasDefault: boolean = false,
    readonly description: string | undefined = undefined,
  ) {}

  /** The element may be absent; its value is then `undefined`. */
  optional(): Element<T, false, HasDefault> {
    return new Element<T, false, HasDefault>(this.spec, false, this.defaultValue, this.hasDefault, this.description);
  }

  /** The element may be absent; its value is then `value` (or what `value()` returns). */
  default(value: T | (() => T)): Element<T, false, true> {
    return new Element<T, false, true>(this.spec, false, value, true, this.description);
  }

  /** Free text shown in generated docs. */
  describe(text: string): Element<T, Req, HasDefault> {
    return new Element<T, Req, HasDefault>(this.spec, this.isRequired, this.defaultValue, this.hasDefault, text);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance escape hatch for generic constraints only
export type AnyElement = Element<any, boolean, boolean>;
export type Shape = { readonly [key: string]: AnyElement };

/** JSON-compatible value, for `opaque()` elements. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export const text = (): Element<string> => new Element({ kind: 'text' });
/** A whole number; strings such as "42" are accepted from query strings, forms and XML. */
export const int = (): Element<number> => new Element({ kind: 'int' });
export const float = (): Element<number> => new Element({ kind: 'float' });
/** An exact decimal, kept as its canonical string ("12.30" stays "12.30"). */
export const decimal = (): Element<string> => new Element({ kind: 'decimal' });
export const bool = (): Element<boolean> => new Element({ kind: 'bool' });
/** A calendar date, ISO 8601 `YYYY-MM-DD`, kept as that string. */
export const date = (): Element<string> => new Element({ kind: 'date' });
/** An instant, ISO 8601 with a time zone (or UTC when none is given); parsed into a `Date`. */
export const datetime = (): Element<Date> => new Element({ kind: 'datetime' });
export const uuid = (): Element<string> => new Element({ kind: 'uuid' });
/** Anything, passed through unchanged (a JSON value, or the XML element's parsed content). */
export const opaque = <T = Json>(): Element<T> => new Element<T>({ kind: 'opaque' });

export function list<E extends AnyElement>(of: E): Element<ElementType<E>[]> {
  return new Element<ElementType<E>[]>({ kind: 'list', of });
}

export function object<S extends Shape>(shape: S): Element<Infer<S>> {
  return new Element<Infer<S>>({ kind: 'object', shape });
}

/** A list of objects (Zato's ListOfDicts). */
export function listOf<S extends Shape>(shape: S): Element<Infer<S>[]> {
  return list(object(shape));
}

export type ElementType<E> = E extends Element<infer T, boolean, boolean> ? T : never;

type RequiredKeys<S extends Shape, WithDefaults extends boolean> = {
  [K in keyof S]: S[K] extends Element<unknown, infer R, infer D>
    ? R extends true
      ? K
      : WithDefaults extends true
        ? D extends true
          ? K
          : never
        : never
    : never;
}[keyof S];
type OptionalKeys<S extends Shape, WithDefaults extends boolean> = Exclude<keyof S, RequiredKeys<S, WithDefaults>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The parsed value of a declaration: defaulted elements are always present. */
export type Infer<S extends Shape> = Simplify<
  { -readonly [K in RequiredKeys<S, true>]: ElementType<S[K]> } & {
    -readonly [K in OptionalKeys<S, true>]?: ElementType<S[K]>;
  }
>;

/** What a service may produce for a declaration: defaulted elements may be left out. */
export type InferOutput<S extends Shape> = Simplify<
  { -readonly [K in RequiredKeys<S, false>]: ElementType<S[K]> } & {
    -readonly [K in OptionalKeys<S, false>]?: ElementType<S[K]>;
  }
>;
