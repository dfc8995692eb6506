/**
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1) of SimpleIO declarations, for input (what a
 * channel accepts) and output (what it answers: declared keys only, Dates as ISO strings, optional
 * elements may be null).
 */
import {
  defaultOf,
  entriesOf,
  isElementLike,
  listItem,
  objectShape,
  unknownKind,
  type DeclarationLike,
  type ElementLike,
  type ShapeLike,
} from './element-like.js';

export type JsonSchema = { [key: string]: unknown };
export type Direction = 'input' | 'output';

const DECIMAL_PATTERN = '^[+-]?[0-9]+(\\.[0-9]+)?$';

function scalarSchema(kind: string, dir: Direction, where: () => string): JsonSchema {
  switch (kind) {
    case 'text':
      return { type: 'string' };
    case 'int':
      return { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };
    case 'float':
      return { type: 'number' };
    case 'decimal':
      // Kept as its canonical string; a JSON number is also accepted on input.
      return dir === 'input'
        ? { oneOf: [{ type: 'string', pattern: DECIMAL_PATTERN }, { type: 'number' }], examples: ['12.30'] }
        : { type: 'string', pattern: DECIMAL_PATTERN, examples: ['12.30'] };
    case 'bool':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'opaque':
      return {};
    default:
      throw unknownKind(where(), kind);
  }
}

/**
 * The schema of one element (its own description and default included). `owner` names the
 * declaration in errors ("service `x` input"), `path` the element in it.
 */
export function elementSchema(el: ElementLike, dir: Direction, owner: string, path: string): JsonSchema {
  let s: JsonSchema;
  const kind = el.spec.kind;
  const where = (): string => `${owner} element \`${path}\``;
  if (kind === 'list') s = { type: 'array', items: elementSchema(listItem(el, where()), dir, owner, `${path}[]`) };
  else if (kind === 'object') s = shapeSchema(objectShape(el, where()), dir, owner, `${path}.`);
  else s = scalarSchema(kind, dir, where);
  if (el.description) s = { ...s, description: el.description };
  const d = defaultOf(el);
  if (d !== undefined) s = { ...s, default: d };
  // An optional output element the service set to null is answered as null.
  if (dir === 'output' && !el.isRequired && !el.hasDefault) s = { anyOf: [s, { type: 'null' }] };
  return s;
}

/** Whether the element must be present: input → required without default; output → required or defaulted (filled in). */
export function isPresent(el: ElementLike, dir: Direction): boolean {
  return dir === 'input' ? el.isRequired && !el.hasDefault : el.isRequired || el.hasDefault;
}

export function shapeSchema(shape: ShapeLike, dir: Direction, owner: string, prefix = ''): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, el] of entriesOf(shape)) {
    properties[key] = elementSchema(el, dir, owner, prefix + key);
    if (isPresent(el, dir)) required.push(key);
  }
  const s: JsonSchema = { type: 'object', properties };
  if (required.length > 0) s['required'] = required;
  // Output carries declared keys only; input ignores keys it does not know.
  if (dir === 'output') s['additionalProperties'] = false;
  return s;
}

/** Schema of a whole declaration; none (undefined) is an opaque value. */
export function declarationSchema(decl: DeclarationLike | undefined, dir: Direction, owner: string): JsonSchema {
  if (decl === undefined || decl === null) return {};
  if (isElementLike(decl)) return elementSchema(decl, dir, owner, '(value)');
  return shapeSchema(decl, dir, owner);
}
