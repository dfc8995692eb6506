/** A description of every kind and its fields (for the CLI, docs and the web admin). */
import type { z } from 'zod';
import type { ObjectKind } from '../config/kind.js';
import { declarationFor } from '../connectors/registry.js';
import type { KindInfo } from './api-types.js';

export type { FieldInfo, KindInfo } from './api-types.js';

type Def = {
  type: string;
  innerType?: ZodLike;
  defaultValue?: unknown;
  entries?: Record<string, string>;
  element?: ZodLike;
  values?: unknown[];
};
type ZodLike = { _zod: { def: Def }; description?: string };

/** Unwraps optional/default/nullable wrappers down to the value type. */
export function fieldType(schema: ZodLike): {
  type: string;
  required: boolean;
  default?: unknown;
  values?: string[];
  description?: string;
} {
  let s: ZodLike = schema;
  let required = true;
  let dflt: unknown;
  let description = schema.description;
  for (;;) {
    const d = s._zod.def;
    if (d.type === 'optional' || d.type === 'nullable') required = false;
    else if (d.type === 'default') {
      required = false;
      dflt = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
    } else if (d.type === 'pipe' || d.type === 'transform') {
      /* keep unwrapping */
    } else break;
    const inner = d.innerType ?? (d as unknown as { in?: ZodLike }).in;
    if (!inner) break;
    s = inner;
    description ??= s.description;
  }
  const d = s._zod.def;
  const values =
    d.type === 'enum' && d.entries
      ? Object.values(d.entries)
      : d.type === 'literal' && d.values
        ? d.values.map(String)
        : undefined;
  const type = d.type === 'array' ? `array<${d.element ? fieldType(d.element).type : 'unknown'}>` : d.type;
  return {
    type,
    required,
    ...(dflt === undefined ? {} : { default: dflt }),
    ...(values ? { values } : {}),
    ...(description ? { description } : {}),
  };
}

export function describeKinds(kinds: readonly ObjectKind[]): KindInfo[] {
  return kinds.map((k) => {
    const shape = (k.schema as unknown as z.ZodObject).shape as Record<string, ZodLike>;
    const fields = Object.entries(shape).map(([name, s]) => {
      const t = fieldType(s);
      // Fields naming a service (every channel kind and scheduler jobs call theirs `service`).
      const ref = k.refs?.[name] ?? (name === 'service' ? 'service' : undefined);
      return { name, ...t, secret: k.secrets?.includes(name) ?? false, ...(ref ? { ref } : {}) };
    });
    return {
      id: k.id,
      title: k.title,
      cli: k.cli,
      cliDefault: k.cliDefault ?? false,
      fields,
      actions: [...(declarationFor(k.id)?.actionNames ?? [])],
    };
  });
}
