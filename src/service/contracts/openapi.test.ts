import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { int } from '../simpleio/elements.js';
import { channels, sources } from '../../../test/support/contracts/fixtures.js';
import { checkOpenApi, checkValue } from '../../../test/support/contracts/schema-check.js';
import { buildChannelOpenApi, buildOpenApi, type OpenApiDocument } from './openapi.js';

/** @readme/openapi-parser on the document, Ajv (2020-12, strict) on each of its schemas. */
async function expectValid(doc: OpenApiDocument): Promise<void> {
  expect(await checkOpenApi(doc)).toBeGreaterThan(0);
}

type Op = {
  [k: string]: unknown;
  parameters?: Array<Record<string, unknown>>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
};
const op = (doc: OpenApiDocument, path: string, method: string): Op =>
  (doc['paths'] as Record<string, Record<string, Op>>)[path]![method]!;

describe('OpenAPI 3.1 from channels and SimpleIO', () => {
  it('the whole matrix is a valid document', async () => {
    await expectValid(buildOpenApi(sources()));
  });

  for (const ch of channels.filter((c) => c.active !== false)) {
    it(`channel ${ch.name} (${ch.dataFormat}, ${ch.method}) alone is a valid document`, async () => {
      await expectValid(buildChannelOpenApi(sources(), ch.name));
    });
  }

  it('JSON body: nested listOf/object, decimal, datetime, optional, default, description', () => {
    const doc = buildOpenApi(sources());
    const post = op(doc, '/shop/order', 'post');
    const schema = post.requestBody!.content['application/json']!.schema as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(schema.required).toEqual(['id', 'customer', 'placed', 'total', 'lines']);
    expect(schema.properties['id']).toMatchObject({ type: 'integer', description: 'Order number' });
    expect(schema.properties['placed']).toEqual({ type: 'string', format: 'date-time' });
    expect(schema.properties['due']).toEqual({ type: 'string', format: 'date' });
    expect(schema.properties['rate']).toEqual({ type: 'number', default: 1.5 });
    expect(schema.properties['tags']).toEqual({ type: 'array', items: { type: 'string' }, default: [] });
    expect(schema.properties['lines']).toMatchObject({
      type: 'array',
      items: { type: 'object', required: ['sku', 'qty', 'price'] },
    });
    expect(schema.properties['ship']).toMatchObject({
      type: 'object',
      properties: { geo: { type: 'object', required: ['lat', 'lon'] } },
      required: ['city'],
    });
    expect(schema.properties['extra']).toEqual({});
    const out = post.responses['200']!.content!['application/json']!.schema as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(out.required).toEqual(['id', 'total', 'placed', 'status', 'lines']);
    expect(out.additionalProperties).toBe(false);
    expect(out.properties['total']).toMatchObject({ type: 'string', description: 'Sum of the lines' });
    expect(out.properties['note']).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(Object.keys(post.responses).sort()).toEqual(['200', '400', '404', '405', '413', '415', '500', '503', '504']);
    expect(post.responses['400']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/WharfErrorResponse',
    });
    expect(post['security']).toBeUndefined();
  });

  it('path params, ANY → the usual methods, Basic Auth, query params on bodyless methods', () => {
    const doc = buildOpenApi(sources());
    const item = (doc['paths'] as Record<string, Record<string, Op>>)['/shop/customer/{customer}/order/{id}']!;
    expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'patch', 'post', 'put']);
    const get = item['get']!;
    const path = get.parameters!.filter((p) => p['in'] === 'path');
    expect(path).toEqual([
      { name: 'customer', in: 'path', required: true, schema: { type: 'string' } },
      {
        name: 'id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'integer' }),
        description: 'Order number',
      },
    ]);
    const total = get.parameters!.find((p) => p['name'] === 'total')!;
    expect(total).toMatchObject({ in: 'query', required: true });
    expect(get.parameters!.find((p) => p['name'] === 'lines')).toBeUndefined(); // a list of objects cannot come in a query string
    expect(get.parameters!.find((p) => p['name'] === 'tags')).toMatchObject({
      in: 'query',
      required: false,
      explode: true,
    });
    expect(get.requestBody).toBeUndefined();
    expect(get['security']).toEqual([{ 'basic-1': [] }]);
    expect(get.responses['401']).toBeDefined();
    const post = item['post']!;
    const body = post.requestBody!.content['application/json']!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(body.properties)).not.toContain('id');
    expect(Object.keys(body.properties)).not.toContain('customer');
    expect((doc['components'] as { securitySchemes: unknown }).securitySchemes).toEqual({
      'basic-1': { type: 'http', scheme: 'basic', description: expect.stringContaining('realm Shop') },
      'key-1': { type: 'apiKey', in: 'header', name: 'X-Shop-Key', description: expect.any(String) },
    });
  });

  it('XML: request and response element names, list output as <item>, API key', () => {
    const doc = buildOpenApi(sources());
    const put = op(doc, '/shop/order.xml', 'put');
    expect(put.requestBody!.content['application/xml']!.schema['xml']).toEqual({ name: 'order' });
    expect(put.responses['200']!.content!['application/xml']!.schema['xml']).toEqual({ name: 'result' });
    expect(put.responses['400']!.content!['application/xml']!.schema).toEqual({
      $ref: '#/components/schemas/WharfErrorXml',
    });
    expect(put['security']).toEqual([{ 'key-1': [] }]);
    const verbs = (doc['paths'] as Record<string, Record<string, Op>>)['/shop/verbs/{id}']!;
    expect(Object.keys(verbs).sort()).toEqual(['delete', 'get']); // only handleGet/handleDelete
    const listDoc = verbs['get']!.responses['200']!.content!['application/xml']!.schema;
    expect(listDoc).toMatchObject({
      type: 'object',
      xml: { name: 'response' },
      properties: { item: { type: 'array' } },
    });
  });

  it('form: nested elements left out of the fields, answer in JSON; wrapped JSON answer; params priority noted', () => {
    const doc = buildOpenApi(sources());
    const form = op(doc, '/shop/order.form', 'post');
    const fields = form.requestBody!.content['application/x-www-form-urlencoded']!.schema as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(fields.properties)).not.toContain('lines');
    expect(Object.keys(fields.properties)).toContain('tags');
    expect(Object.keys(form.requestBody!.content)).toEqual([
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/*+x-form',
    ]);
    expect(form['description']).toContain('Nested elements');
    expect(form.responses['200']!.content!['application/json']).toBeDefined();
    const wrapped = op(doc, '/shop/order.wrapped', 'patch');
    expect(wrapped.responses['200']!.content!['application/json']!.schema).toMatchObject({
      type: 'object',
      required: ['order'],
    });
    expect(JSON.stringify(wrapped.requestBody)).toContain('body elements win');
  });

  it('SOAP, plain, a single-element output, a missing service, a missing security definition', () => {
    const doc = buildOpenApi(sources());
    const soap = (doc['paths'] as Record<string, Record<string, Op>>)['/shop/order.soap']!;
    expect(Object.keys(soap)).toEqual(['post']);
    expect(Object.keys(soap['post']!.requestBody!.content)).toEqual(['application/soap+xml']);
    expect(op(doc, '/shop/ping', 'get').responses['200']!.content!['text/plain']).toBeDefined();
    expect(op(doc, '/shop/scalar', 'get').responses['200']!.content!['application/json']!.schema).toMatchObject({
      type: 'integer',
    });
    const missing = op(doc, '/shop/missing', 'post');
    expect(missing['description']).toContain('not deployed');
    expect(missing.requestBody!.content['*/*']!.schema).toEqual({});
    const noSec = op(doc, '/shop/missing-sec', 'get');
    expect(noSec['description']).toContain('every request is refused');
    expect(noSec['security']).toBeUndefined();
    expect(noSec.responses['401']).toBeDefined();
  });

  it('proxy and routes: path, methods, opaque bodies, 502/504', () => {
    const doc = buildOpenApi(sources());
    const proxy = (doc['paths'] as Record<string, Record<string, Op>>)['/shop/proxy/{rest}']!;
    expect(Object.keys(proxy).sort()).toEqual(['delete', 'get', 'patch', 'post', 'put']);
    expect(proxy['post']!.requestBody!.content['*/*']!.schema).toEqual({});
    expect(Object.keys(proxy['post']!.responses).sort()).toEqual([
      '200',
      '401',
      '405',
      '413',
      '500',
      '502',
      '503',
      '504',
    ]);
    expect(proxy['get']!.parameters).toEqual([
      { name: 'rest', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    const routed = op(doc, '/shop/routed', 'post');
    expect(routed['description']).toContain('1 rule(s)');
    expect(routed.responses['502']).toBeDefined();
  });

  it('inactive channels are left out; operation ids are unique', () => {
    const doc = buildOpenApi(sources());
    expect((doc['paths'] as Record<string, unknown>)['/shop/off']).toBeUndefined();
    const ids = Object.values(doc['paths'] as Record<string, Record<string, Op>>).flatMap((i) =>
      Object.values(i).map((o) => o['operationId']),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the validator is not a rubber stamp: a path param left out, or a bad schema type, is refused', async () => {
    const doc = buildChannelOpenApi(sources(), 'proxy');
    const broken = structuredClone(doc);
    for (const o of Object.values((broken['paths'] as Record<string, Record<string, Op>>)['/shop/proxy/{rest}']!))
      delete o.parameters;
    expect((await validate(broken as never)).valid).toBe(false);
    const badType = structuredClone(buildChannelOpenApi(sources(), 'order-json'));
    op(badType, '/shop/order', 'post').requestBody!.content['application/json']!.schema['type'] = 'integerish';
    await expect(checkOpenApi(badType)).rejects.toThrow(/Ajv/);
  });

  it('real payloads match the schemas; wrong ones do not', () => {
    const doc = buildOpenApi(sources());
    const body = ['/shop/order', 'post', 'requestBody', 'content', 'application/json', 'schema'];
    const good = {
      id: 1,
      customer: 'ACME',
      placed: '2026-12-07T10:00:00Z',
      total: '12.30',
      lines: [{ sku: 'A', qty: 2, price: '6.15' }],
      ship: { city: 'Oslo', geo: { lat: 1, lon: 2 } },
    };
    expect(checkValue(doc, body, good)).toEqual([]);
    expect(checkValue(doc, body, { ...good, lines: [{ sku: 'A' }] }).join()).toContain('qty');
    expect(checkValue(doc, body, { ...good, placed: 'yesterday' }).join()).toContain('date-time');
    const ok = ['/shop/order', 'post', 'responses', '200', 'content', 'application/json', 'schema'];
    const answer = {
      id: 1,
      total: '12.30',
      placed: '2026-12-07T10:00:00.000Z',
      status: 'accepted',
      note: null,
      lines: [{ sku: 'A', amount: '12.30' }],
    };
    expect(checkValue(doc, ok, answer)).toEqual([]);
    expect(checkValue(doc, ok, { ...answer, secret: 1 }).join()).toContain('additional');
    const err = ['/shop/order', 'post', 'responses', '400', 'content', 'application/json', 'schema'];
    expect(
      checkValue(doc, err, {
        error: {
          code: 'WHARF_ERR_MISSING_ELEMENT',
          message: 'Missing required element `id`',
          cid: 'c1',
          details: { element: 'id' },
        },
      }),
    ).toEqual([]);
  });

  it('two channels on the same path shape with other param names share one path item', async () => {
    const a = { ...channels[0]!, name: 'by-id', urlPath: '/shop/item/{id}', method: 'GET' };
    const b = { ...channels[0]!, name: 'by-n', urlPath: '/shop/item/{n}', method: 'POST', service: 'shop.scalar' };
    const doc = buildOpenApi(sources({ channels: [a, b] }));
    expect(Object.keys(doc['paths'] as object)).toEqual(['/shop/item/{id}']);
    const post = op(doc, '/shop/item/{id}', 'post');
    expect(post.parameters![0]).toMatchObject({
      name: 'id',
      in: 'path',
      description: 'the element `n` of this channel',
      schema: { type: 'integer' },
    });
    await expectValid(doc);
  });

  it('no channels at all is still a valid document', async () => {
    expect(await checkOpenApi(buildOpenApi(sources({ channels: [] })))).toBe(0);
  });

  it('an element kind it does not know is a clear error naming it', () => {
    const weird = {
      name: 'shop.weird',
      input: { a: int(), b: { spec: { kind: 'money' }, isRequired: true, hasDefault: false } },
      hasHandle: true,
    };
    const src = sources({
      services: new Map([['shop.weird', weird]]),
      channels: [{ ...channels[0]!, service: 'shop.weird' }],
    });
    const e = (() => {
      try {
        buildOpenApi(src);
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(WharfError);
    expect((e as WharfError).code).toBe('WHARF_ERR_CONTRACT');
    expect((e as WharfError).message).toContain('element `b`');
    expect((e as WharfError).message).toContain('`money`');
  });

  it('an unknown channel is 404', () => {
    expect(() => buildChannelOpenApi(sources(), 'nope')).toThrow(/no HTTP channel `nope`/);
  });
});
