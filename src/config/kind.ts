/**
 * Object kinds: every piece of configuration (channels, outgoing connections, security definitions,
 * Swift connections, scheduler jobs...) is an object of a kind. A kind declares its fields once (zod),
 * and the admin API, the CLI, enmasse, the ODB and the docs all follow from that declaration.
 */
import { z } from 'zod';
import type { SecretSpec } from './secrets.js';

/** Fields every object has. */
export const baseFields = {
  name: z.string().trim().min(1, 'must not be empty').max(200).describe('Unique name within its kind'),
  active: z.boolean().default(true).describe('Inactive objects are kept but not used'),
};

export interface ConfigObject {
  name: string;
  active: boolean;
  [field: string]: unknown;
}

export interface ObjectKind<T extends ConfigObject = ConfigObject> {
  /** Dotted id, which is also the object's path in enmasse files: `channels.http`. */
  readonly id: string;
  /** Human title: `HTTP channel`. */
  readonly title: string;
  /** CLI words: ['channel', 'http'] → `wharf channel http create ...`. */
  readonly cli: readonly string[];
  /** Also reachable without its last CLI word (`wharf channel create` = HTTP channel). */
  readonly cliDefault?: boolean;
  readonly schema: z.ZodType<T>;
  /**
   * Fields encrypted at rest, masked by the admin API, exported as `${ENV_VAR}`; also secret
   * entries of a record field (e.g. the `headers` named in `secretHeaders`), treated the same way.
   */
  readonly secrets?: readonly SecretSpec[];
  /**
   * Fields naming other objects: field → kind id (a trailing `*` matches a kind prefix). A field of
   * a list's items is written `list[].field` (see refValues).
   */
  readonly refs?: Readonly<Record<string, string>>;
  /** Cross-field or cross-object checks; returns problems as `field: reason`. */
  check?(obj: T, ctx: CheckContext): string[] | undefined;
}

export interface CheckContext {
  /** All objects of a kind as they would be after the change. */
  list(kindId: string): readonly ConfigObject[];
}

export function defineKind<S extends z.core.$ZodLooseShape>(spec: {
  id: string;
  title: string;
  cli: readonly string[];
  cliDefault?: boolean;
  fields: S;
  secrets?: readonly SecretSpec<keyof S & string>[];
  refs?: Readonly<Partial<Record<(keyof S & string) | `${keyof S & string}[].${string}`, string>>>;
  check?(obj: z.output<z.ZodObject<typeof baseFields & S>>, ctx: CheckContext): string[] | undefined;
}): ObjectKind<z.output<z.ZodObject<typeof baseFields & S>> & ConfigObject> {
  const schema = z.strictObject({ ...baseFields, ...spec.fields });
  const kind: ObjectKind<z.output<typeof schema> & ConfigObject> = {
    id: spec.id,
    title: spec.title,
    cli: spec.cli,
    schema: schema as unknown as z.ZodType<z.output<typeof schema> & ConfigObject>,
    ...(spec.cliDefault ? { cliDefault: true } : {}),
    ...(spec.secrets ? { secrets: spec.secrets } : {}),
    ...(spec.refs ? { refs: spec.refs as Record<string, string> } : {}),
    ...(spec.check ? { check: spec.check as ObjectKind<z.output<typeof schema> & ConfigObject>['check'] } : {}),
  };
  return kind;
}

/** Formats zod issues as `field: reason` lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      const keys = (i as { keys: string[] }).keys.map((k) => (path ? `${path}.${k}` : k));
      return `${keys.join(', ')}: unknown field${keys.length > 1 ? 's' : ''}`;
    }
    return `${path || '(object)'}: ${i.message}`;
  });
}

/** The object names a reference field holds: `field` (one value) or `list[].field` (one per item). */
export function refValues(obj: Readonly<Record<string, unknown>>, field: string): string[] {
  const nested = /^([^[]+)\[\]\.(.+)$/.exec(field);
  const values = nested
    ? (Array.isArray(obj[nested[1]!]) ? (obj[nested[1]!] as unknown[]) : []).map((item) =>
        item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[nested[2]!] : undefined,
      )
    : [obj[field]];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

export function matchesKind(pattern: string, kindId: string): boolean {
  return pattern.endsWith('*') ? kindId.startsWith(pattern.slice(0, -1)) : pattern === kindId;
}
