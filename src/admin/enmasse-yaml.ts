/**
 * The enmasse file format (docs/enmasse.md), shared by the CLI (`wharf enmasse`) and the admin API
 * (`enmasse/export?format=yaml`, `enmasse/import {yaml}`): object kinds as nested keys, a list of
 * objects under each, camelCase fields, references by name, secrets as `${ENV_VAR}` placeholders.
 *
 *   channels:
 *     http:
 *       - name: invoice-dispatcher
 *         urlPath: /invoice.dispatcher
 *         service: invoice.dispatcher
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node, type Pair } from 'yaml';
import { allKinds, findKind } from '../config/registry.js';
import { entrySpecs, recordOf, secretKeys } from '../config/secrets.js';
import { PLACEHOLDER_RE } from './config-ops.js';
import type { ExportedObject, ImportItem } from './enmasse-ops.js';

const PLACEHOLDER_ANY = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface YamlProblem {
  /** 1-based line in the file; undefined when the parser could not tell. */
  line: number | undefined;
  message: string;
}

/** The file cannot be imported: every problem found, each with its line. */
export class EnmasseYamlError extends Error {
  constructor(readonly problems: YamlProblem[]) {
    super(problems.map((p) => `${p.line ?? '?'}: ${p.message}`).join('\n'));
    this.name = 'EnmasseYamlError';
  }
}

function keyOf(p: Pair): string {
  return isScalar(p.key) ? String(p.key.value) : String(p.key);
}

/** Replaces `${VAR}` from `env`; unset ones stay only in secret fields (the server keeps the stored secret). */
function substitute(value: unknown, secret: boolean, env: NodeJS.ProcessEnv, where: string, line: number, problems: YamlProblem[]): unknown {
  if (typeof value === 'string') {
    if (secret && PLACEHOLDER_RE.test(value)) {
      const name = PLACEHOLDER_RE.exec(value)![1]!;
      return env[name] ?? value;
    }
    return value.replace(PLACEHOLDER_ANY, (m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        problems.push({ line, message: `${where}: environment variable ${name} is not set` });
        return m;
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, false, env, where, line, problems));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, false, env, where, line, problems);
    return out;
  }
  return value;
}

/** Parses an enmasse document into import items (with their lines); throws EnmasseYamlError. */
export function parseEnmasseYaml(text: string, env: NodeJS.ProcessEnv): ImportItem[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const line = (n: Node | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 0);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new EnmasseYamlError([{ line: e.linePos?.[0].line, message: e.message.split('\n')[0]! }]);
  }
  const items: ImportItem[] = [];
  const problems: YamlProblem[] = [];
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return items;
  if (!isMap(root)) throw new EnmasseYamlError([{ line: 1, message: 'expected a mapping of object kinds (e.g. channels: { http: [...] })' }]);
  const known = allKinds().map((k) => k.id);
  for (const top of root.items) {
    const group = keyOf(top);
    if (!isMap(top.value)) {
      problems.push({ line: line(top.key as Node), message: `\`${group}\` must map kinds to lists (known kinds: ${known.join(', ')})` });
      continue;
    }
    for (const sub of top.value.items) {
      const kindId = `${group}.${keyOf(sub)}`;
      const at = line(sub.key as Node);
      const kind = findKind(kindId);
      if (!kind) {
        problems.push({ line: at, message: `unknown object kind \`${kindId}\` (known: ${known.join(', ')})` });
        continue;
      }
      if (!isSeq(sub.value)) {
        problems.push({ line: at, message: `\`${kindId}\` must be a list of objects` });
        continue;
      }
      for (const el of sub.value.items) {
        const elLine = line(el as Node);
        if (!isMap(el)) {
          problems.push({ line: elLine, message: `each ${kind.title} must be a mapping of fields` });
          continue;
        }
        const raw = el.toJS(doc) as Record<string, unknown>;
        const data: Record<string, unknown> = {};
        const entries = entrySpecs(kind.secrets);
        for (const [f, v] of Object.entries(raw)) {
          const where = `${kind.title} \`${String(raw['name'] ?? '?')}\`, field ${f}`;
          const spec = entries.find((e) => e.field === f);
          const rec = spec ? recordOf(v) : undefined;
          if (spec && rec) {
            // Secret entries (e.g. headers named in secretHeaders) keep an unset placeholder, like secret fields.
            const keys = secretKeys(raw, spec);
            data[f] = Object.fromEntries(Object.entries(rec).map(([k, x]) => [k, substitute(x, keys.has(k.toLowerCase()), env, `${where}.${k}`, elLine, problems)]));
          } else data[f] = substitute(v, kind.secrets?.includes(f) ?? false, env, where, elLine, problems);
        }
        items.push({ kind: kindId, data, line: elLine });
      }
    }
  }
  if (problems.length > 0) throw new EnmasseYamlError(problems);
  return items;
}

/** Exported objects as the nested YAML document, in kind order, after `header` (comment lines). */
export function renderEnmasseYaml(objects: ExportedObject[], header: string): string {
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

/** The header the CLI and the admin API put above an export. */
export const exportHeader = (cluster: string): string => `# Wharf enmasse export of cluster ${cluster}\n`;
