/**
 * The `routes` field of an HTTP channel: content-based routing by configuration (Camel's `choice()`,
 * WSO2's filter mediator). An ordered list of rules; the first whose `when` holds decides where the
 * request goes: an outgoing HTTP connection (`proxyTo`), a service, or a refusal (`reject`). A rule
 * without `when` always holds (the "otherwise"). Everything is checked when the channel is saved:
 * one source and one test per condition, XPath and regular expressions that compile.
 */
import { z } from 'zod';
import { xpath } from '../../../service/routing/xpath.js';
import { jsonPointer } from '../../../service/routing/json-pointer.js';

export const SOURCES = ['header', 'query', 'param', 'xpath', 'jsonPointer'] as const;
export const TESTS = ['equals', 'oneOf', 'matches', 'exists'] as const;

const condition = z
  .strictObject({
    header: z.string().min(1).optional().describe('HTTP request header, any case'),
    query: z.string().min(1).optional().describe('Query string parameter'),
    param: z.string().min(1).optional().describe("Path parameter of the channel's urlPath ({name})"),
    xpath: z.string().min(1).optional().describe('XPath on the body (XML or SOAP); the first node it selects'),
    namespaces: z.record(z.string().min(1), z.string()).optional().describe('Prefix → namespace URI for xpath'),
    jsonPointer: z.string().optional().describe('RFC 6901 JSON Pointer on the body (JSON)'),
    equals: z.string().optional().describe('The value is exactly this'),
    oneOf: z.array(z.string()).min(1).optional().describe('The value is one of these'),
    matches: z.string().min(1).optional().describe('The value matches this regular expression'),
    exists: z.boolean().optional().describe('The value is there (true) or not (false); the default test'),
    not: z.boolean().optional().describe('Holds when the test does not'),
  })
  .superRefine((c, ctx) => {
    const sources = SOURCES.filter((s) => c[s] !== undefined);
    if (sources.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `a condition names exactly one of ${SOURCES.join(', ')}${sources.length > 1 ? ` (got ${sources.join(' and ')})` : ''}`,
      });
    const tests = TESTS.filter((t) => c[t] !== undefined);
    if (tests.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: `a condition has at most one of ${TESTS.join(', ')} (got ${tests.join(' and ')})`,
      });
    if (c.namespaces && c.xpath === undefined)
      ctx.addIssue({ code: 'custom', path: ['namespaces'], message: 'only with xpath' });
    const compile = (path: string, f: () => unknown): void => {
      try {
        f();
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: [path], message: e instanceof Error ? e.message : String(e) });
      }
    };
    if (c.xpath !== undefined) compile('xpath', () => xpath(c.xpath!, c.namespaces ?? {}));
    if (c.jsonPointer !== undefined) compile('jsonPointer', () => jsonPointer(c.jsonPointer!));
    if (c.matches !== undefined) compile('matches', () => new RegExp(c.matches!));
  });

const reject = z
  .strictObject({
    status: z.number().int().min(400).max(599).default(400).describe('HTTP status of the refusal'),
    message: z
      .string()
      .min(1)
      .optional()
      .describe("Sent as an error in the channel's format (JSON error, SOAP Fault...) with the correlation id"),
    body: z.string().optional().describe('Sent as is instead (a fixed document, e.g. a SOAP Fault)'),
    contentType: z.string().min(1).optional().describe('Content-Type of `body`'),
  })
  .superRefine((r, ctx) => {
    if ((r.message === undefined) === (r.body === undefined))
      ctx.addIssue({ code: 'custom', message: 'a reject has either message or body' });
    if (r.contentType !== undefined && r.body === undefined)
      ctx.addIssue({ code: 'custom', path: ['contentType'], message: 'only with body' });
  });

export const routeRule = z
  .strictObject({
    when: z
      .union([condition, z.array(condition).min(1)])
      .optional()
      .describe('A condition, or a list that must all hold; none = always'),
    proxyTo: z.string().min(1).optional().describe('Relay to this outgoing HTTP connection'),
    service: z.string().min(1).optional().describe('Invoke this service'),
    reject: reject.optional().describe('Refuse the request'),
  })
  .superRefine((r, ctx) => {
    const actions = (['proxyTo', 'service', 'reject'] as const).filter((a) => r[a] !== undefined);
    if (actions.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `a rule has exactly one of proxyTo, service, reject${actions.length > 1 ? ` (got ${actions.join(' and ')})` : ''}`,
      });
  });

export const routesField = z.array(routeRule).min(1).max(200).optional();

export type RouteCondition = z.output<typeof condition>;
export type RouteRule = z.output<typeof routeRule>;
export type RouteReject = z.output<typeof reject>;
