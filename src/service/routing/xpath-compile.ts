/**
 * Parses the XPath subset used for content-based routing into steps the streaming matcher runs:
 *
 *   path     := ('/' | '//')? step (('/' | '//') step)*  [ ('=' | '!=') literal ]
 *   step     := name-test predicate* | '.' | '@' name-test | 'text()'      (@ and text() last only)
 *   name-test:= '*' | prefix ':' '*' | prefix ':' local | local
 *   predicate:= '[' integer ']' | '[' '@' name-test [ ('=' | '!=') literal ] ']'
 *
 * Prefixes resolve through the `namespaces` map given with the expression (the document may use other
 * prefixes); an unprefixed name means "no namespace", or `namespaces['']` when that is set.
 */
import { WharfError } from '../../errors.js';

export interface NameTest {
  /** Local name, or `*`. */
  local: string;
  /** Namespace URI to match; null = no namespace; undefined = any namespace. */
  ns: string | null | undefined;
}

export type Predicate =
  { kind: 'position'; n: number; slot: number } | { kind: 'attr'; test: NameTest; op?: '=' | '!='; value?: string };

export interface ElementStep {
  /** Preceded by `//`: matches at any depth below the previous step's element. */
  descendant: boolean;
  test: NameTest;
  predicates: Predicate[];
}

export type Tail = { kind: 'none' } | { kind: 'text' } | { kind: 'attr'; test: NameTest };

export interface Comparison {
  op: '=' | '!=';
  /** A string literal, or a number (compared numerically, as XPath does). */
  value: string | number;
}

export interface CompiledXPath {
  steps: ElementStep[];
  tail: Tail;
  comparison?: Comparison;
  /** How many positional predicates exist (counter slots per element). */
  positionSlots: number;
}

export type Namespaces = Readonly<Record<string, string>>;

type Token =
  | {
      t: 'slash' | 'dslash' | 'lbr' | 'rbr' | 'at' | 'eq' | 'neq' | 'dot' | 'star' | 'lpar' | 'rpar' | 'colon';
      pos: number;
    }
  | { t: 'name'; v: string; pos: number }
  | { t: 'num'; v: number; pos: number }
  | { t: 'str'; v: string; pos: number };

const NAME_START = /[A-Za-z_\u00C0-\uFFFF]/;
const NAME_CHAR = /[\w.\-\u00B7\u00C0-\uFFFF]/;

function fail(expr: string, reason: string, pos?: number): never {
  throw new WharfError('WHARF_ERR_CONFIG_INVALID', [
    `Invalid XPath \`${expr}\`: ${reason}${pos === undefined ? '' : ` (at position ${pos + 1})`}`,
  ]);
}

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const pos = i;
    if (c === '/') {
      if (expr[i + 1] === '/') {
        out.push({ t: 'dslash', pos });
        i += 2;
      } else {
        out.push({ t: 'slash', pos });
        i++;
      }
    } else if (c === '[') {
      out.push({ t: 'lbr', pos });
      i++;
    } else if (c === ']') {
      out.push({ t: 'rbr', pos });
      i++;
    } else if (c === '@') {
      out.push({ t: 'at', pos });
      i++;
    } else if (c === '=') {
      out.push({ t: 'eq', pos });
      i++;
    } else if (c === '!' && expr[i + 1] === '=') {
      out.push({ t: 'neq', pos });
      i += 2;
    } else if (c === '*') {
      out.push({ t: 'star', pos });
      i++;
    } else if (c === '(') {
      out.push({ t: 'lpar', pos });
      i++;
    } else if (c === ')') {
      out.push({ t: 'rpar', pos });
      i++;
    } else if (c === ':') {
      if (expr[i + 1] === ':') fail(expr, 'axes (`::`) are not supported; use `/`, `//` and `@`', pos);
      out.push({ t: 'colon', pos });
      i++;
    } else if (c === '"' || c === "'") {
      const end = expr.indexOf(c, i + 1);
      if (end === -1) fail(expr, 'unterminated string literal', pos);
      out.push({ t: 'str', v: expr.slice(i + 1, end), pos });
      i = end + 1;
    } else if (c === '.' && !/[0-9]/.test(expr[i + 1] ?? '')) {
      if (expr[i + 1] === '.') fail(expr, '`..` (parent) is not supported', pos);
      out.push({ t: 'dot', pos });
      i++;
    } else if (/[0-9.]/.test(c) || (c === '-' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < expr.length && /[0-9.]/.test(expr[j]!)) j++;
      const v = Number(expr.slice(i, j));
      if (!Number.isFinite(v)) fail(expr, `bad number \`${expr.slice(i, j)}\``, pos);
      out.push({ t: 'num', v, pos });
      i = j;
    } else if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < expr.length && NAME_CHAR.test(expr[j]!)) j++;
      out.push({ t: 'name', v: expr.slice(i, j), pos });
      i = j;
    } else fail(expr, `unexpected \`${c}\``, pos);
  }
  return out;
}

class Parser {
  private i = 0;
  positionSlots = 0;

  constructor(
    private readonly expr: string,
    private readonly toks: Token[],
    private readonly ns: Namespaces,
  ) {}

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  private next(): Token | undefined {
    return this.toks[this.i++];
  }

  private err(reason: string, tok?: Token): never {
    fail(this.expr, reason, tok?.pos ?? this.expr.length);
  }

  private resolve(prefix: string | undefined, forAttr: boolean, tok: Token): string | null {
    if (prefix === undefined) return forAttr ? null : (this.ns[''] ?? null);
    if (prefix === 'xml') return 'http://www.w3.org/XML/1998/namespace';
    const uri = this.ns[prefix];
    if (uri === undefined) this.err(`prefix \`${prefix}\` is not in the namespaces given with the expression`, tok);
    return uri;
  }

  /** name-test after an optional `@`. */
  private nameTest(forAttr: boolean): NameTest {
    const tok = this.next();
    if (!tok) this.err('a name is missing at the end');
    if (tok.t === 'star') return { local: '*', ns: undefined };
    if (tok.t !== 'name') this.err('expected a name', tok);
    if (this.peek()?.t === 'colon') {
      this.i++;
      const after = this.next();
      const ns = this.resolve(tok.v, forAttr, tok);
      if (after?.t === 'star') return { local: '*', ns };
      if (after?.t !== 'name') this.err('expected a local name after the prefix', after);
      return { local: after.v, ns };
    }
    return { local: tok.v, ns: this.resolve(undefined, forAttr, tok) };
  }

  private literal(): string | number {
    const tok = this.next();
    if (tok?.t === 'str' || tok?.t === 'num') return tok.v;
    this.err('expected a string or number literal', tok);
  }

  private predicate(): Predicate {
    const tok = this.peek();
    if (tok?.t === 'num') {
      this.i++;
      if (!Number.isInteger(tok.v) || tok.v < 1) this.err('a position must be an integer ≥ 1', tok);
      return { kind: 'position', n: tok.v, slot: this.positionSlots++ };
    }
    if (tok?.t === 'at') {
      this.i++;
      const test = this.nameTest(true);
      const op = this.peek();
      if (op?.t === 'eq' || op?.t === 'neq') {
        this.i++;
        return { kind: 'attr', test, op: op.t === 'eq' ? '=' : '!=', value: String(this.literal()) };
      }
      return { kind: 'attr', test };
    }
    if (tok?.t === 'name' && tok.v === 'last') this.err('`last()` is not supported by the streaming matcher', tok);
    this.err("unsupported predicate (supported: [n], [@attr], [@attr='value'])", tok);
  }

  parse(): CompiledXPath {
    const steps: ElementStep[] = [];
    let tail: Tail = { kind: 'none' };
    let descendant = false;
    const first = this.peek();
    if (!first) this.err('the expression is empty');
    if (first.t === 'slash') this.i++;
    else if (first.t === 'dslash') {
      this.i++;
      descendant = true;
    }
    for (;;) {
      const tok = this.peek();
      if (!tok) this.err('a step is missing at the end');
      if (tail.kind !== 'none') this.err('`@attr` and `text()` must be the last step', tok);
      if (tok.t === 'dot') {
        if (descendant) this.err('`//.` is not supported; name the element', tok);
        this.i++;
      } else if (tok.t === 'at') {
        this.i++;
        const test = this.nameTest(true);
        if (descendant) steps.push({ descendant: true, test: { local: '*', ns: undefined }, predicates: [] });
        tail = { kind: 'attr', test };
        descendant = false;
      } else if (tok.t === 'name' && this.toks[this.i + 1]?.t === 'lpar') {
        if (tok.v !== 'text') this.err(`function \`${tok.v}()\` is not supported (only text())`, tok);
        this.i += 2;
        if (this.next()?.t !== 'rpar') this.err('expected `)` after text(', tok);
        if (descendant) steps.push({ descendant: true, test: { local: '*', ns: undefined }, predicates: [] });
        tail = { kind: 'text' };
        descendant = false;
      } else if (tok.t === 'name' || tok.t === 'star') {
        const test = this.nameTest(false);
        const predicates: Predicate[] = [];
        while (this.peek()?.t === 'lbr') {
          this.i++;
          predicates.push(this.predicate());
          if (this.next()?.t !== 'rbr') this.err('expected `]`', this.toks[this.i - 1]);
        }
        steps.push({ descendant, test, predicates });
        descendant = false;
      } else this.err('expected a step (a name, `*`, `.`, `@name` or `text()`)', tok);
      const sep = this.peek();
      if (sep?.t === 'slash' || sep?.t === 'dslash') {
        this.i++;
        descendant = descendant || sep.t === 'dslash';
        continue;
      }
      break;
    }
    if (steps.length === 0) this.err('the expression selects no element');
    if (steps.length > 30) this.err('more than 30 steps');
    let comparison: Comparison | undefined;
    const op = this.peek();
    if (op?.t === 'eq' || op?.t === 'neq') {
      this.i++;
      comparison = { op: op.t === 'eq' ? '=' : '!=', value: this.literal() };
    }
    const rest = this.peek();
    if (rest) this.err(`unexpected \`${this.expr.slice(rest.pos, rest.pos + 10)}\``, rest);
    return { steps, tail, positionSlots: this.positionSlots, ...(comparison ? { comparison } : {}) };
  }
}

export function compileXPath(expr: string, namespaces: Namespaces = {}): CompiledXPath {
  if (typeof expr !== 'string') fail(String(expr), 'not a string');
  return new Parser(expr, tokenize(expr), namespaces).parse();
}
