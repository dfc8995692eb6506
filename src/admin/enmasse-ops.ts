/**
 * enmasse on the server side: import many objects in one transaction (all or nothing), in kind
 * order so references resolve; export everything with secrets replaced by `${ENV_VAR}` placeholders.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ConfigObject } from '../config/kind.js';
import { allKinds, findKind } from '../config/registry.js';
import {
  entrySpecs,
  maskFields,
  openFields,
  recordOf,
  sealFields,
  secretKeys,
  type SecretBox,
} from '../config/secrets.js';
import { WharfError } from '../errors.js';
import type { OdbWriter } from '../odb/odb.js';
import { validate } from './config-ops.js';

export interface ImportItem {
  kind: string;
  data: Record<string, unknown>;
  /** Where the object starts in the client's file, echoed back in problems. */
  line?: number;
}

export type PlanAction = 'create' | 'edit' | 'unchanged';

export interface PlanEntry {
  kind: string;
  name: string;
  action: PlanAction;
  line?: number;
  /** For edits: the fields that change. */
  fields?: string[];
  /** For edits: each changed field's stored and new value (secret values masked). */
  diff?: Array<{ field: string; from: unknown; to: unknown }>;
}

export interface ImportProblem {
  kind: string;
  name: string;
  line?: number;
  message: string;
}

export class DryRunRollback extends Error {
  constructor(readonly plan: PlanEntry[]) {
    super('dry run');
  }
}

/** `${KIND}_${NAME}_${FIELD}` upper-cased, for the export's secret placeholders. */
export function placeholderName(kindId: string, name: string, field: string): string {
  return `WHARF_${kindId.replace(/^[a-z]+\./, '')}_${name}_${field}`
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .toUpperCase();
}

function kindOrder(kindId: string): number {
  const i = allKinds().findIndex((k) => k.id === kindId);
  return i === -1 ? Number.MAX_SAFE_INTEGER : i;
}

export async function importObjects(
  w: OdbWriter,
  items: ImportItem[],
  opts: { replace: boolean },
  box: SecretBox,
): Promise<PlanEntry[]> {
  const problems: ImportProblem[] = [];
  const plan: PlanEntry[] = [];
  const pending = new Map<string, ConfigObject>();
  const seen = new Set<string>();
  const ordered = items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => kindOrder(a.it.kind) - kindOrder(b.it.kind) || a.i - b.i);
  // Register every incoming name first so references between imported objects resolve.
  for (const { it } of ordered) {
    if (typeof it.data['name'] !== 'string') continue;
    const parsed = findKind(it.kind)?.schema.safeParse(it.data);
    pending.set(
      `${it.kind}/${it.data['name']}`,
      parsed?.success
        ? (parsed.data as ConfigObject)
        : ({ active: true, ...it.data, name: it.data['name'] } as ConfigObject),
    );
  }
  for (const { it } of ordered) {
    const name = String(it.data['name'] ?? '');
    const at = it.line === undefined ? {} : { line: it.line };
    const kind = findKind(it.kind);
    if (!kind) {
      problems.push({ kind: it.kind, name, ...at, message: `unknown object kind \`${it.kind}\`` });
      continue;
    }
    const key = `${it.kind}/${name}`;
    if (seen.has(key)) {
      problems.push({ kind: it.kind, name, ...at, message: `${kind.title} \`${name}\` appears twice in the file` });
      continue;
    }
    seen.add(key);
    try {
      const stored = name ? await w.getObject(it.kind, name) : undefined;
      const obj = await validate(w, kind, it.data, stored, box, pending);
      pending.set(key, obj);
      if (!stored) {
        await w.putObject(it.kind, obj.name, sealFields(box, obj, kind.secrets));
        plan.push({ kind: it.kind, name: obj.name, action: 'create', ...at });
        continue;
      }
      const current = kind.schema.parse(openFields(box, stored.data, kind.secrets)) as ConfigObject;
      const changed = Object.keys({ ...current, ...obj }).filter((f) => !isDeepStrictEqual(current[f], obj[f]));
      if (changed.length === 0) {
        plan.push({ kind: it.kind, name: obj.name, action: 'unchanged', ...at });
        continue;
      }
      if (!opts.replace) {
        problems.push({
          kind: it.kind,
          name,
          ...at,
          message: `${kind.title} \`${name}\` already exists and differs in ${changed.join(', ')} (use --replace to overwrite)`,
        });
        continue;
      }
      await w.putObject(it.kind, obj.name, sealFields(box, obj, kind.secrets));
      const was = maskFields(current, kind.secrets);
      const now = maskFields(obj, kind.secrets);
      const diff = changed.map((field) => ({ field, from: was[field] ?? null, to: now[field] ?? null }));
      plan.push({ kind: it.kind, name: obj.name, action: 'edit', fields: changed, diff, ...at });
    } catch (e) {
      problems.push({ kind: it.kind, name, ...at, message: e instanceof Error ? e.message : String(e) });
    }
  }
  if (problems.length > 0) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const text = problems.map((p) => `${p.line === undefined ? '' : `line ${p.line}: `}${p.message}`).join('\n');
    throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`enmasse import refused, nothing was changed:\n${text}`], {
      details: { problems },
    });
  }
  return plan;
}

export interface ExportedObject {
  kind: string;
  data: Record<string, unknown>;
}

/** Every object, kinds in registration order, names sorted, fields in schema order, secrets as placeholders. */
export async function exportObjects(
  w: OdbWriter | { listObjects(): Promise<Array<{ kind: string; name: string; data: Record<string, unknown> }>> },
  box: SecretBox,
): Promise<ExportedObject[]> {
  const out: ExportedObject[] = [];
  const rows = await w.listObjects();
  for (const kind of allKinds()) {
    const fields = Object.keys((kind.schema as unknown as { shape?: Record<string, unknown> }).shape ?? {});
    for (const row of rows.filter((r) => r.kind === kind.id).sort((a, b) => a.name.localeCompare(b.name))) {
      const parsed = kind.schema.safeParse(openFields(box, row.data, kind.secrets));
      const src = (parsed.success ? parsed.data : row.data) as Record<string, unknown>;
      const data: Record<string, unknown> = {};
      for (const f of fields.length ? fields : Object.keys(src)) {
        if (src[f] === undefined) continue;
        data[f] = kind.secrets?.includes(f) ? `\${${placeholderName(kind.id, row.name, f)}}` : src[f];
      }
      for (const spec of entrySpecs(kind.secrets)) {
        const rec = recordOf(data[spec.field]);
        if (!rec) continue;
        const keys = secretKeys(src, spec);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(rec))
          out[k] =
            keys.has(k.toLowerCase()) && v !== ''
              ? `\${${placeholderName(kind.id, row.name, `${spec.field}_${k}`)}}`
              : v;
        data[spec.field] = out;
      }
      out.push({ kind: kind.id, data });
    }
  }
  return out;
}
