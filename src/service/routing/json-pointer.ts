/**
 * RFC 6901 JSON Pointers, precompiled: `jsonPointer('/orders/0/symbol').get(payload)`.
 * Accepts the plain form (`/a/b`) and the URI fragment form (`#/a/b`, percent-decoded). Only own
 * properties are followed (never `__proto__` or inherited members); a missing path gives undefined.
 */
import { WharfError } from '../../errors.js';

export interface JsonPointer {
  readonly pointer: string;
  /** The unescaped reference tokens. */
  readonly tokens: readonly string[];
  /** The value the pointer refers to, or undefined when the path does not exist. */
  get(doc: unknown): unknown;
  /** Whether the path exists (its value may be null). */
  has(doc: unknown): boolean;
}

const INDEX_RE = /^(0|[1-9][0-9]*)$/;

function invalid(pointer: string, reason: string): never {
  throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`Invalid JSON Pointer \`${pointer}\`: ${reason}`]);
}

function parse(pointer: string): string[] {
  let p = pointer;
  if (p.startsWith('#')) {
    try {
      p = decodeURIComponent(p.slice(1));
    } catch {
      invalid(pointer, 'bad percent-encoding');
    }
  }
  if (p === '') return [];
  if (!p.startsWith('/')) invalid(pointer, 'must be empty or start with `/`');
  return p
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) invalid(pointer, `\`${t}\` has a \`~\` not followed by 0 or 1`);
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

const MISSING = Symbol('missing');

function walk(tokens: readonly string[], doc: unknown): unknown {
  let cur: unknown = doc;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (Array.isArray(cur)) {
      if (!INDEX_RE.test(t)) return MISSING;
      const idx = Number(t);
      if (idx >= cur.length) return MISSING;
      cur = cur[idx];
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return MISSING;
      cur = (cur as Record<string, unknown>)[t];
    } else return MISSING;
  }
  return cur;
}

export function jsonPointer(pointer: string): JsonPointer {
  if (typeof pointer !== 'string') invalid(String(pointer), 'not a string');
  const tokens = Object.freeze(parse(pointer));
  return {
    pointer,
    tokens,
    get(doc: unknown): unknown {
      const v = walk(tokens, doc);
      return v === MISSING ? undefined : v;
    },
    has(doc: unknown): boolean {
      return walk(tokens, doc) !== MISSING;
    },
  };
}
