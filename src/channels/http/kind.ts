/** HTTP/SOAP channels: live in the ODB, routed by a router swapped at run time, never in code. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { routesProblems } from './rules/rules.js';
import { routesField } from './rules/schema.js';
import { escapeProblem, isReservedPath, normalisePath } from './reserved.js';

export const HTTP_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

// A media type pattern: type/subtype, type/*, application/*+json, or */* (any).
export const MEDIA_PATTERN_RE = /^(\*|[a-z0-9!#$&^_.+-]+)\/(\*|\*\+[a-z0-9!#$&^_.+-]+|[a-z0-9!#$&^_.+-]+)$/;

const ORIGIN_RE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const URL_PATH_RE = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/{}-]*$/;

export const httpChannelKind = defineKind({
  id: 'channels.http',
  title: 'HTTP channel',
  cli: ['channel', 'http'],
  cliDefault: true,
  fields: {
    urlPath: z
      .string()
      .regex(URL_PATH_RE, 'must start with / and contain only URL path characters')
      .check((ctx) => {
        const bad = escapeProblem(ctx.value);
        if (bad) ctx.issues.push({ code: 'custom', message: bad, input: ctx.value });
        else if (isReservedPath(ctx.value)) {
          ctx.issues.push({
            code: 'custom',
            message: `the /wharf prefix is reserved for the admin API (\`${ctx.value}\` is ${normalisePath(ctx.value) ?? 'under it'} once decoded, lower-cased and normalised)`,
            input: ctx.value,
          });
        }
      })
      .refine(
        (p) => !/\{[^}]*\{|\}[^{]*\}|\{\}/.test(p) && /^([^{}]|\{[A-Za-z_][A-Za-z0-9_]*\})*$/.test(p),
        'path params look like {name}',
      )
      .describe('URL path, with {params}: /customer/{id}'),
    method: z.enum(HTTP_METHODS).default('ANY').describe('HTTP method, or ANY'),
    service: z.string().min(1).optional().describe('Service to invoke (or proxyTo)'),
    proxyTo: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Instead of a service: an outgoing HTTP connection the request is relayed to as is (body, headers, query string), and its answer back',
      ),
    routes: routesField.describe(
      'Content-based routing: rules tried in order ({when, proxyTo | service | reject}); the first whose `when` holds decides, else proxyTo/service. From the CLI: a JSON array',
    ),
    dataFormat: z
      .enum(['json', 'xml', 'soap', 'form', 'plain'])
      .default('json')
      .describe('Request and response format'),
    soapVersion: z.enum(['1.1', '1.2']).default('1.1').describe('SOAP version (dataFormat soap)'),
    soapAction: z.string().optional().describe('Expected SOAPAction; requests with another action get a Fault'),
    security: z.string().optional().describe('Security definition (Basic Auth or API key) by name'),
    maxBodySize: z
      .number()
      .int()
      .positive()
      .max(1024 * 1024 * 1024)
      .default(5 * 1024 * 1024)
      .describe('Largest request body in bytes (413 above)'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('Service must answer within this many ms (504 after)'),
    paramsPriority: z
      .enum(['query', 'path'])
      .default('query')
      .describe('Which wins when query string and path carry the same element'),
    paramsOverBody: z.boolean().default(true).describe('Whether query/path params win over body elements'),
    requestElement: z.string().optional().describe('XML: element whose children are the input (default: the root)'),
    responseElement: z.string().optional().describe('XML/SOAP: element the output is written under; JSON: wrapper key'),
    maxDepth: z.number().int().min(1).max(1000).default(64).describe('Deepest nesting accepted in a body'),
    acceptContentTypes: z
      .array(
        z
          .string()
          .trim()
          .refine(
            (p) => MEDIA_PATTERN_RE.test(p.toLowerCase()),
            'must be a media type such as text/plain, text/*, application/*+json or */*',
          ),
      )
      .optional()
      .describe(
        "Request Content-Types accepted besides the data format's own (415 for others), e.g. text/plain or application/*+json",
      ),
    cors: z
      .strictObject({
        allowOrigins: z
          .array(
            z
              .string()
              .trim()
              .refine(
                (o) => o === '*' || ORIGIN_RE.test(o),
                'must be * or scheme://host[:port], e.g. https://app.example.com',
              ),
          )
          .min(1)
          .describe('Origins allowed, or *'),
        allowMethods: z
          .array(z.enum(HTTP_METHODS.filter((m) => m !== 'ANY') as [string, ...string[]]))
          .optional()
          .describe("Methods for pre-flights (default: the channel's)"),
        allowHeaders: z
          .array(z.string().trim().regex(TOKEN_RE, 'must be a header name'))
          .optional()
          .describe('Request headers allowed (default: those the pre-flight asks for)'),
        exposeHeaders: z
          .array(z.string().trim().regex(TOKEN_RE, 'must be a header name'))
          .optional()
          .describe('Response headers a page may read'),
        allowCredentials: z
          .boolean()
          .optional()
          .describe('Allow cookies and Authorization (then allowOrigins cannot be *)'),
        maxAgeSeconds: z
          .number()
          .int()
          .min(0)
          .max(86_400)
          .optional()
          .describe('How long a browser may cache a pre-flight'),
      })
      .optional()
      .describe(
        'CORS: OPTIONS pre-flights answered by Wharf and Access-Control-Allow-Origin on answers, for these origins only. JSON: {"allowOrigins": ["https://app.example.com"]}',
      ),
  },
  refs: { security: 'security.*', proxyTo: 'outgoing.http', 'routes[].proxyTo': 'outgoing.http' },
  check(obj, ctx) {
    const problems: string[] = [];
    if (obj.service && obj.proxyTo)
      problems.push('proxyTo: a channel either invokes a service or relays to a connection (proxyTo), not both');
    else if (!obj.service && !obj.proxyTo && !obj.routes)
      problems.push('service: required (or proxyTo, to relay requests to an outgoing HTTP connection, or routes)');
    if (obj.routes) problems.push(...routesProblems(obj.routes, Boolean(obj.service ?? obj.proxyTo)));
    if (obj.cors?.allowCredentials && obj.cors.allowOrigins.includes('*'))
      problems.push('cors.allowOrigins: cannot be * with allowCredentials (browsers refuse it); list the origins');
    const norm = (p: string): string => p.replace(/\{[^}]+\}/g, '{}');
    for (const other of ctx.list('channels.http')) {
      if (other.name === obj.name) continue;
      const sameMethod = obj.method === 'ANY' || other['method'] === 'ANY' || other['method'] === obj.method;
      if (sameMethod && norm(String(other['urlPath'])) === norm(obj.urlPath)) {
        problems.push(
          `urlPath: ${obj.method} ${obj.urlPath} is already served by channel \`${other.name}\` (${String(other['method'])} ${String(other['urlPath'])})`,
        );
      }
    }
    return problems;
  },
});

export type HttpChannelConfig = ReturnType<typeof httpChannelKind.schema.parse>;

/** HTTP channels: routes in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const httpChannelDeclaration: ConnectorDeclaration<HttpChannelConfig> = {
  kind: httpChannelKind,
  placement: 'worker',
};
