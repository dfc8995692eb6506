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

/** The field names of a kind whose schema is an object (undefined when it is not). */
function fieldNames(schema: unknown): string[] | undefined {
  const shape = (schema as { shape?: unknown }).shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : undefined;
}

/** Edit distance (Levenshtein), for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known name `word` most likely misspells: same letters in another case, else a close one. */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase().replace(/[-_]/g, '');
  const same = known.find((k) => k.toLowerCase().replace(/[-_]/g, '') === lower);
  if (same) return same;
  let best: string | undefined;
  let bestD = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d <= bestD && (best === undefined || d < bestD)) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

const columnOf = (l: string): number => l.length - l.trimStart().length + 1;
/** Column of the key on a line (after a `- ` sequence indicator), 1-based. */
const keyColumnOf = (l: string): number => {
  const m = /^(\s*(?:-\s+)*)/.exec(l);
  return (m?.[1]?.length ?? 0) + 1;
};

/** A YAML syntax error in Wharf's words: what is wrong, on which line, shown. */
function syntaxProblem(
  text: string,
  e: { code: string; message: string; linePos?: [{ line: number; col: number }, ...unknown[]] },
): YamlProblem {
  const lines = text.split(/\r?\n/);
  let at = e.linePos?.[0].line;
  const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const show = (n: number): string => `\`${lines[n - 1]!.trim()}\``;
  const previousContent = (n: number): number | undefined => {
    for (let i = n - 1; i >= 1; i--) if (lines[i - 1]!.trim() !== '' && !lines[i - 1]!.trim().startsWith('#')) return i;
    return undefined;
  };
  if (at === undefined) return { line: undefined, message: `not valid YAML: ${first}` };
  if (e.code === 'TAB_AS_INDENT') return { line: at, message: 'a tab indents this line: indent with spaces only' };
  if (e.code === 'DUPLICATE_KEY')
    return {
      line: at,
      message: `\`${lines[at - 1]!.trim().replace(/^-\s+/, '').split(':')[0]!}\` appears twice in the same object or list`,
    };
  const indentation =
    e.code === 'BAD_INDENT' ||
    e.code === 'BLOCK_AS_IMPLICIT_KEY' ||
    e.code === 'MULTILINE_IMPLICIT_KEY' ||
    (e.code === 'MISSING_CHAR' && /without - indicator/.test(first));
  if (indentation && lines[at - 1] !== undefined) {
    // An over-indented line is reported on the line above it (as a multi-line key): name the line itself.
    if (
      (e.code === 'BLOCK_AS_IMPLICIT_KEY' || e.code === 'MULTILINE_IMPLICIT_KEY') &&
      lines[at] !== undefined &&
      columnOf(lines[at]!) > keyColumnOf(lines[at - 1]!)
    )
      at += 1;
    const prev = previousContent(at);
    if (lines[at - 1]!.trim() !== '' && prev !== undefined) {
      return {
        line: at,
        message: `bad indentation: ${show(at)} starts at column ${columnOf(lines[at - 1]!)}, the line above (${show(prev)}) at column ${keyColumnOf(lines[prev - 1]!)}; the fields of one object start at the same column (under its \`- \`)`,
      };
    }
    return { line: at, message: `bad indentation: ${first}` };
  }
  return { line: at, message: `not valid YAML: ${first}` };
}

/** Replaces `${VAR}` from `env`; unset ones stay only in secret fields (the server keeps the stored secret). */
function substitute(
  value: unknown,
  secret: boolean,
  env: NodeJS.ProcessEnv,
  where: string,
  line: number,
  problems: YamlProblem[],
): unknown {
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
  if (doc.errors.length > 0) throw new EnmasseYamlError([syntaxProblem(text, doc.errors[0]!)]);
  const items: ImportItem[] = [];
  const problems: YamlProblem[] = [];
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return items;
  if (!isMap(root))
    throw new EnmasseYamlError([
      { line: 1, message: 'expected a mapping of object kinds (e.g. channels: { http: [...] })' },
    ]);
  const known = allKinds().map((k) => k.id);
  for (const top of root.items) {
    const group = keyOf(top);
    if (!isMap(top.value)) {
      const groups = [...new Set(known.map((k) => k.slice(0, k.indexOf('.'))))];
      const hint = groups.includes(group) ? undefined : didYouMean(group, groups);
      problems.push({
        line: line(top.key as Node),
        message: hint
          ? `unknown group \`${group}\` (did you mean \`${hint}\`?)`
          : `\`${group}\` must map kinds to lists (known kinds: ${known.join(', ')})`,
      });
      continue;
    }
    for (const kindPair of top.value.items) {
      const kindId = `${group}.${keyOf(kindPair)}`;
      const at = line(kindPair.key as Node);
      const kind = findKind(kindId);
      if (!kind) {
        const sameGroup = known.filter((k) => k.startsWith(`${group}.`)).map((k) => k.slice(group.length + 1));
        const sub = sameGroup.length > 0 ? didYouMean(keyOf(kindPair), sameGroup) : undefined;
        // A known group: a kind of it; an unknown group (`chanels`): the whole id.
        const hint =
          sameGroup.length > 0 ? (sub !== undefined ? `${group}.${sub}` : undefined) : didYouMean(kindId, known);
        problems.push({
          line: at,
          message: `unknown object kind \`${kindId}\`${hint ? ` (did you mean \`${hint}\`?)` : ''} (known: ${known.join(', ')})`,
        });
        continue;
      }
      if (!isSeq(kindPair.value)) {
        problems.push({ line: at, message: `\`${kindId}\` must be a list of objects` });
        continue;
      }
      for (const el of kindPair.value.items) {
        const elLine = line(el as Node);
        if (!isMap(el)) {
          problems.push({ line: elLine, message: `each ${kind.title} must be a mapping of fields` });
          continue;
        }
        const raw = el.toJS(doc) as Record<string, unknown>;
        const fields = fieldNames(kind.schema);
        if (fields) {
          for (const pair of el.items) {
            const f = keyOf(pair);
            if (fields.includes(f)) continue;
            const hint = didYouMean(f, fields);
            problems.push({
              line: line(pair.key as Node) || elLine,
              message: `${kind.title} \`${String(raw['name'] ?? '?')}\`: unknown field \`${f}\`${hint ? ` (did you mean \`${hint}\`?)` : ` (fields: ${fields.join(', ')})`}`,
            });
          }
        }
        const data: Record<string, unknown> = {};
        const entries = entrySpecs(kind.secrets);
        for (const [f, v] of Object.entries(raw)) {
          const where = `${kind.title} \`${String(raw['name'] ?? '?')}\`, field ${f}`;
          const spec = entries.find((e) => e.field === f);
          const rec = spec ? recordOf(v) : undefined;
          if (spec && rec) {
            // Secret entries (e.g. headers named in secretHeaders) keep an unset placeholder, like secret fields.
            const keys = secretKeys(raw, spec);
            data[f] = Object.fromEntries(
              Object.entries(rec).map(([k, x]) => [
                k,
                substitute(x, keys.has(k.toLowerCase()), env, `${where}.${k}`, elLine, problems),
              ]),
            );
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
