/**
 * The kind registry: maps kind ids to their declarations. Kinds register themselves from
 * `src/kinds.ts`, the one place that lists every built-in kind; the core never imports one directly.
 */
import { WharfError } from '../errors.js';
import type { ConfigObject, ObjectKind } from './kind.js';

const kinds = new Map<string, ObjectKind>();

export function registerKind<T extends ConfigObject>(kind: ObjectKind<T>): ObjectKind<T> {
  if (kinds.has(kind.id)) throw new Error(`kind ${kind.id} registered twice`);
  kinds.set(kind.id, kind as unknown as ObjectKind);
  return kind;
}

export function getKind(id: string): ObjectKind {
  const k = kinds.get(id);
  if (!k) throw new WharfError('WHARF_ERR_UNKNOWN_KIND', [id]);
  return k;
}

export function findKind(id: string): ObjectKind | undefined {
  return kinds.get(id);
}

/** Kinds in registration order (the order enmasse writes them). */
export function allKinds(): readonly ObjectKind[] {
  return [...kinds.values()];
}
