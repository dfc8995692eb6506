/**
 * Content-based routing by configuration (`channels.http` `routes`), end to end through a real Wharf
 * environment made by the CLI and a real node:http backend: a transport header, XPath on a SOAP body,
 * a JSON Pointer sending requests to a service; refusals as a fixed document or in the channel's
 * format; the connection stays usable after a refusal with an unread body; routes edited live; refs
 * to outgoing connections checked on save and on delete.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, ROOT, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');
const ROUTING = 'xadmin;server1;community#1.0##';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const FAULT = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP11}"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>Routing header does not match</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;
const order = (symbol: string): string =>
  `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="${SOAP11}"><soapenv:Header><routing xmlns="http://someuri">${ROUTING}</routing></soapenv:Header><soapenv:Body><m:buyStocks xmlns:m="http://services.samples/xsd"><order><symbol>${symbol}</symbol><volume>10</volume></order><order><symbol>IBM</symbol></order></m:buyStocks></soapenv:Body></soapenv:Envelope>`;

let env: TestEnv;
let backend: Server;
let backendPort = 0;

async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  res.writeHead(200, {
    'content-type': req.headers['content-type'] ?? 'application/octet-stream',
    'x-seen-path': new URL(req.url ?? '/', 'http://x').pathname,
  });
  res.end(Buffer.concat(chunks));
}

beforeAll(async () => {
  backend = createServer((req, res) => void onRequest(req, res));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  backendPort = (backend.address() as AddressInfo).port;
  env = await createEnv();
  await env.deploy('echo.ts', ECHO);
  await env.importYaml(`outgoing:
  http:
    - { name: stocks, address: "http://127.0.0.1:${backendPort}", path: /stocks, dataFormat: raw }
    - { name: other, address: "http://127.0.0.1:${backendPort}", path: /other, dataFormat: raw }
channels:
  http:
    - name: cbr-header
      urlPath: /cbr/header
      dataFormat: plain
      routes:
        - when: { header: routing, equals: "${ROUTING}" }
          proxyTo: stocks
        - reject: { status: 500, contentType: "text/xml; charset=utf-8", body: '${FAULT}' }
    - name: cbr-body
      urlPath: /cbr/body
      dataFormat: soap
      maxBodySize: 4000
      routes:
        - when: { xpath: "//order[1]/symbol", equals: IBM }
          proxyTo: stocks
        - reject: { status: 422, message: First order must be for the symbol IBM }
    - name: json-router
      urlPath: /orders
      proxyTo: other
      routes:
        - when: { jsonPointer: /kind, equals: echo }
          service: test.echo
        - when: [{ query: region, oneOf: [eu, uk] }, { header: x-tier, equals: gold }]
          proxyTo: stocks
    - name: by-region
      urlPath: /regions/{region}
      routes:
        - when: { param: region, equals: eu }
          proxyTo: stocks
        - when: { header: x-test, not: true }
          proxyTo: other
        - reject: { status: 404, message: no such region }
`);
}, 60_000);

afterAll(async () => {
  await env?.destroy();
  backend.closeAllConnections();
  await new Promise((r) => backend.close(r));
});

/** Sends raw requests one after the other on one TCP connection; resolves each answer's head and body. */
async function onOneConnection(requests: string[]): Promise<{ status: number; body: string }[]> {
  const sock = connect(env.port, '127.0.0.1');
  await new Promise<void>((r, j) => sock.once('connect', r).once('error', j));
  const answers: { status: number; body: string }[] = [];
  let buf = Buffer.alloc(0);
  const next = (): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const tryParse = (): boolean => {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return false;
        const head = buf.subarray(0, end).toString('latin1');
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? '0');
        if (buf.length < end + 4 + len) return false;
        const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
        buf = buf.subarray(end + 4 + len);
        resolve({ status: Number(head.split(' ')[1]), body });
        return true;
      };
      if (tryParse()) return;
      const onData = (d: Buffer): void => {
        buf = Buffer.concat([buf, d]);
        if (tryParse()) sock.off('data', onData).off('close', onClose);
      };
      const onClose = (): void => reject(new Error(`connection closed after ${answers.length} answers`));
      sock.on('data', onData).once('close', onClose);
    });
  try {
    for (const r of requests) {
      sock.write(r);
      answers.push(await next());
    }
  } finally {
    sock.destroy();
  }
  return answers;
}

describe('HTTP channel routes (content-based routing by configuration)', () => {
  it('routes on a transport header; a refusal is the configured document, byte for byte', async () => {
    const ok = await env.fetch('/cbr/header', {
      method: 'POST',
      headers: { 'content-type': 'text/xml', routing: ROUTING },
      body: order('IBM'),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-seen-path')).toBe('/stocks');
    expect(await ok.text()).toBe(order('IBM'));

    const no = await env.fetch('/cbr/header', {
      method: 'POST',
      headers: { 'content-type': 'text/xml', routing: 'xadmin;server2;community#1.0##' },
      body: order('IBM'),
    });
    expect(no.status).toBe(500);
    expect(no.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(no.headers.get('x-wharf-cid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await no.text()).toBe(FAULT);
  });

  it('a refusal that did not read the body leaves the connection usable for the next request', async () => {
    const body = order('IBM');
    const req = (routing: string): string =>
      `POST /cbr/header HTTP/1.1\r\nhost: x\r\ncontent-type: text/xml\r\nrouting: ${routing}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const answers = await onOneConnection([req('nope'), req(ROUTING), req('nope'), req(ROUTING)]);
    expect(answers.map((a) => a.status)).toEqual([500, 200, 500, 200]);
    expect(answers[1]!.body).toBe(body);
    expect(answers[2]!.body).toBe(FAULT);
  });

  it('routes on XPath in a SOAP body; refusals and unreadable bodies come back as SOAP Faults', async () => {
    const ok = await env.fetch('/cbr/body', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: order('IBM'),
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(order('IBM'));

    const no = await env.fetch('/cbr/body', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: order('MSFT'),
    });
    expect(no.status).toBe(422);
    const fault = await no.text();
    expect(fault).toContain(
      '<faultcode>soapenv:Client</faultcode><faultstring>First order must be for the symbol IBM</faultstring>',
    );
    expect(fault).toContain('<wharf:code>WHARF_ERR_ROUTE_REJECTED</wharf:code>');

    const bad = await env.fetch('/cbr/body', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<soapenv:Envelope><unclosed>',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/soapenv:Fault.*Malformed XML body/);

    const big = await env.fetch('/cbr/body', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: order('IBM').padEnd(5000, ' '),
    });
    expect(big.status).toBe(413);
  });

  it('sends requests to a service by a JSON Pointer, to a connection by query and header together, else to the channel default', async () => {
    const svc = await env.fetch('/orders?name=q', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'echo', id: 7 }),
    });
    expect(svc.status).toBe(200);
    const out = (await svc.json()) as { input: { id: number; name: string }; channel: string; raw: string };
    expect(out.input).toMatchObject({ id: 7, name: 'q' });
    expect(out.channel).toBe('json-router');
    expect(JSON.parse(out.raw)).toEqual({ kind: 'echo', id: 7 });

    const eu = await env.fetch('/orders?region=uk', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tier': 'gold' },
      body: '{"kind":"buy"}',
    });
    expect(eu.headers.get('x-seen-path')).toBe('/stocks');
    const plain = await env.fetch('/orders?region=uk', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kind":"buy"}',
    });
    expect(plain.headers.get('x-seen-path')).toBe('/other');
    expect(await plain.text()).toBe('{"kind":"buy"}');

    const bad = await env.fetch('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kind": ',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_MALFORMED_BODY');
  });

  it('routes on a path parameter, and on a header being absent (`not`)', async () => {
    expect((await env.fetch('/regions/eu', { method: 'POST', body: '{}' })).headers.get('x-seen-path')).toBe('/stocks');
    expect((await env.fetch('/regions/us', { method: 'POST', body: '{}' })).headers.get('x-seen-path')).toBe('/other');
    const no = await env.fetch('/regions/us', { method: 'POST', headers: { 'x-test': '1' }, body: '{}' });
    expect(no.status).toBe(404);
    expect(((await no.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'WHARF_ERR_ROUTE_REJECTED',
      message: 'no such region',
    });
  });

  it('routes edited live through the CLI take effect with no restart', async () => {
    const routes = JSON.stringify([
      { when: { header: 'routing', oneOf: [ROUTING, 'xadmin;server2;community#1.0##'] }, proxyTo: 'other' },
      { reject: { status: 503, message: 'closed' } },
    ]);
    await env.ok(['channel', 'http', 'edit', 'ENV', 'cbr-header', '--routes', routes]);
    const r = await eventually(async () => {
      const x = await env.fetch('/cbr/header', {
        method: 'POST',
        headers: { 'content-type': 'text/xml', routing: 'xadmin;server2;community#1.0##' },
        body: 'b',
      });
      return x.status === 200 ? x : undefined;
    });
    expect(r.headers.get('x-seen-path')).toBe('/other');
    const closed = await env.fetch('/cbr/header', {
      method: 'POST',
      headers: { 'content-type': 'text/xml', routing: 'x' },
      body: 'b',
    });
    expect(closed.status).toBe(503);
    expect(await closed.text()).toMatch(/^WHARF_ERR_ROUTE_REJECTED: closed \(cid [0-9a-f-]{36}\)/); // dataFormat plain: the error as text
  });

  it('routes round-trip through enmasse export and import unchanged', async () => {
    const out = await env.ok(['enmasse', 'export', 'ENV']);
    expect(out).toContain('routes:');
    expect(out).toContain('//order[1]/symbol');
    await env.importYaml(out);
    expect(await env.ok(['enmasse', 'export', 'ENV'])).toBe(out);
    const r = await env.fetch('/cbr/body', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: order('IBM'),
    });
    expect(r.status).toBe(200);
  });

  it('checks the connections routes name: on save, and before one of them is deleted', async () => {
    const orphan = await env.admin('POST', '/wharf/admin/config/channels.http', {
      name: 'orphan',
      urlPath: '/orphan',
      routes: [{ when: { header: 'a' }, proxyTo: 'nowhere' }, { proxyTo: 'stocks' }],
    });
    expect(orphan.status).toBe(400);
    expect(JSON.stringify(orphan.body)).toContain('routes[].proxyTo: no HTTP outgoing connection named `nowhere`');

    const del = await env.admin('DELETE', '/wharf/admin/config/outgoing.http/stocks');
    expect(del.status).toBe(409);
    expect(JSON.stringify(del.body)).toMatch(/cbr-body/);

    const broken = await env.admin('POST', '/wharf/admin/config/channels.http', {
      name: 'broken',
      urlPath: '/broken',
      routes: [{ when: { header: 'a', xpath: '//x' }, proxyTo: 'stocks' }],
    });
    expect(broken.status).toBe(400);
    const text = JSON.stringify(broken.body);
    expect(text).toContain(
      'routes.0.when: a condition names exactly one of header, query, param, xpath, jsonPointer (got header and xpath)',
    );
    const open = await env.admin('POST', '/wharf/admin/config/channels.http', {
      name: 'open',
      urlPath: '/open',
      routes: [{ when: { header: 'a' }, proxyTo: 'stocks' }],
    });
    expect(open.status).toBe(400);
    expect(JSON.stringify(open.body)).toContain('a request no rule matches has nowhere to go');
  });
});
