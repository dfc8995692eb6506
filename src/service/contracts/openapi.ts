/**
 * OpenAPI 3.1 of HTTP channels, generated from each channel's config and its service's SimpleIO
 * declaration: the path with its params, the method(s), query string vs body as the channel reads
 * them, media types per data format, 200 with the output schema, every error status Wharf answers
 * with the registry's error body, the channel's security as a security scheme. Proxy and `routes`
 * channels are described as far as they can be: path, methods, opaque body.
 */
import { WharfError } from '../../errors.js';
import { entriesOf, isElementLike, type ElementLike, type ShapeLike } from './element-like.js';
import { declarationSchema, elementSchema, isPresent, shapeSchema, type JsonSchema } from './json-schema.js';
import { CID_HEADER, ERROR_COMPONENTS, errorResponses, soapMediaType, type Target } from './openapi-errors.js';
import { pathParams, type ChannelLike, type ContractSources, type SecurityLike, type ServiceLike } from './sources.js';

export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  [key: string]: unknown;
};

/** What ANY stands for in a contract. */
export const ANY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The methods a channel answers with its service: ANY → the usual ones, restricted to the service's handle<Verb>() when it has no handle(). */
export function methodsOf(ch: ChannelLike, svc: ServiceLike | undefined): string[] {
  if (ch.method !== 'ANY') return [ch.method];
  if (ch.dataFormat === 'soap' && !ch.proxyTo && !ch.routes) return ['POST'];
  if (svc && svc.hasHandle === false && svc.verbs && svc.verbs.length > 0) {
    const verbs = ANY_METHODS.filter((m) => svc.verbs!.includes(m));
    if (verbs.length > 0) return verbs;
  }
  return [...ANY_METHODS];
}

const SCHEME_NAME = /[^A-Za-z0-9._-]/g;
const schemeName = (security: string): string => security.replace(SCHEME_NAME, '_');

function securityScheme(def: SecurityLike, name: string): Record<string, unknown> {
  if (def.kind === 'basicAuth')
    return {
      type: 'http',
      scheme: 'basic',
      description: `Wharf Basic Auth definition \`${name}\`${def.realm ? ` (realm ${def.realm})` : ''}`,
    };
  return { type: 'apiKey', in: 'header', name: def.headerName, description: `Wharf API key definition \`${name}\`` };
}

/** An element the query string (or a path segment) can carry: a scalar or a list of scalars. */
function fitsParam(el: ElementLike): boolean {
  if (el.spec.kind === 'object') return false;
  if (el.spec.kind === 'list')
    return isElementLike(el.spec.of) && el.spec.of.spec.kind !== 'object' && el.spec.of.spec.kind !== 'list';
  return true;
}

function bodyShape(
  input: ShapeLike | undefined,
  skip: ReadonlySet<string>,
  format: ChannelLike['dataFormat'],
): ShapeLike {
  const out: Record<string, ElementLike> = {};
  for (const [k, el] of entriesOf(input ?? {})) {
    if (skip.has(k)) continue;
    // A form field is text: nested objects cannot arrive that way.
    if (format === 'form' && !fitsParam(el)) continue;
    out[k] = el;
  }
  return out;
}

function xmlRoot(schema: JsonSchema, name: string): JsonSchema {
  return { ...schema, xml: { name } };
}

/** The body's media types: the data format's own, then the channel's acceptContentTypes (same schema: the format parses them). */
function withAccepted(ch: ChannelLike, body: Record<string, unknown>): Record<string, unknown> {
  const content = body['content'] as Record<string, unknown> | undefined;
  const own = content ? Object.values(content)[0] : undefined;
  if (!content || !own || !ch.acceptContentTypes?.length || '*/*' in content) return body;
  const all = { ...content };
  for (const mt of ch.acceptContentTypes) all[mt.toLowerCase()] ??= own;
  return { ...body, content: all };
}

function formatBody(
  ch: ChannelLike,
  svc: ServiceLike | undefined,
  target: Target,
  skip: ReadonlySet<string>,
  owner: string,
): Record<string, unknown> {
  if (target !== 'service' || !svc) {
    return {
      description: target === 'service' ? 'Opaque: the service is not deployed here' : 'Relayed as is (opaque)',
      content: { '*/*': { schema: {} } },
    };
  }
  if (ch.dataFormat === 'soap') {
    return {
      required: true,
      description: `A SOAP ${ch.soapVersion ?? '1.1'} envelope; the contract is the channel's WSDL (GET ${ch.urlPath}?wsdl)`,
      content: { [soapMediaType(ch)]: { schema: { type: 'string' } } },
    };
  }
  if (ch.dataFormat === 'plain')
    return {
      description: 'Any text; the service reads it as request.raw',
      content: { '*/*': { schema: { type: 'string' } } },
    };
  const shape = bodyShape(svc.input, skip, ch.dataFormat);
  const schema = shapeSchema(shape, 'input', owner);
  const required = entriesOf(shape).some(([, el]) => isPresent(el, 'input'));
  const paramsNote =
    ch.paramsOverBody === false
      ? 'body elements win over query string and path params'
      : 'query string and path params win over body elements';
  if (ch.dataFormat === 'xml') {
    const root = ch.requestElement ?? 'request';
    return {
      required,
      description: `The input elements as children of ${ch.requestElement ? `the first <${root}> element (at any depth)` : 'the root element (any name)'}; a list is a repeated element; ${paramsNote}`,
      content: { 'application/xml': { schema: xmlRoot(schema, root) } },
    };
  }
  if (ch.dataFormat === 'form') {
    return {
      required,
      description: `Form fields; a repeated field is a list; ${paramsNote}`,
      content: { 'application/x-www-form-urlencoded': { schema } },
    };
  }
  return {
    required,
    description: `The input as a JSON object; ${paramsNote}`,
    content: { 'application/json': { schema } },
  };
}

function okResponse(
  ch: ChannelLike,
  svc: ServiceLike | undefined,
  target: Target,
  owner: string,
): Record<string, unknown> {
  if (target !== 'service')
    return {
      description:
        target === 'proxy'
          ? 'The upstream answer, as is'
          : 'The answer of the service or connection a routing rule picked',
      content: { '*/*': { schema: {} } },
    };
  const description = svc ? `Output of service \`${svc.name}\`` : 'Opaque: the service is not deployed here';
  if (ch.dataFormat === 'soap')
    return {
      description: `${description} in a SOAP envelope (see the WSDL)`,
      headers: CID_HEADER,
      content: { [soapMediaType(ch)]: { schema: { type: 'string' } } },
    };
  const out = svc ? declarationSchema(svc.output, 'output', owner) : {};
  if (ch.dataFormat === 'xml') {
    const doc = out['type'] === 'array' ? { type: 'object', properties: { item: out } } : out;
    return {
      description,
      headers: CID_HEADER,
      content: { 'application/xml': { schema: xmlRoot(doc, ch.responseElement ?? 'response') } },
    };
  }
  if (ch.dataFormat === 'plain' && (!svc || svc.output === undefined)) {
    return {
      description,
      headers: CID_HEADER,
      content: { 'text/plain': { schema: { type: 'string' } }, 'application/json': { schema: {} } },
    };
  }
  const json =
    ch.dataFormat === 'json' && ch.responseElement
      ? { type: 'object', properties: { [ch.responseElement]: out }, required: [ch.responseElement] }
      : out;
  return { description, headers: CID_HEADER, content: { 'application/json': { schema: json } } };
}

function targetOf(ch: ChannelLike): Target {
  return ch.routes ? 'routes' : ch.proxyTo ? 'proxy' : 'service';
}

/**
 * `docPath` is the key the operation is filed under: the channel's urlPath, or the one of another
 * channel with the same shape and other param names (`/a/{id}` and `/a/{n}` are one path in OpenAPI);
 * the params then take that key's names, by position.
 */
function parameters(
  ch: ChannelLike,
  svc: ServiceLike | undefined,
  target: Target,
  method: string,
  owner: string,
  docPath: string,
): { params: unknown[]; inPath: Set<string> } {
  const own = pathParams(ch.urlPath);
  const docNames = pathParams(docPath);
  const inPath = new Set(own);
  const input = target === 'service' ? svc?.input : undefined;
  const byName = new Map(entriesOf(input ?? {}));
  const params: unknown[] = [];
  own.forEach((p, i) => {
    const el = byName.get(p);
    const schema = el && fitsParam(el) ? elementSchema(el, 'input', owner, p) : { type: 'string' };
    const name = docNames[i] ?? p;
    const param: Record<string, unknown> = { name, in: 'path', required: true, schema };
    const note = name === p ? '' : `the element \`${p}\` of this channel`;
    if (el?.description || note) param['description'] = [el?.description, note].filter(Boolean).join('; ');
    params.push(param);
  });
  if (target === 'service' && ch.dataFormat !== 'soap') {
    const bodyless = !BODY_METHODS.has(method);
    for (const [k, el] of byName) {
      if (inPath.has(k) || !fitsParam(el)) continue;
      const note = bodyless
        ? ''
        : ch.paramsOverBody === false
          ? ' (also in the query string; the body wins)'
          : ' (also in the query string, which wins over the body)';
      const param: Record<string, unknown> = {
        name: k,
        in: 'query',
        required: bodyless && isPresent(el, 'input'),
        schema: elementSchema(el, 'input', owner, k),
      };
      if (el.description || note) param['description'] = `${el.description ?? k}${note}`;
      if (el.spec.kind === 'list') param['explode'] = true;
      params.push(param);
    }
  }
  return { params, inPath };
}

function operation(
  ch: ChannelLike,
  svc: ServiceLike | undefined,
  method: string,
  src: ContractSources,
  operationId: string,
  docPath: string,
): Record<string, unknown> {
  const target = targetOf(ch);
  const owner = svc ? `service \`${svc.name}\` (channel \`${ch.name}\`)` : `channel \`${ch.name}\``;
  const { params, inPath } = parameters(ch, svc, target, method, owner, docPath);
  const body = BODY_METHODS.has(method);
  const notes: string[] = [];
  if (svc?.description) notes.push(svc.description);
  if (target === 'service' && !svc)
    notes.push(`Service \`${ch.service ?? ''}\` is not deployed on this server: the contract is opaque.`);
  if (target === 'proxy') notes.push(`Relayed as is to the outgoing HTTP connection \`${ch.proxyTo ?? ''}\`.`);
  if (target === 'routes')
    notes.push(
      `Content-based routing: ${ch.routes?.length ?? 0} rule(s) pick a service, a connection or a refusal${ch.service ? `; else service \`${ch.service}\`` : ch.proxyTo ? `; else connection \`${ch.proxyTo}\`` : ''}.`,
    );
  const sec = ch.security ? src.security.get(ch.security) : undefined;
  if (ch.security && !sec)
    notes.push(`Security definition \`${ch.security}\` does not exist: every request is refused (401).`);
  if (ch.dataFormat === 'form' && svc?.input && entriesOf(svc.input).some(([, el]) => !fitsParam(el)))
    notes.push('Nested elements of the declaration cannot arrive as form fields.');
  const op: Record<string, unknown> = {
    operationId,
    summary:
      target === 'service'
        ? `${ch.name} → ${ch.service ?? ''}`
        : target === 'proxy'
          ? `${ch.name} → connection ${ch.proxyTo ?? ''}`
          : `${ch.name} (routes)`,
    tags: [ch.name],
  };
  if (notes.length > 0) op['description'] = notes.join('\n\n');
  if (params.length > 0) op['parameters'] = params;
  if (body) op['requestBody'] = withAccepted(ch, formatBody(ch, svc, target, inPath, owner));
  op['responses'] = {
    '200': okResponse(ch, svc, target, owner),
    ...errorResponses(ch, target, Boolean(ch.security), body),
  };
  if (ch.security && sec) op['security'] = [{ [schemeName(ch.security)]: [] }];
  return op;
}

/** The OpenAPI 3.1 document of `src.channels` (inactive ones left out). Throws WHARF_ERR_CONTRACT for an element it cannot describe. */
export function buildOpenApi(src: ContractSources, opts: { title?: string } = {}): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemes: Record<string, unknown> = {};
  const ids = new Set<string>();
  const keys = new Map<string, string>(); // path shape ({} for each param) → the key it is filed under
  const channels = [...src.channels].filter((c) => c.active !== false).sort((a, b) => a.name.localeCompare(b.name));
  for (const ch of channels) {
    const svc = ch.service ? src.services.get(ch.service) : undefined;
    const methods = methodsOf(ch, svc);
    const shape = ch.urlPath.replace(/\{[^}]+\}/g, '{}');
    const docPath = keys.get(shape) ?? ch.urlPath;
    keys.set(shape, docPath);
    const item = (paths[docPath] ??= {});
    for (const method of methods) {
      const key = method.toLowerCase();
      if (item[key]) continue; // two channels cannot share a method on a path; keep the first
      let id = methods.length === 1 ? ch.name : `${ch.name}.${key}`;
      while (ids.has(id)) id = `${id}_`;
      ids.add(id);
      item[key] = operation(ch, svc, method, src, id, docPath);
    }
    const sec = ch.security ? src.security.get(ch.security) : undefined;
    if (ch.security && sec) schemes[schemeName(ch.security)] = securityScheme(sec, ch.security);
  }
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: opts.title ?? 'Wharf HTTP channels',
      version: src.version ?? '1',
      description: "Generated by Wharf from the channels' configuration and the services' SimpleIO declarations.",
    },
    servers: [{ url: src.baseUrl }],
    paths,
    components: { ...ERROR_COMPONENTS, ...(Object.keys(schemes).length > 0 ? { securitySchemes: schemes } : {}) },
  };
  return doc;
}

/** One channel's document; WHARF_ERR_NOT_FOUND when there is no such HTTP channel. */
export function buildChannelOpenApi(src: ContractSources, channel: string): OpenApiDocument {
  const ch = src.channels.find((c) => c.name === channel);
  if (!ch) throw new WharfError('WHARF_ERR_NOT_FOUND', [`no HTTP channel \`${channel}\``]);
  return buildOpenApi({ ...src, channels: [{ ...ch, active: true }] }, { title: `Wharf channel ${channel}` });
}
