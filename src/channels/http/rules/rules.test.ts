import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../config/kind.js';
import { WharfError } from '../../../errors.js';
import { httpChannelKind } from '../kind.js';
import { compileRules, routesProblems, type RuleInput } from './rules.js';
import { routesField, type RouteRule } from './schema.js';

const SOAP = (symbol: string, routing = 'r1'): Buffer =>
  Buffer.from(
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><routing xmlns="http://someuri">${routing}</routing></s:Header>` +
      `<s:Body><m:buyStocks xmlns:m="http://services.samples/xsd"><order><symbol>${symbol}</symbol></order><order><symbol>MSFT</symbol></order></m:buyStocks></s:Body></s:Envelope>`,
  );

const req = (over: Partial<RuleInput> = {}): RuleInput => ({
  headers: {},
  params: {},
  qs: '',
  body: undefined,
  ...over,
});

function rules(list: unknown, fallback: { proxyTo?: string; service?: string } = {}) {
  return compileRules(routesField.parse(list)!, fallback);
}

function problems(list: unknown): string[] {
  const r = httpChannelKind.schema.safeParse({ name: 'c', urlPath: '/c', routes: list });
  return r.success ? [] : describeIssues(r.error);
}

describe('route rules: conditions', () => {
  it('a header, any case, equal to a value (the ESB benchmark transport-header route)', () => {
    const r = rules([
      { when: { header: 'Routing', equals: 'xadmin;server1;community#1.0##' }, proxyTo: 'echo' },
      { reject: { status: 500, body: '<fault/>', contentType: 'text/xml' } },
    ]);
    expect(r.needsBody).toBe(false);
    expect(r.decide(req({ headers: { routing: 'xadmin;server1;community#1.0##' } }))).toMatchObject({
      kind: 'proxy',
      connection: 'echo',
      target: 'proxy:echo',
    });
    expect(r.decide(req({ headers: { routing: 'xadmin;server2;community#1.0##' } }))).toMatchObject({
      kind: 'reject',
      target: 'reject',
      reject: { status: 500, body: '<fault/>' },
    });
    expect(r.decide(req())).toMatchObject({ kind: 'reject' });
  });

  it('XPath on the SOAP body and header, with namespaces; the body is needed', () => {
    const r = rules(
      [
        {
          when: {
            xpath: '/s:Envelope/s:Header/r:routing',
            namespaces: { s: 'http://schemas.xmlsoap.org/soap/envelope/', r: 'http://someuri' },
            equals: 'r2',
          },
          proxyTo: 'two',
        },
        { when: { xpath: '//order[1]/symbol', equals: 'IBM' }, proxyTo: 'stocks' },
      ],
      { proxyTo: 'other' },
    );
    expect(r.needsBody).toBe(true);
    expect(r.decide(req({ body: SOAP('IBM') })).target).toBe('proxy:stocks');
    expect(r.decide(req({ body: SOAP('MSFT') })).target).toBe('proxy:other');
    expect(r.decide(req({ body: SOAP('MSFT', 'r2') })).target).toBe('proxy:two');
    expect(() => r.decide(req({ body: Buffer.from('not xml at all') }))).toThrow(
      expect.objectContaining({ code: 'WHARF_ERR_MALFORMED_BODY', status: 400 }) as Error,
    );
    expect(r.decide(req()).target).toBe('proxy:other');
    expect(r.decide(req({ body: Buffer.alloc(0) })).target).toBe('proxy:other');
  });

  it('a JSON Pointer on the body: strings, numbers, booleans and missing paths; the body is parsed once', () => {
    const r = rules(
      [
        { when: { jsonPointer: '/order/priority', equals: 'high' }, service: 'fast.lane' },
        { when: { jsonPointer: '/order/qty', matches: '^[0-9]{4,}$' }, service: 'bulk' },
        {
          when: { jsonPointer: '/order/test', equals: 'true' },
          reject: { status: 422, message: 'test orders are not accepted' },
        },
        { when: { jsonPointer: '/order/id', exists: false }, reject: { message: 'order id missing' } },
      ],
      { service: 'normal' },
    );
    const d = (o: unknown) => r.decide(req({ body: Buffer.from(JSON.stringify(o)) }));
    expect(d({ order: { id: 1, priority: 'high' } }).target).toBe('fast.lane');
    expect(d({ order: { id: 1, qty: 25000 } }).target).toBe('bulk');
    expect(d({ order: { id: 1, qty: 25 } }).target).toBe('normal');
    expect(d({ order: { id: 1, test: true } })).toMatchObject({
      kind: 'reject',
      reject: { status: 422, message: 'test orders are not accepted' },
    });
    expect(d({ order: {} })).toMatchObject({ kind: 'reject', reject: { status: 400, message: 'order id missing' } });
  });

  it('malformed JSON under a JSON Pointer rule is a 400 naming the problem, not a silent fall-through', () => {
    const r = rules([{ when: { jsonPointer: '/a', equals: 'x' }, proxyTo: 'a' }], { proxyTo: 'b' });
    let err: unknown;
    try {
      r.decide(req({ body: Buffer.from('{"a": ') }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WharfError);
    expect(err).toMatchObject({ code: 'WHARF_ERR_MALFORMED_BODY', status: 400 });
    expect(r.decide(req({ body: Buffer.alloc(0) })).target).toBe('proxy:b');
  });

  it('query parameters, oneOf, matches, repeated values (any one may match), and a list of conditions that must all hold', () => {
    const r = rules(
      [
        {
          when: [
            { query: 'region', oneOf: ['eu', 'uk'] },
            { header: 'x-tier', matches: '^gold|platinum$' },
          ],
          proxyTo: 'eu-premium',
        },
        { when: { query: 'region', oneOf: ['eu', 'uk'] }, proxyTo: 'eu' },
        { when: { header: 'x-beta' }, proxyTo: 'beta' },
      ],
      { proxyTo: 'world' },
    );
    expect(r.decide(req({ qs: 'region=uk', headers: { 'x-tier': 'gold' } })).target).toBe('proxy:eu-premium');
    expect(r.decide(req({ qs: 'region=uk', headers: { 'x-tier': 'silver' } })).target).toBe('proxy:eu');
    expect(r.decide(req({ qs: 'region=us&region=eu' })).target).toBe('proxy:eu');
    expect(r.decide(req({ qs: 'region=us', headers: { 'x-beta': '' } })).target).toBe('proxy:beta');
    expect(r.decide(req({ qs: 'region=us' })).target).toBe('proxy:world');
    expect(r.decide(req({ headers: { 'set-cookie': ['a=1', 'b=2'] } })).target).toBe('proxy:world');
    const cookies = rules([{ when: { header: 'set-cookie', equals: 'b=2' }, proxyTo: 'c' }], { proxyTo: 'd' });
    expect(cookies.decide(req({ headers: { 'set-cookie': ['a=1', 'b=2'] } })).target).toBe('proxy:c');
  });
  it('path parameters, and `not` inverting any condition', () => {
    const r = rules(
      [
        {
          when: [
            { param: 'region', oneOf: ['eu', 'uk'] },
            { header: 'x-test', not: true },
          ],
          proxyTo: 'eu',
        },
        { when: { param: 'region', equals: 'us', not: true }, reject: { status: 404, message: 'no such region' } },
      ],
      { proxyTo: 'us' },
    );
    expect(r.decide(req({ params: { region: 'uk' } })).target).toBe('proxy:eu');
    expect(r.decide(req({ params: { region: 'uk' }, headers: { 'x-test': '1' } })).target).toBe('reject');
    expect(r.decide(req({ params: { region: 'us' } })).target).toBe('proxy:us');
    expect(r.decide(req({ params: { region: 'mars' } })).target).toBe('reject');
  });
});

describe('route rules: what is refused when the channel is saved', () => {
  it('each condition has one source, at most one test, and compiles', () => {
    expect(problems([{ when: {}, proxyTo: 'a' }]).join('\n')).toMatch(
      /routes\.0\.when: a condition names exactly one of header, query, param, xpath, jsonPointer/,
    );
    expect(problems([{ when: { header: 'a', query: 'b' }, proxyTo: 'a' }]).join('\n')).toMatch(
      /\(got header and query\)/,
    );
    expect(problems([{ when: { header: 'a', equals: 'x', matches: 'y' }, proxyTo: 'a' }]).join('\n')).toMatch(
      /at most one of equals, oneOf, matches, exists \(got equals and matches\)/,
    );
    expect(problems([{ when: { xpath: '//a[', equals: 'x' }, proxyTo: 'a' }]).join('\n')).toMatch(
      /routes\.0\.when\.xpath: /,
    );
    expect(problems([{ when: { header: 'a', matches: '(' }, proxyTo: 'a' }]).join('\n')).toMatch(
      /routes\.0\.when\.matches: .*Invalid regular expression/,
    );
    expect(problems([{ when: { jsonPointer: 'a/b' }, proxyTo: 'a' }]).join('\n')).toMatch(
      /routes\.0\.when\.jsonPointer: Invalid JSON Pointer/,
    );
    expect(problems([{ when: { header: 'a', namespaces: { x: 'urn:x' } }, proxyTo: 'a' }]).join('\n')).toMatch(
      /namespaces: only with xpath/,
    );
    expect(problems([{ when: { header: 'a', equal: 'x' }, proxyTo: 'a' }]).join('\n')).toMatch(
      /routes\.0\.when\.equal: unknown field/,
    );
  });

  it('each rule has exactly one action; a reject has a message or a body', () => {
    expect(problems([{ when: { header: 'a' } }]).join('\n')).toMatch(
      /routes\.0: a rule has exactly one of proxyTo, service, reject/,
    );
    expect(problems([{ proxyTo: 'a', service: 'b' }]).join('\n')).toMatch(/\(got proxyTo and service\)/);
    expect(problems([{ reject: { status: 500 } }]).join('\n')).toMatch(
      /routes\.0\.reject: a reject has either message or body/,
    );
    expect(problems([{ reject: { status: 302, message: 'x' } }]).join('\n')).toMatch(/routes\.0\.reject\.status/);
    expect(problems([{ reject: { message: 'x', contentType: 'text/xml' } }]).join('\n')).toMatch(
      /contentType: only with body/,
    );
    expect(problems([])).not.toEqual([]);
  });

  it('the rules as a whole: somewhere to go for every request, no unreachable rule', () => {
    const parsed = (l: unknown): RouteRule[] => routesField.parse(l)!;
    expect(routesProblems(parsed([{ when: { header: 'a' }, proxyTo: 'a' }]), false).join()).toMatch(/nowhere to go/);
    expect(routesProblems(parsed([{ when: { header: 'a' }, proxyTo: 'a' }]), true)).toEqual([]);
    expect(routesProblems(parsed([{ when: { header: 'a' }, proxyTo: 'a' }, { proxyTo: 'b' }]), false)).toEqual([]);
    expect(routesProblems(parsed([{ proxyTo: 'b' }, { when: { header: 'a' }, proxyTo: 'a' }]), false).join()).toMatch(
      /routes\.1: never reached/,
    );
    expect(routesProblems(parsed([{ when: { header: 'a' }, proxyTo: 'a' }, { proxyTo: 'b' }]), true).join()).toMatch(
      /routes\.1: the channel's proxyTo\/service is never used/,
    );
  });

  it('the channel kind accepts routes instead of service/proxyTo and runs the whole-list check', () => {
    const base = { name: 'c', urlPath: '/c' };
    const parsed = httpChannelKind.schema.parse({
      ...base,
      routes: [{ when: { header: 'a' }, proxyTo: 'x' }, { reject: { message: 'no' } }],
    });
    expect(httpChannelKind.check?.(parsed, { list: () => [] })).toEqual([]);
    const open = httpChannelKind.schema.parse({ ...base, routes: [{ when: { header: 'a' }, proxyTo: 'x' }] });
    expect((httpChannelKind.check?.(open, { list: () => [] }) ?? []).join()).toMatch(/nowhere to go/);
    expect(httpChannelKind.refs?.['routes[].proxyTo']).toBe('outgoing.http');
  });
});
