/**
 * The enmasse file format (docs/enmasse.md): object kinds as nested keys, a list of objects under
 * each, camelCase fields, references by name, secrets as `${ENV_VAR}` placeholders.
 *
 *   channels:
 *     http:
 *       - name: invoice-dispatcher
 *         urlPath: /invoice.dispatcher
 *         service: invoice.dispatcher
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node, type Pair } from 'yaml';
import type { ImportItem } from '../admin/enmasse-ops.js';
import type { ExportedObject } from '../admin/enmasse-ops.js';
import { PLACEHOLDER_RE } from '../admin/config-ops.js';
import { allKinds, findKind } from '../config/registry.js';
import { CliError, EXIT } from './exit.js';

const PLACEHOLDER_ANY = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function keyOf(p: Pair): string {
  return isScalar(p.key) ? String(p.key.value) : String(p.key);
}

/** Replaces `${VAR}` from the environment; unset ones stay only in secret fields (the server keeps the stored secret). */
function substitute(value: unknown, secret: boolean, env: NodeJS.ProcessEnv, where: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    if (secret && PLACEHOLDER_RE.test(value)) {
      const name = PLACEHOLDER_RE.exec(value)![1]!;
      return env[name] ?? value;
    }
    return value.replace(PLACEHOLDER_ANY, (m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        problems.push(`${where}: environment variable ${name} is not set`);
        return m;
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, false, env, where, problems));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, false, env, where, problems);
    return out;
  }
  return value;
}

export function parseEnmasse(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ImportItem[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const line = (n: Node | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 0);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new CliError(`${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`, EXIT.INVALID);
  }
  const items: ImportItem[] = [];
  const problems: string[] = [];
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return items;
  if (!isMap(root)) throw new CliError(`${file}:1: expected a mapping of object kinds (e.g. channels: { http: [...] })`, EXIT.INVALID);
  const known = allKinds().map((k) => k.id);
  for (const top of root.items) {
    const group = keyOf(top);
    if (!isMap(top.value)) {
      problems.push(`${file}:${line(top.key as Node)}: \`${group}\` must map kinds to lists (known kinds: ${known.join(', ')})`);
      continue;
    }
    for (const sub of top.value.items) {
      const kindId = `${group}.${keyOf(sub)}`;
      const at = line(sub.key as Node);
      const kind = findKind(kindId);
      if (!kind) {
        problems.push(`${file}:${at}: unknown object kind \`${kindId}\` (known: ${known.join(', ')})`);
        continue;
      }
      if (!isSeq(sub.value)) {
        problems.push(`${file}:${at}: \`${kindId}\` must be a list of objects`);
        continue;
      }
      for (const el of sub.value.items) {
        const elLine = line(el as Node);
        if (!isMap(el)) {
          problems.push(`${file}:${elLine}: each ${kind.title} must be a mapping of fields`);
          continue;
        }
        const raw = el.toJS(doc) as Record<string, unknown>;
        const data: Record<string, unknown> = {};
        for (const [f, v] of Object.entries(raw)) data[f] = substitute(v, kind.secrets?.includes(f) ?? false, env, `${file}:${elLine}: ${kind.title} \`${String(raw['name'] ?? '?')}\`, field ${f}`, problems);
        items.push({ kind: kindId, data, line: elLine });
      }
    }
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'), EXIT.INVALID);
  return items;
}

/** Exported objects as the nested YAML document, in kind order. */
export function renderEnmasse(objects: ExportedObject[], header: string): string {
  const tree: Record<string, Record<string, Array<Record<string, unknown>>>> = {};
  for (const o of objects) {
    const dot = o.kind.indexOf('.');
    const group = o.kind.slice(0, dot);
    const sub = o.kind.slice(dot + 1);
    ((tree[group] ??= {})[sub] ??= []).push(o.data);
  }
  const body = Object.keys(tree).length === 0 ? '{}\n' : stringify(tree, { lineWidth: 0 });
  return `${header}${body}`;
}
