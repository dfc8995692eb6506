/**
 * Contracts on a real server (issue 15): a service with a nested SimpleIO declaration (listOf, object,
 * decimal, datetime, optional, default elements) behind JSON, XML and SOAP 1.1/1.2 channels. The
 * OpenAPI document fetched over the admin API passes @readme/openapi-parser and Ajv, and the real
 * answers of the JSON channel match its schemas; so does the public GET /wharf/openapi.json (no
 * credentials; active channels only). Python's zeep builds a client from the SOAP channel's own URL
 * with ?wsdl (and from the WSDL of the admin API) and calls the SOAP channels: the answer it parses
 * equals the service's output, and lxml sees it qualified like the request (issue 15 item 6). The CLI
 * writes both documents to files.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../src/service/contracts/openapi.js';
import { checkOpenApi, checkValue } from '../support/contracts/schema-check.js';
import { createEnv, ROOT, type TestEnv } from '../helpers/env.js';

const run = promisify(execFile);
const ZEEP = join(ROOT, 'test/support/contracts/zeep_client.py');

const SERVICES = `import { bool, date, datetime, decimal, float, int, list, listOf, object, opaque, service, text, uuid } from 'wharf';

export class Order extends service({
  name: 'shop.order',
  description: 'Takes an order and answers what was booked',
  input: {
    id: int().describe('Order number'),
    customer: text(),
    placed: datetime(),
    due: date().optional(),
    total: decimal(),
    rate: float().default(1.5),
    rush: bool().default(false),
    ref: uuid().optional(),
    tags: list(text()).default([]),
    lines: listOf({ sku: text(), qty: int(), price: decimal(), note: text().optional() }),
    ship: object({ city: text(), zip: text().optional(), geo: object({ lat: float(), lon: float() }).optional() }).optional(),
    extra: opaque().optional(),
  },
  output: {
    id: int(),
    total: decimal().describe('Sum of the lines'),
    placed: datetime(),
    status: text().default('accepted'),
    note: text().optional(),
    lines: listOf({ sku: text(), amount: decimal() }),
    flags: list(bool()).optional(),
    rate: float(),
    rush: bool(),
    due: date().optional(),
    ref: uuid().optional(),
  },
}) {
  async handle() {
    const i = this.input;
    return {
      id: i.id,
      total: i.total,
      placed: i.placed,
      ...(i.ship?.zip ? { note: 'zip ' + i.ship.zip + ' ' + i.ship.city } : {}),
      lines: i.lines.map((l) => ({ sku: l.sku, amount: l.price })),
      ...(i.tags.length > 0 ? { flags: i.tags.map((t) => t.length > 2) } : {}),
      rate: i.rate,
      rush: i.rush,
      ...(i.due ? { due: i.due } : {}),
      ...(i.ref ? { ref: i.ref } : {}),
    };
  }
}

export class Raw extends service({ name: 'shop.raw' }) {
  async handle() {
    return { ok: true };
  }
}
`;

const CONFIG = `security:
  basicAuth:
    - name: shop-basic
      username: shop
      password: shop-secret-1
channels:
  http:
    - { name: order-json, urlPath: /shop/order, method: POST, service: shop.order, security: shop-basic }
    - { name: order-path, urlPath: "/shop/customer/{customer}/order/{id}", service: shop.order }
    - { name: order-xml, urlPath: /shop/order.xml, method: PUT, service: shop.order, dataFormat: xml, requestElement: order }
    - { name: order-soap11, urlPath: /shop/order.soap11, service: shop.order, dataFormat: soap, soapVersion: "1.1" }
    - { name: order-soap12, urlPath: /shop/order.soap12, service: shop.order, dataFormat: soap, soapVersion: "1.2", soapAction: "urn:shop:order" }
    - { name: raw, urlPath: /shop/raw, service: shop.raw }
    - { name: raw-soap, urlPath: /shop/raw.soap, method: POST, service: shop.raw, dataFormat: soap }
    - { name: order-off, urlPath: /shop/off, service: shop.order, active: false }
`;

/** What zeep sends: tagged values become Decimal / datetime in the Python client. */
const FULL_INPUT = {
  id: 42,
  customer: 'ACME',
  placed: { $datetime: '2026-12-07T10:11:12.345Z' },
  total: { $decimal: '12.30' },
  rate: 2.5,
  rush: true,
  tags: ['ab', 'xyz'],
  lines: [
    { sku: 'A-1', qty: 2, price: { $decimal: '6.15' } },
    { sku: 'B', qty: 1, price: { $decimal: '0.00' }, note: 'free' },
  ],
  ship: { city: 'Oslo', zip: '0150', geo: { lat: 59.9, lon: 10.7 } },
  due: { $date: '2026-12-24' },
  ref: '3F2504E0-4F89-11D3-9A0C-0305E82C3301',
};
/** The same input as JSON for the JSON channel. */
const FULL_JSON = JSON.parse(
  JSON.stringify(FULL_INPUT).replace(/\{"\$(decimal|datetime|date)":("[^"]*")\}/g, '$2'),
) as Record<string, unknown>;
/** The service's output for it, as Wharf normalises it (decimals as strings, Dates as ISO). */
const FULL_OUTPUT = {
  id: 42,
  total: '12.30',
  placed: '2026-12-07T10:11:12.345Z',
  status: 'accepted',
  note: 'zip 0150 Oslo',
  lines: [
    { sku: 'A-1', amount: '6.15' },
    { sku: 'B', amount: '0.00' },
  ],
  flags: [false, true],
  rate: 2.5,
  rush: true,
  due: '2026-12-24',
  ref: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
};
/** Only the required elements: defaults fill rate, rush, tags and status; note and flags are absent. */
const MIN_INPUT = {
  id: 7,
  customer: 'Zed',
  placed: { $datetime: '2026-01-02T03:04:05Z' },
  total: { $decimal: '1' },
  lines: [{ sku: 'C', qty: 3, price: { $decimal: '0.5' } }],
};
const MIN_OUTPUT = {
  id: 7,
  total: '1',
  placed: '2026-01-02T03:04:05.000Z',
  status: 'accepted',
  lines: [{ sku: 'C', amount: '0.5' }],
  rate: 1.5,
  rush: false,
};

describe('OpenAPI and WSDL from SimpleIO, on a real server', () => {
  let env: TestEnv;
  const basic = `Basic ${Buffer.from('shop:shop-secret-1').toString('base64')}`;
  const adminAuth = (): string => `Basic ${Buffer.from(`admin:${env.adminPassword}`).toString('base64')}`;
  const adminGet = (path: string): Promise<Response> => env.fetch(path, { headers: { authorization: adminAuth() } });

  beforeAll(async () => {
    env = await createEnv({ workers: 1 });
    await env.deploy('shop.ts', SERVICES);
    await env.importYaml(CONFIG);
  });
  afterAll(async () => {
    await env?.destroy();
  });

  async function zeep(args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run('/usr/bin/python3', [ZEEP, ...args], { timeout: 90_000 });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  async function wsdlFile(channel: string): Promise<string> {
    const r = await adminGet(`/wharf/admin/wsdl?channel=${channel}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const f = join(env.dir, '..', `${channel}.wsdl`);
    writeFileSync(f, await r.text());
    return f;
  }

  it('GET /wharf/admin/openapi.json: every HTTP channel, valid for @readme/openapi-parser and Ajv', async () => {
    const r = await adminGet('/wharf/admin/openapi.json');
    expect(r.status).toBe(200);
    const doc = (await r.json()) as OpenApiDocument;
    expect(await checkOpenApi(doc)).toBeGreaterThan(20);
    expect(doc['servers']).toEqual([{ url: env.base }]);
    expect(Object.keys(doc['paths'] as object).sort()).toEqual([
      '/shop/customer/{customer}/order/{id}',
      '/shop/order',
      '/shop/order.soap11',
      '/shop/order.soap12',
      '/shop/order.xml',
      '/shop/raw',
      '/shop/raw.soap',
    ]);
    expect((doc['components'] as { securitySchemes: unknown }).securitySchemes).toEqual({
      'shop-basic': { type: 'http', scheme: 'basic', description: expect.stringContaining('realm Wharf') },
    });
    expect(JSON.stringify(doc)).not.toContain('shop-secret-1');
    const one = await adminGet('/wharf/admin/openapi.json?channel=order-path&base=https://api.example.com/');
    const single = (await one.json()) as OpenApiDocument;
    await checkOpenApi(single);
    expect(single['servers']).toEqual([{ url: 'https://api.example.com' }]);
    expect(
      Object.keys((single['paths'] as Record<string, object>)['/shop/customer/{customer}/order/{id}']!).sort(),
    ).toEqual(['delete', 'get', 'patch', 'post', 'put']);
  });

  it("the JSON channel's real answers match the document's schemas (200 and 400)", async () => {
    const doc = (await (await adminGet('/wharf/admin/openapi.json?channel=order-json')).json()) as OpenApiDocument;
    const at = ['/shop/order', 'post'];
    expect(checkValue(doc, [...at, 'requestBody', 'content', 'application/json', 'schema'], FULL_JSON)).toEqual([]);
    const ok = await env.fetch('/shop/order', {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify(FULL_JSON),
    });
    expect(ok.status).toBe(200);
    const answer = await ok.json();
    expect(answer).toEqual(FULL_OUTPUT);
    expect(checkValue(doc, [...at, 'responses', '200', 'content', 'application/json', 'schema'], answer)).toEqual([]);
    const bad = await env.fetch('/shop/order', {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: '{"id":"x"}',
    });
    expect(bad.status).toBe(400);
    expect(
      checkValue(doc, [...at, 'responses', '400', 'content', 'application/json', 'schema'], await bad.json()),
    ).toEqual([]);
    const anon = await env.fetch('/shop/order', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anon.status).toBe(401);
    expect(
      checkValue(doc, [...at, 'responses', '401', 'content', 'application/json', 'schema'], await anon.json()),
    ).toEqual([]);
  });

  for (const [channel, version, action] of [
    ['order-soap11', '1.1', ''],
    ['order-soap12', '1.2', 'urn:shop:order'],
  ] as const) {
    it(`zeep builds a client from the WSDL of ${channel} (SOAP ${version}) and its answers equal the service's output`, async () => {
      const f = await wsdlFile(channel);
      const wsdl = readFileSync(f, 'utf8');
      expect(wsdl).toContain(`location="${env.base}/shop/${channel.replace('order-', 'order.')}"`);
      const described = (await zeep(['describe', f])) as {
        operations: Record<string, { soapAction: string; address: string }>;
      };
      expect(Object.keys(described.operations)).toEqual(['shop.order']);
      expect(described.operations['shop.order']).toMatchObject({
        soapAction: action,
        address: `${env.base}/shop/${channel.replace('order-', 'order.')}`,
      });
      expect(await zeep(['call', f, 'shop.order', JSON.stringify(FULL_INPUT)])).toEqual({ result: FULL_OUTPUT });
      expect(await zeep(['call', f, 'shop.order', JSON.stringify(MIN_INPUT)])).toEqual({ result: MIN_OUTPUT });
      // libxml2 (lxml's XMLSchema) checks what zeep is lenient about: zeep's request and the channel's raw
      // answer are valid against the XSDs embedded in the WSDL.
      for (const input of [FULL_INPUT, MIN_INPUT]) {
        const tns = `{urn:wharf:channel:${channel}}`;
        expect(await zeep(['strict', f, 'shop.order', JSON.stringify(input)])).toEqual({
          request: [],
          response: [],
          status: 200,
          soapAction: action,
          // The answer is in the WSDL's target namespace, children qualified, as the request was (issue 15 item 6).
          tags: {
            element: `${tns}shop.orderResponse`,
            children: expect.arrayContaining([`${tns}id`, `${tns}lines`, `${tns}rush`]) as unknown,
          },
        });
      }
      // zeep checks the schema itself (an empty required list never leaves it); a value the schema
      // lets through but Wharf refuses (30 February) comes back as a SOAP Fault with Wharf's code.
      await expect(zeep(['call', f, 'shop.order', JSON.stringify({ ...MIN_INPUT, lines: [] })])).rejects.toThrow(
        /minOccurs/,
      );
      const fault = (await zeep([
        'call',
        f,
        'shop.order',
        JSON.stringify({ ...MIN_INPUT, placed: '2026-02-30T00:00:00Z' }),
      ])) as { fault?: { message: string; detail: string } };
      expect(fault.fault?.message).toBe('Invalid value for `placed`: expected datetime (ISO 8601)');
      expect(fault.fault?.detail).toContain('WHARF_ERR_INVALID_ELEMENT');
    });
  }

  it('GET /wharf/openapi.json: public, valid, the active channels only, nothing of /wharf/admin', async () => {
    const r = await env.fetch('/wharf/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const doc = (await r.json()) as OpenApiDocument;
    const operations = await checkOpenApi(doc);
    expect(operations).toBeGreaterThan(20);
    expect(doc['servers']).toEqual([{ url: env.base }]);
    const paths = Object.keys(doc['paths'] as object).sort();
    expect(paths).toEqual([
      '/shop/customer/{customer}/order/{id}',
      '/shop/order',
      '/shop/order.soap11',
      '/shop/order.soap12',
      '/shop/order.xml',
      '/shop/raw',
      '/shop/raw.soap',
    ]);
    const text = JSON.stringify(doc);
    expect(text).not.toContain('/wharf/');
    expect(text).not.toContain('order-off');
    expect(text).not.toContain('shop-secret-1');
    // The SOAP channels point at their own ?wsdl.
    expect(text).toContain("the channel's WSDL (GET /shop/order.soap11?wsdl)");
    const one = await env.fetch('/wharf/openapi.json?channel=order-xml');
    const single = (await one.json()) as OpenApiDocument;
    await checkOpenApi(single);
    expect(Object.keys(single['paths'] as object)).toEqual(['/shop/order.xml']);
    const head = await env.fetch('/wharf/openapi.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    // An inactive or unknown channel is not found (the admin API still describes an inactive one); POST is 405.
    for (const q of ['?channel=order-off', '?channel=nope']) {
      const nf = await env.fetch(`/wharf/openapi.json${q}`);
      expect(nf.status).toBe(404);
      expect(((await nf.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_NOT_FOUND');
    }
    expect((await adminGet('/wharf/admin/openapi.json?channel=order-off')).status).toBe(200);
    const post = await env.fetch('/wharf/openapi.json', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await env.fetch('/wharf/openapi.json?channel=a&channel=b')).status).toBe(400);
  });

  it('GET <SOAP channel>?wsdl: the WSDL where SOAP clients look; zeep builds itself from that URL; 404 on other channels', async () => {
    const r = await env.fetch('/shop/order.soap11?wsdl');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const wsdl = await r.text();
    expect(wsdl).toContain(`<soap:address location="${env.base}/shop/order.soap11"/>`);
    expect(wsdl).toBe(await (await adminGet('/wharf/admin/wsdl?channel=order-soap11')).text());
    expect((await env.fetch('/shop/order.soap12?WSDL')).status).toBe(200);
    for (const channel of ['order-soap11', 'order-soap12']) {
      const url = `${env.base}/shop/${channel.replace('order-', 'order.')}?wsdl`;
      expect(await zeep(['call', url, 'shop.order', JSON.stringify(FULL_INPUT)])).toEqual({ result: FULL_OUTPUT });
      const strict = (await zeep(['strict', url, 'shop.order', JSON.stringify(MIN_INPUT)])) as {
        request: string[];
        response: string[];
        status: number;
      };
      expect(strict).toMatchObject({ request: [], response: [], status: 200 });
    }
    // A SOAP channel that takes POST only (GET ?wsdl meets no GET channel), a service with no declaration: an opaque contract.
    const raw = await env.fetch('/shop/raw.soap?wsdl');
    expect(raw.status).toBe(200);
    const rawUrl = `${env.base}/shop/raw.soap?wsdl`;
    expect(Object.keys(((await zeep(['describe', rawUrl])) as { operations: object }).operations)).toEqual([
      'shop.raw',
    ]);
    expect(await zeep(['strict', rawUrl, 'shop.raw', '{}'])).toMatchObject({
      request: [],
      response: [],
      status: 200,
      tags: { element: '{urn:wharf:channel:raw-soap}shop.rawResponse', children: ['{urn:wharf:channel:raw-soap}ok'] },
    });
    // Not a SOAP channel: 404 in the channel's format (JSON here), also where the channel does not take GET.
    for (const path of ['/shop/raw?wsdl', '/shop/customer/c/order/1?wsdl', '/shop/order?wsdl']) {
      const nf = await env.fetch(path);
      expect(nf.status).toBe(404);
      expect(nf.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await nf.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'WHARF_ERR_NOT_FOUND',
        message: expect.stringContaining('not a SOAP channel'),
      });
    }
    // The XML channel (PUT only): the 404 in XML. Other query strings are the service's business, as before.
    const xml = await env.fetch('/shop/order.xml?wsdl');
    expect(xml.status).toBe(404);
    expect(xml.headers.get('content-type')).toBe('application/xml');
    expect(await xml.text()).toContain('<code>WHARF_ERR_NOT_FOUND</code>');
    expect((await env.fetch('/shop/raw?wsdl=1')).status).toBe(200);
  });

  it('HEAD <SOAP channel>?wsdl answers like GET without a body (also where the channel takes POST only); 404 elsewhere', async () => {
    for (const path of ['/shop/order.soap11?wsdl', '/shop/raw.soap?wsdl']) {
      const get = await env.fetch(path);
      const body = await get.text();
      const head = await env.fetch(path, { method: 'HEAD' });
      expect(head.status, path).toBe(200);
      expect(head.headers.get('content-type')).toBe('text/xml; charset=utf-8');
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
      expect(await head.text()).toBe('');
    }
    const nf = await env.fetch('/shop/order?wsdl', { method: 'HEAD' });
    expect(nf.status).toBe(404);
    expect(await nf.text()).toBe('');
  });

  it('SOAP answers are qualified like the request: in its namespace, children qualified or not as its children were', async () => {
    const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
    const S12 = 'http://www.w3.org/2003/05/soap-envelope';
    const body = (ns: string, inner: string): string =>
      `<?xml version="1.0"?><s:Envelope xmlns:s="${ns}"><s:Body>${inner}</s:Body></s:Envelope>`;
    const minimal = (p: string): string =>
      `<${p}id>7</${p}id><${p}customer>Zed</${p}customer><${p}placed>2026-01-02T03:04:05Z</${p}placed><${p}total>1</${p}total><${p}lines><${p}sku>C</${p}sku><${p}qty>3</${p}qty><${p}price>0.5</${p}price></${p}lines>`;
    const tagsOf = async (
      path: string,
      ns: string,
      inner: string,
      ct: string,
    ): Promise<{ element: string; children: string[] }> => {
      const r = await env.fetch(path, { method: 'POST', headers: { 'content-type': ct }, body: body(ns, inner) });
      expect(r.status).toBe(200);
      const f = join(env.dir, '..', `answer-${Math.random().toString(36).slice(2)}.xml`);
      writeFileSync(f, await r.text());
      return (await zeep(['tags', f])) as unknown as { element: string; children: string[] };
    };
    const kids = (ns: string): string[] =>
      ['id', 'total', 'placed', 'status', 'lines', 'rate', 'rush'].map((k) => `${ns}${k}`);
    // .NET style: a default namespace, children qualified → the same back.
    expect(
      await tagsOf('/shop/order.soap11', S11, `<order xmlns="urn:acme">${minimal('')}</order>`, 'text/xml'),
    ).toEqual({ element: '{urn:acme}orderResponse', children: kids('{urn:acme}') });
    // JAX-WS style: the wrapper qualified, children not → the same back.
    expect(
      await tagsOf('/shop/order.soap11', S11, `<m:order xmlns:m="urn:acme">${minimal('')}</m:order>`, 'text/xml'),
    ).toEqual({ element: '{urn:acme}orderResponse', children: kids('') });
    // SOAP 1.2, prefixed and qualified children.
    expect(
      await tagsOf(
        '/shop/order.soap12',
        S12,
        `<m:order xmlns:m="urn:acme:12">${minimal('m:')}</m:order>`,
        'application/soap+xml; action="urn:shop:order"',
      ),
    ).toEqual({ element: '{urn:acme:12}orderResponse', children: kids('{urn:acme:12}') });
    // No namespace: unqualified, as before.
    expect(await tagsOf('/shop/order.soap11', S11, `<order>${minimal('')}</order>`, 'text/xml')).toEqual({
      element: 'orderResponse',
      children: kids(''),
    });
  });

  it('bad requests: no channel, an unknown one, a non-SOAP one, no credentials', async () => {
    const none = await adminGet('/wharf/admin/wsdl');
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_BAD_REQUEST');
    const unknown = await adminGet('/wharf/admin/wsdl?channel=nope');
    expect(unknown.status).toBe(404);
    const json = await adminGet('/wharf/admin/wsdl?channel=order-json');
    expect(json.status).toBe(404);
    expect(((await json.json()) as { error: { message: string } }).error.message).toContain('not a SOAP channel');
    expect((await adminGet('/wharf/admin/openapi.json?channel=nope')).status).toBe(404);
    expect((await adminGet('/wharf/admin/openapi.json?base=ftp://x')).status).toBe(400);
    expect((await env.fetch('/wharf/admin/openapi.json')).status).toBe(401);
    expect((await env.fetch('/wharf/admin/wsdl?channel=order-soap11')).status).toBe(401);
  });

  it('wharf openapi / wharf wsdl write the documents to files; a wrong channel is a clear error', async () => {
    const oa = join(env.dir, '..', 'cli-openapi.json');
    await env.ok(['openapi', 'ENV', '-o', oa]);
    expect(await checkOpenApi(JSON.parse(readFileSync(oa, 'utf8')) as OpenApiDocument)).toBeGreaterThan(20);
    const one = JSON.parse(await env.ok(['openapi', 'ENV', '--channel', 'raw'])) as OpenApiDocument;
    expect(Object.keys(one['paths'] as object)).toEqual(['/shop/raw']);
    await checkOpenApi(one);
    const ws = join(env.dir, '..', 'cli.wsdl');
    await env.ok(['wsdl', 'ENV', '--channel', 'order-soap12', '-o', ws]);
    expect(readFileSync(ws, 'utf8')).toContain('<soap12:operation soapAction="urn:shop:order" style="document"/>');
    expect(await zeep(['call', ws, 'shop.order', JSON.stringify(MIN_INPUT)])).toEqual({ result: MIN_OUTPUT });
    const bad = await env.cli(['wsdl', 'ENV', '--channel', 'order-json']);
    expect(bad.code).toBe(9);
    expect(bad.stderr).toContain('not a SOAP channel');
    const missing = await env.cli(['wsdl', 'ENV']);
    expect(missing.code).toBe(2);
  });

  it("X-Forwarded-Proto/-Host set the contracts' base URL only with contracts.trustForwarded: true (after a restart)", async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' };
    const address = async (): Promise<string> => {
      const wsdl = await (await env.fetch('/shop/order.soap11?wsdl', { headers: forwarded })).text();
      return /<soap:address location="([^"]*)"/.exec(wsdl)![1]!;
    };
    const servers = async (headers: Record<string, string>): Promise<unknown> =>
      ((await (await env.fetch('/wharf/openapi.json', { headers })).json()) as { servers: unknown }).servers;
    // By default any client could send them: ignored.
    expect(await address()).toBe(`${env.base}/shop/order.soap11`);
    expect(await servers(forwarded)).toEqual([{ url: env.base }]);

    const file = join(env.dir, 'server1/config/server.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8').trimEnd()}\ncontracts:\n  trustForwarded: true\n`);
    await env.stop();
    await env.start();
    expect(await address()).toBe('https://api.example.com/shop/order.soap11');
    expect(await servers(forwarded)).toEqual([{ url: 'https://api.example.com' }]);
    // The first value of a list counts; a proto only keeps the Host; malformed values are ignored.
    expect(await servers({ 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'a.example.com:8443, b' })).toEqual([
      { url: 'https://a.example.com:8443' },
    ]);
    expect(await servers({ 'x-forwarded-proto': 'https' })).toEqual([{ url: env.base.replace('http:', 'https:') }]);
    expect(await servers({ 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'evil.com/"><x' })).toEqual([
      { url: env.base },
    ]);
  });
});
