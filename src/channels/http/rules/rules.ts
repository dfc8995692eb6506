/**
 * A channel's `routes`, compiled once per configuration into one function that picks where a request
 * goes. Conditions read a header, a query or path parameter, the first node an XPath selects in the
 * body, or a JSON Pointer into the body; the body is read (bounded by the channel's maxBodySize) only when a
 * rule looks at it, and parsed at most once per request. A body a rule cannot read (malformed XML or
 * JSON) is a 400 naming the problem, never a silent fall-through to another route; an empty one
 * simply has no value.
 */
import { parse as parseQuery } from 'node:querystring';
import { WharfError } from '../../../errors.js';
import type { Headers } from '../../../service/service.js';
import { jsonPointer } from '../../../service/routing/json-pointer.js';
import { xpath } from '../../../service/routing/xpath.js';
import type { RouteCondition, RouteReject, RouteRule } from './schema.js';

export type Decision =
  | { readonly kind: 'proxy'; readonly connection: string; readonly target: string }
  | { readonly kind: 'service'; readonly service: string; readonly target: string }
  | { readonly kind: 'reject'; readonly reject: RouteReject; readonly target: string };

/** What the rules see of a request. `body` is undefined when no rule needs it or there is none. */
export interface RuleInput {
  readonly headers: Headers;
  /** Path parameters of the channel's urlPath. */
  readonly params: Readonly<Record<string, string>>;
  readonly qs: string;
  readonly body: Buffer | undefined;
}

export interface CompiledRules {
  /** Whether some rule looks at the body (so it must be read before deciding). */
  readonly needsBody: boolean;
  decide(req: RuleInput): Decision;
}

/** Per-request memo: the query string, the body's text and the JSON body are made at most once. */
class Scope {
  private query: Record<string, string | string[] | undefined> | undefined;
  private json: { value: unknown } | undefined;
  private text: string | undefined;
  constructor(readonly req: RuleInput) {}

  /** The body as text, or undefined when there is none (an empty body has no value). */
  bodyText(): string | undefined {
    const raw = this.req.body;
    if (raw === undefined || raw.length === 0) return undefined;
    return (this.text ??= raw.toString('utf8'));
  }

  queryParam(name: string): string | string[] | undefined {
    this.query ??= this.req.qs === '' ? {} : parseQuery(this.req.qs);
    return this.query[name];
  }

  jsonBody(): unknown {
    if (!this.json) {
      const text = this.bodyText();
      if (text === undefined) this.json = { value: undefined };
      else {
        try {
          this.json = { value: JSON.parse(text) as unknown };
        } catch (e) {
          throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['JSON', e instanceof Error ? e.message : String(e)]);
        }
      }
    }
    return this.json.value;
  }
}

type Values = string | readonly string[] | undefined;
type Test = (v: string) => boolean;
type Check = (scope: Scope) => boolean;

function asText(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function valueOf(c: RouteCondition): (scope: Scope) => Values {
  if (c.header !== undefined) {
    const name = c.header.toLowerCase();
    return (s) => s.req.headers[name];
  }
  if (c.query !== undefined) {
    const name = c.query;
    return (s) => s.queryParam(name);
  }
  if (c.param !== undefined) {
    const name = c.param;
    return (s) => s.req.params[name];
  }
  if (c.xpath !== undefined) {
    const m = xpath(c.xpath, c.namespaces ?? {});
    return (s) => {
      const text = s.bodyText();
      return text === undefined ? undefined : m.first(text);
    };
  }
  const p = jsonPointer(c.jsonPointer ?? '');
  return (s) => asText(p.get(s.jsonBody()));
}

function testOf(c: RouteCondition): Test | 'exists' | 'absent' {
  if (c.equals !== undefined) {
    const want = c.equals;
    return (v) => v === want;
  }
  if (c.oneOf !== undefined) {
    const set = new Set(c.oneOf);
    return (v) => set.has(v);
  }
  if (c.matches !== undefined) {
    const re = new RegExp(c.matches);
    return (v) => re.test(v);
  }
  return c.exists === false ? 'absent' : 'exists';
}

function compileCondition(c: RouteCondition): Check {
  const check = compileTest(c);
  return c.not ? (s) => !check(s) : check;
}

function compileTest(c: RouteCondition): Check {
  const get = valueOf(c);
  const test = testOf(c);
  if (test === 'exists') return (s) => get(s) !== undefined;
  if (test === 'absent') return (s) => get(s) === undefined;
  return (s) => {
    const v = get(s);
    if (v === undefined) return false;
    if (typeof v === 'string') return test(v);
    return v.some(test);
  };
}

function compileWhen(when: RouteRule['when']): Check | undefined {
  if (when === undefined) return undefined;
  const checks = (Array.isArray(when) ? when : [when]).map(compileCondition);
  if (checks.length === 1) return checks[0];
  return (s) => checks.every((c) => c(s));
}

function decisionOf(rule: Pick<RouteRule, 'proxyTo' | 'service' | 'reject'>): Decision {
  if (rule.proxyTo !== undefined) return { kind: 'proxy', connection: rule.proxyTo, target: `proxy:${rule.proxyTo}` };
  if (rule.service !== undefined) return { kind: 'service', service: rule.service, target: rule.service };
  if (rule.reject !== undefined) return { kind: 'reject', reject: rule.reject, target: 'reject' };
  throw new WharfError('WHARF_ERR_CONFIG_INVALID', ['a rule has exactly one of proxyTo, service, reject']);
}

/**
 * `fallback` is where a request goes when no rule holds: the channel's own proxyTo or service. The
 * channel kind refuses a configuration where neither a fallback nor an unconditional rule exists.
 */
export function compileRules(
  rules: readonly RouteRule[],
  fallback: Pick<RouteRule, 'proxyTo' | 'service'>,
): CompiledRules {
  const compiled = rules.map((r) => ({ check: compileWhen(r.when), decision: decisionOf(r) }));
  const otherwise = fallback.proxyTo !== undefined || fallback.service !== undefined ? decisionOf(fallback) : undefined;
  const needsBody = rules.some((r) =>
    (r.when === undefined ? [] : Array.isArray(r.when) ? r.when : [r.when]).some(
      (c) => c.xpath !== undefined || c.jsonPointer !== undefined,
    ),
  );
  return {
    needsBody,
    decide(req) {
      const scope = new Scope(req);
      for (const r of compiled) if (r.check === undefined || r.check(scope)) return r.decision;
      if (otherwise) return otherwise;
      throw new WharfError('WHARF_ERR_ROUTE_REJECTED', ['No route of this channel takes the request'], { status: 404 });
    },
  };
}

/** Problems with a channel's routes as a whole (each rule is checked by the schema). */
export function routesProblems(rules: readonly RouteRule[], hasDefault: boolean): string[] {
  const problems: string[] = [];
  const open = rules.findIndex((r) => r.when === undefined);
  if (open >= 0 && open < rules.length - 1)
    problems.push(`routes.${open + 1}: never reached: rule ${open} has no \`when\`, so it takes every request`);
  if (open >= 0 && hasDefault)
    problems.push(`routes.${open}: the channel's proxyTo/service is never used: this rule has no \`when\``);
  if (open < 0 && !hasDefault)
    problems.push(
      'routes: a request no rule matches has nowhere to go: end with a rule without `when`, or set proxyTo or service as the default',
    );
  return problems;
}
