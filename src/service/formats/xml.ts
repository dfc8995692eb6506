/**
 * Safe XML for requests and responses: DTDs and entity declarations are refused before parsing
 * (XXE, billion laughs), well-formedness is checked with a line number, nesting is bounded.
 * Element local names are kept (namespace prefixes dropped) so SimpleIO sees `<m:id>` as `id`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WharfError } from '../../errors.js';
import { checkDepth } from './depth.js';
import { decodeEntities } from '../routing/xpath-scan.js';

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  preserveOrder: false,
});

const DTD_RE = /<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

/** fast-xml-parser's validator messages in plain words (a truncated body says so). */
export function validatorWords(msg: string): string {
  const open = /^Invalid '\[(.*)\]' found\.$/s.exec(msg);
  if (open) {
    const tags = [...open[1]!.matchAll(/"([^"]+)"/g)].map((m) => `</${m[1]!}>`).reverse();
    return `the body ends before ${tags.join(', ')} (truncated?)`;
  }
  let m = /^Closing tag '([^']+)' doesn't have proper closing\.$/.exec(msg);
  if (m) return `the closing tag </${m[1]!} has no \`>\` (truncated?)`;
  m = /^Unclosed tag '([^']+)'\.$/.exec(msg);
  if (m) return `the tag <${m[1]!} is not closed (truncated?)`;
  m = /^Attributes for '([^']+)' have open quote\.$/.exec(msg);
  if (m) return `an attribute of <${m[1]!}> has no closing quote`;
  return msg;
}

/** Parses a whole XML document; returns the root element's name and content. */
export function parseXml(text: string, maxDepth: number, what = 'XML'): { root: string; value: unknown } {
  if (DTD_RE.test(text)) throw new WharfError('WHARF_ERR_DTD_FORBIDDEN');
  const res = XMLValidator.validate(text);
  if (res !== true) {
    throw new WharfError(
      'WHARF_ERR_MALFORMED_BODY',
      [what, `${validatorWords(res.err.msg)} (line ${res.err.line}, column ${res.err.col})`],
      {
        details: { line: res.err.line, column: res.err.col },
      },
    );
  }
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/nested/i.test(msg)) throw new WharfError('WHARF_ERR_TOO_DEEP', [maxDepth]);
    throw new WharfError('WHARF_ERR_MALFORMED_BODY', [what, msg]);
  }
  const keys = Object.keys(doc);
  if (keys.length !== 1) throw new WharfError('WHARF_ERR_MALFORMED_BODY', [what, 'expected exactly one root element']);
  const root = keys[0]!;
  const value = unescapeXml(doc[root]);
  checkDepth(value, maxDepth);
  return { root, value };
}

/** Only the five predefined and numeric character references are decoded; no user entities exist. */
function unescapeXml(v: unknown): unknown {
  if (typeof v === 'string') return decodeEntities(v);
  if (Array.isArray(v)) return v.map(unescapeXml);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = unescapeXml(x);
    return out;
  }
  return v;
}

/** Children of an element as an object; a text-only or empty element has none. */
export function childrenOf(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const NAME_RE = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/;

export function escapeXml(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 60) rep = '&lt;';
    else if (c === 62) rep = '&gt;';
    else if (c === 38) rep = '&amp;';
    else if (c === 34) rep = '&quot;';
    else if (c < 32 && c !== 9 && c !== 10 && c !== 13) rep = '';
    if (rep !== undefined) {
      out += s.slice(last, i) + rep;
      last = i + 1;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

function scalarText(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return escapeXml(String(v));
}

/** Writes `value` as the content of `<name>`: objects become children, arrays repeat the element. */
export function writeElement(name: string, value: unknown, depth = 0): string {
  if (!NAME_RE.test(name)) throw new Error(`\`${name}\` is not a valid XML element name`);
  if (depth > 256) throw new Error('output nests too deep for XML');
  if (Array.isArray(value)) return value.map((x) => writeElement(name, x, depth + 1)).join('');
  if (value === null || value === undefined) return `<${name}/>`;
  if (typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    let inner = '';
    for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
      if (x === undefined) continue;
      inner += writeElement(k, x, depth + 1);
    }
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${scalarText(value)}</${name}>`;
}

export const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n';
