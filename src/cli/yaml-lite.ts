/**
 * A reader for the plain YAML Wharf writes (wharf.yaml, server.yaml): block mappings, block lists of
 * scalars, plain and simply quoted scalars, comments. Commands that only call the admin API read the
 * environment with it instead of loading the `yaml` package (~50 ms). Anything outside that subset
 * (flow collections, anchors, block scalars, tags, multi-document, escapes, floats...) answers
 * `undefined` and the caller reads the file with `yaml` as before, so no document is read differently.
 */

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

class Unsupported extends Error {}

interface Line {
  indent: number;
  text: string;
}

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** Drops a comment (` #...`) outside quotes; refuses what it cannot be sure of. */
function withoutComment(text: string): string {
  if (text.startsWith('#')) return '';
  const hash = text.search(/\s#/);
  const cut = hash < 0 ? text : text.slice(0, hash);
  return cut.trimEnd();
}

function scalar(raw: string): Value {
  const s = raw.trim();
  if (s.startsWith("'")) {
    if (!/^'([^']|'')*'$/.test(s)) throw new Unsupported();
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s.startsWith('"')) {
    if (!/^"[^"\\]*"$/.test(s)) throw new Unsupported();
    return s.slice(1, -1);
  }
  if (NULLS.has(s)) return null;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  if (/^[-+]?[0-9]+$/.test(s)) {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw new Unsupported();
    return n;
  }
  // Other numbers (floats, 0x, 0o, .inf), indicators and `key: value` inside a value: left to `yaml`.
  const numberLike = /^[-+]?\.?[0-9]/.test(s) || /^[-+]?\.(inf|nan)$/i.test(s);
  if (numberLike && !/^[0-9]+(\.[0-9]+){2,}$/.test(s)) throw new Unsupported(); // 127.0.0.1 is a string
  if (/^[[\]{}&*!|>%@`,?]/.test(s) || /^-(\s|$)/.test(s) || /:(\s|$)/.test(s) || s.includes('\t'))
    throw new Unsupported();
  return s;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*\t/.test(raw)) throw new Unsupported();
    const indent = raw.length - raw.trimStart().length;
    const body = withoutComment(raw.trimStart());
    if (body === '') continue;
    if (indent === 0 && (body.startsWith('---') || body.startsWith('...') || body.startsWith('%')))
      throw new Unsupported();
    out.push({ indent, text: body });
  }
  return out;
}

function block(ls: Line[], at: { i: number }, indent: number): Value {
  const first = ls[at.i];
  if (!first || first.indent !== indent) throw new Unsupported();
  if (/^-(\s|$)/.test(first.text)) {
    const list: Value[] = [];
    while (at.i < ls.length && ls[at.i]!.indent === indent && /^-(\s|$)/.test(ls[at.i]!.text)) {
      const item = ls[at.i]!.text.slice(1).trim();
      if (item === '') throw new Unsupported();
      list.push(scalar(item));
      at.i++;
    }
    return list;
  }
  const map: { [key: string]: Value } = {};
  while (at.i < ls.length && ls[at.i]!.indent === indent) {
    const { text } = ls[at.i]!;
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*):(?:\s+(.*))?$/.exec(text);
    if (!m) throw new Unsupported();
    const key = m[1]!;
    if (Object.prototype.hasOwnProperty.call(map, key) || key === '__proto__') throw new Unsupported();
    at.i++;
    const rest = m[2] ?? '';
    if (rest !== '') {
      map[key] = scalar(rest);
      continue;
    }
    const next = ls[at.i];
    if (next && next.indent > indent) map[key] = block(ls, at, next.indent);
    else if (next && next.indent === indent && /^-(\s|$)/.test(next.text)) map[key] = block(ls, at, indent);
    else map[key] = null;
  }
  return map;
}

/** The document's value, or undefined when it is not plain enough to read without `yaml`. */
export function parsePlainYaml(text: string): Value | undefined {
  try {
    const ls = lines(text);
    if (ls.length === 0) return null;
    const at = { i: 0 };
    const v = block(ls, at, ls[0]!.indent);
    if (at.i !== ls.length) return undefined;
    return v;
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
