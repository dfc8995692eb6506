/**
 * Admin operations on config objects: validate (zod + references + the kind's own checks), write
 * in one ODB transaction under a new version, then announce. Invalid input → 400 naming the field
 * and the reason, and nothing is written.
 */
import {
  describeIssues,
  matchesKind,
  refValues,
  type CheckContext,
  type ConfigObject,
  type ObjectKind,
} from '../config/kind.js';
import { allKinds, getKind } from '../config/registry.js';
import {
  entrySpecs,
  isEncrypted,
  maskFields,
  MASK,
  openFields,
  recordOf,
  sealFields,
  type SecretBox,
} from '../config/secrets.js';
import { WharfError } from '../errors.js';
import type { OdbWriter, StoredObject } from '../odb/odb.js';

export const PLACEHOLDER_RE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export interface ObjectView {
  kind: string;
  name: string;
  version: number;
  updatedAt: string;
  data: Record<string, unknown>;
}

export function invalid(problems: string[], prefix = ''): WharfError {
  return new WharfError('WHARF_ERR_CONFIG_INVALID', [`${prefix}${problems.join('; ')}`], { details: { problems } });
}

export function view(kind: ObjectKind, o: StoredObject): ObjectView {
  return {
    kind: o.kind,
    name: o.name,
    version: o.version,
    updatedAt: o.updatedAt,
    data: maskFields(o.data, kind.secrets),
  };
}

/** Values the client could not know (masked or unresolved placeholders) keep what is stored. */
function keepStoredSecrets(
  kind: ObjectKind,
  incoming: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
  box: SecretBox,
): string[] {
  const problems: string[] = [];
  const unknown = (v: unknown): v is string => typeof v === 'string' && (v === MASK || PLACEHOLDER_RE.test(v));
  const missing = (path: string, v: string): string => {
    const m = PLACEHOLDER_RE.exec(v);
    return m ? `${path}: environment variable ${m[1]} is not set` : `${path}: a value is required`;
  };
  for (const f of kind.secrets ?? []) {
    if (typeof f !== 'string') continue;
    const v = incoming[f];
    const unresolved = unknown(v);
    if (!unresolved && v !== undefined) continue;
    if (stored && stored[f] !== undefined) incoming[f] = isEncrypted(stored[f]) ? box.decrypt(stored[f]) : stored[f];
    else if (unresolved) problems.push(missing(f, v));
  }
  // Secret entries of a record field (e.g. headers): a masked or placeholder value keeps the stored
  // value of the same key (any case); secret on either side, so un-marking a key keeps its value.
  for (const spec of entrySpecs(kind.secrets)) {
    const rec = recordOf(incoming[spec.field]);
    if (!rec) continue;
    const was = recordOf(stored?.[spec.field]) ?? {};
    const wasByKey = new Map(Object.entries(was).map(([k, v]) => [k.toLowerCase(), v]));
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(rec)) {
      if (!unknown(v)) continue;
      const old = wasByKey.get(k.toLowerCase());
      if (old !== undefined && old !== MASK) (copy ??= { ...rec })[k] = isEncrypted(old) ? box.decrypt(old) : old;
      else problems.push(missing(`${spec.field}.${k}`, v));
    }
    if (copy) incoming[spec.field] = copy;
  }
  return problems;
}

/** Validates an object as it would be stored; returns the parsed object (secrets in clear). */
export async function validate(
  w: OdbWriter,
  kind: ObjectKind,
  data: Record<string, unknown>,
  stored: StoredObject | undefined,
  box: SecretBox,
  pending?: Map<string, ConfigObject>,
): Promise<ConfigObject> {
  const incoming = { ...data };
  const secretProblems = keepStoredSecrets(kind, incoming, stored?.data, box);
  const parsed = kind.schema.safeParse(incoming);
  const problems = parsed.success ? [] : describeIssues(parsed.error);
  problems.push(...secretProblems.filter((p) => !problems.some((q) => q.startsWith(p.split(':')[0]!))));
  if (!parsed.success || problems.length > 0)
    throw invalid(problems, `${kind.title} \`${String(data['name'] ?? '')}\`: `);
  const obj = parsed.data as ConfigObject;
  for (const [field, pattern] of Object.entries(kind.refs ?? {}))
    for (const target of new Set(refValues(obj, field))) {
      const targetKinds = allKinds().filter((k) => matchesKind(pattern, k.id));
      let found = false;
      for (const tk of targetKinds) {
        if (pending?.has(`${tk.id}/${target}`) || (await w.getObject(tk.id, target))) {
          found = true;
          break;
        }
      }
      if (!found) problems.push(`${field}: no ${targetKinds.map((k) => k.title).join(' or ')} named \`${target}\``);
    }
  if (kind.check) {
    const all = await w.listObjects();
    const ctx: CheckContext = {
      // What the kind's objects will be: stored ones, overlaid by those the same import changes.
      list: (kindId) => {
        const byName = new Map<string, ConfigObject>();
        for (const o of all) if (o.kind === kindId) byName.set(o.name, { ...o.data, name: o.name } as ConfigObject);
        for (const [k, v] of pending ?? []) if (k.startsWith(`${kindId}/`)) byName.set(v.name, v);
        if (kindId === kind.id) {
          byName.delete(obj.name);
          if (stored) byName.delete(stored.name);
        }
        return [...byName.values()];
      },
    };
    problems.push(...(kind.check(obj, ctx) ?? []));
  }
  if (problems.length > 0) throw invalid(problems, `${kind.title} \`${obj.name}\`: `);
  return obj;
}

/** Objects of other kinds whose reference fields name `kindId/name`. */
export async function referencesTo(w: OdbWriter, kindId: string, name: string): Promise<string[]> {
  const users: string[] = [];
  for (const k of allKinds()) {
    const refs = Object.entries(k.refs ?? {}).filter(([, pattern]) => matchesKind(pattern, kindId));
    if (refs.length === 0) continue;
    for (const o of await w.listObjects(k.id)) {
      if (refs.some(([field]) => refValues(o.data, field).includes(name))) users.push(`${k.title} \`${o.name}\``);
    }
  }
  return users;
}

export async function createObject(
  w: OdbWriter,
  kindId: string,
  data: Record<string, unknown>,
  box: SecretBox,
): Promise<ConfigObject> {
  const kind = getKind(kindId);
  const name = String(data['name'] ?? '');
  if (name && (await w.getObject(kindId, name))) throw new WharfError('WHARF_ERR_OBJECT_EXISTS', [kind.title, name]);
  const obj = await validate(w, kind, data, undefined, box);
  await w.putObject(kindId, obj.name, sealFields(box, obj, kind.secrets));
  return obj;
}

/**
 * Partial update: fields in `patch` replace stored ones; a field set to `null` is removed (back to
 * its default or empty, secrets too); a `name` in the patch renames.
 */
export async function editObject(
  w: OdbWriter,
  kindId: string,
  name: string,
  patch: Record<string, unknown>,
  box: SecretBox,
): Promise<ConfigObject> {
  const kind = getKind(kindId);
  const found = await w.getObject(kindId, name);
  if (!found) throw new WharfError('WHARF_ERR_OBJECT_NOT_FOUND', [kind.title, name]);
  const removed = Object.keys(patch).filter((k) => patch[k] === null && k !== 'name');
  let stored = found;
  if (removed.length > 0) {
    const data = { ...found.data };
    for (const k of removed) delete data[k];
    stored = { ...found, data };
  }
  const merged: Record<string, unknown> = { ...openFields(box, stored.data, kind.secrets), ...patch };
  for (const k of removed) delete merged[k];
  const newName = String(merged['name'] ?? name);
  if (newName !== name) {
    if (await w.getObject(kindId, newName)) throw new WharfError('WHARF_ERR_OBJECT_EXISTS', [kind.title, newName]);
    const users = await referencesTo(w, kindId, name);
    if (users.length > 0)
      throw new WharfError('WHARF_ERR_OBJECT_IN_USE', [kind.title, name, users.join(', ')], {
        details: { usedBy: users },
      });
  }
  const obj = await validate(w, kind, merged, stored, box);
  if (newName !== name) await w.deleteObject(kindId, name);
  await w.putObject(kindId, obj.name, sealFields(box, obj, kind.secrets));
  return obj;
}

export async function deleteObject(w: OdbWriter, kindId: string, name: string): Promise<void> {
  const kind = getKind(kindId);
  if (!(await w.getObject(kindId, name))) throw new WharfError('WHARF_ERR_OBJECT_NOT_FOUND', [kind.title, name]);
  const users = await referencesTo(w, kindId, name);
  if (users.length > 0)
    throw new WharfError('WHARF_ERR_OBJECT_IN_USE', [kind.title, name, users.join(', ')], {
      details: { usedBy: users },
    });
  await w.deleteObject(kindId, name);
}
