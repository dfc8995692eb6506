/**
 * Bad input on HTTP, JSON, XML, SOAP and form channels: every case gets a clear answer in the
 * channel's own format with the right status, and the server keeps serving.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, ROOT, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');
/** The fixture's line that throws (the logged stack must point at it, through the source map). */
const BOOM_LINE = ECHO.split('\n').findIndex((l) => l.includes("throw new Error('secret internal detail')")) + 1;
const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const S12 = 'http://www.w3.org/2003/05/soap-envelope';

const soap = (ns: string, body: string, header = ''): string =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="${ns}">${header ? `<s:Header>${header}</s:Header>` : ''}<s:Body>${body}</s:Body></s:Envelope>`;

describe('bad input gets a clear error in the channel format', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 1 });
    await env.deploy('echo.ts', ECHO);
    await env.importYaml(
      [
        'channels:',
        '  http:',
        '    - { name: json, urlPath: /json, service: test.required, maxBodySize: 1000 }',
        '    - { name: echo, urlPath: /echo, service: test.echo }',
        '    - { name: xml, urlPath: /xml, service: test.required, dataFormat: xml, requestElement: order }',
        '    - { name: soap11, urlPath: /soap11, service: test.required, dataFormat: soap, soapVersion: "1.1" }',
        '    - { name: soap12, urlPath: /soap12, service: test.required, dataFormat: soap, soapVersion: "1.2" }',
        '    - { name: form, urlPath: /form, service: test.required, dataFormat: form }',
        '    - { name: slow, urlPath: /slow, service: test.slow, timeoutMs: 300 }',
        '    - { name: boom, urlPath: /boom, service: test.boom }',
        '    - { name: boomsoap, urlPath: /boomsoap, service: test.boom, dataFormat: soap }',
        '    - { name: get, urlPath: /only-get, service: test.echo, method: GET }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await env?.destroy();
  });

  const post = (
    path: string,
    body: string | Buffer,
    ct = 'application/json',
    headers: Record<string, string> = {},
  ): Promise<Response> => env.fetch(path, { method: 'POST', body, headers: { 'content-type': ct, ...headers } });

  it('serves valid JSON, XML, SOAP 1.1, SOAP 1.2 and form requests', async () => {
    expect(await (await post('/json', '{"id":1,"email":"a@b"}')).json()).toEqual({ id: 1, email: 'a@b' });
    const x = await post('/xml', '<req><order><id>2</id><email>x@y</email></order></req>', 'application/xml');
    expect(x.headers.get('content-type')).toMatch(/application\/xml/);
    expect(await x.text()).toMatch(/<response><id>2<\/id><email>x@y<\/email><\/response>/);
    const s11 = await post(
      '/soap11',
      soap(S11, '<m:get xmlns:m="urn:x"><m:id>3</m:id><m:email>s@t</m:email></m:get>'),
      'text/xml',
      { soapaction: 'urn:get' },
    );
    expect(s11.status).toBe(200);
    expect(s11.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const t11 = await s11.text();
    expect(t11).toContain(S11);
    expect(t11).toMatch(/<getResponse xmlns="urn:x"><id>3<\/id><email>s@t<\/email><\/getResponse>/);
    const s12 = await post('/soap12', soap(S12, '<get><id>4</id><email>u@v</email></get>'), 'application/soap+xml');
    expect(s12.headers.get('content-type')).toMatch(/^application\/soap\+xml/);
    expect(await s12.text()).toContain(S12);
    expect(await (await post('/form', 'id=5&email=f%40g', 'application/x-www-form-urlencoded')).json()).toEqual({
      id: 5,
      email: 'f@g',
    });
  });

  it('malformed JSON → 400 JSON error', async () => {
    const r = await post('/json', '{"id":');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/json/);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_MALFORMED_BODY');
  });

  it('malformed XML → 400 XML error with a line number', async () => {
    const r = await post('/xml', '<req><order><id>1</order>', 'application/xml');
    expect(r.status).toBe(400);
    const t = await r.text();
    expect(t).toMatch(/<error><code>WHARF_ERR_MALFORMED_BODY<\/code>/);
    expect(t).toMatch(/line 1/);
  });

  it('malformed SOAP, SOAP without Body, wrong version → SOAP Faults', async () => {
    const m = await post('/soap11', '<s:Envelope xmlns:s="x"', 'text/xml');
    expect(m.status).toBe(400);
    expect(await m.text()).toMatch(/<soapenv:Fault><faultcode>soapenv:Client<\/faultcode>/);
    const nobody = await post('/soap11', `<s:Envelope xmlns:s="${S11}"><s:Header/></s:Envelope>`, 'text/xml');
    expect(nobody.status).toBe(400);
    expect(await nobody.text()).toMatch(/SOAP envelope has no Body/);
    const v = await post('/soap11', soap(S12, '<get/>'), 'text/xml');
    expect(v.status).toBe(400);
    expect(await v.text()).toMatch(/VersionMismatch/);
    const f12 = await post('/soap12', soap(S12, '<get><id>x</id></get>'), 'application/soap+xml');
    expect(f12.status).toBe(400);
    const t12 = await f12.text();
    expect(t12).toMatch(/<soapenv:Code><soapenv:Value>soapenv:Sender<\/soapenv:Value>/);
    expect(t12).toMatch(/Invalid value for `id`: expected int/);
  });

  it('wrong Content-Type → 415 naming the expected one', async () => {
    const r = await post('/json', '<a/>', 'application/xml');
    expect(r.status).toBe(415);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(
      /application\/xml.*expected application\/json/,
    );
    const s = await post('/soap11', '{}', 'application/json');
    expect(s.status).toBe(415);
    expect(await s.text()).toMatch(/Fault/);
  });

  it('missing required element → 400 naming it; wrong type → 400 naming element and type', async () => {
    const m = await post('/json', '{"id":1}');
    expect(m.status).toBe(400);
    expect(((await m.json()) as { error: { message: string; details: { element: string } } }).error).toMatchObject({
      message: 'Missing required element `email`',
      details: { element: 'email' },
    });
    const w = await post('/json', '{"id":"one","email":"e"}');
    expect(w.status).toBe(400);
    expect(((await w.json()) as { error: { message: string } }).error.message).toBe(
      'Invalid value for `id`: expected int',
    );
    const nested = await post('/echo', '{"items":[{"sku":"a","qty":1},{"sku":"b","qty":"x"}]}');
    expect(((await nested.json()) as { error: { message: string } }).error.message).toBe(
      'Invalid value for `items[1].qty`: expected int',
    );
  });

  it('body over the limit → 413, also when streamed without Content-Length', async () => {
    const r = await post('/json', JSON.stringify({ id: 1, email: 'x'.repeat(2000) }));
    expect(r.status).toBe(413);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${env.base}/json`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('{"id":1,"email":"');
      req.write('y'.repeat(5000));
      req.end('"}');
    });
    expect(status).toBe(413);
  });

  it('very deep nesting and huge arrays are refused or handled without crashing', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const d = await post('/echo', deep);
    expect(d.status).toBe(400);
    expect(((await d.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_TOO_DEEP');
    const deepXml = '<a>'.repeat(5000) + '</a>'.repeat(5000);
    const dx = await post('/xml', deepXml, 'application/xml');
    expect(dx.status).toBe(400);
    const huge = JSON.stringify({ target: Array.from({ length: 200_000 }, (_, i) => `t${i}`) });
    const h = await post('/echo', huge);
    expect(h.status).toBe(200);
    expect(((await h.json()) as { input: { target: string[] } }).input.target).toHaveLength(200_000);
  });

  it('DTDs and entities (XXE, billion laughs) are refused', async () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><req><order><id>&x;</id></order></req>';
    const r = await post('/xml', xxe, 'application/xml');
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/DTDs and entity declarations are not allowed/);
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><s:Envelope xmlns:s="${S11}"><s:Body><get><id>&lol2;</id></get></s:Body></s:Envelope>`;
    const s = await post('/soap11', lol, 'text/xml');
    expect(s.status).toBe(400);
    expect(await s.text()).toMatch(/Fault.*DTDs/s);
  });

  it('unknown path → 404, wrong method → 405 with Allow', async () => {
    const n = await env.fetch('/no/such/path');
    expect(n.status).toBe(404);
    expect(((await n.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_ROUTE_NOT_FOUND');
    const m = await env.fetch('/only-get', { method: 'DELETE' });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET, OPTIONS');
  });

  it('a service that throws → 500 with the cid, no stack or message leaked; the stack is logged under the cid', async () => {
    const r = await env.fetch('/boom');
    expect(r.status).toBe(500);
    const body = (await r.json()) as { error: { code: string; message: string; cid: string } };
    expect(body.error.code).toBe('WHARF_ERR_INTERNAL');
    expect(JSON.stringify(body)).not.toMatch(/secret internal detail|at .*\.ts/);
    expect(body.error.message).toContain(body.error.cid);
    await new Promise((res) => setTimeout(res, 300));
    const line = env
      .log()
      .split('\n')
      .find((l) => l.includes(body.error.cid) && l.includes('secret internal detail'));
    expect(line).toBeDefined();
    expect(BOOM_LINE).toBeGreaterThan(0);
    expect(line).toMatch(new RegExp(`at Boom\\.handle \\(echo\\.ts:${BOOM_LINE}:\\d+\\)`)); // the original line, through the source map
    const s = await env.fetch('/boomsoap', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: soap(S11, '<x/>'),
    });
    expect(s.status).toBe(500);
    const t = await s.text();
    expect(t).toMatch(/<faultcode>soapenv:Server<\/faultcode>/);
    expect(t).not.toMatch(/secret internal detail/);
  });

  it('a service that hangs → 504 at the channel timeout, and the server keeps serving', async () => {
    const t0 = Date.now();
    const r = await env.fetch('/slow?ms=5000');
    expect(r.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_TIMEOUT');
    expect((await env.fetch('/slow?ms=10')).status).toBe(200);
  });

  it('a malformed HTTP request line gets a 400, and the server stays up', async () => {
    const net = await import('node:net');
    const answer = await new Promise<string>((resolve) => {
      const sock = net.connect(env.port, '127.0.0.1', () => sock.write('GARBAGE \x00\x01 HTTP/9.9\r\n\r\n'));
      let data = '';
      sock.on('data', (d) => (data += d.toString()));
      sock.on('close', () => resolve(data));
      sock.on('error', () => resolve(data));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await env.fetch('/wharf/ping')).status).toBe(200);
  });

  it('request headers over 16 KiB → 431 with a JSON error, and the server stays up', async () => {
    const net = await import('node:net');
    const answer = await new Promise<string>((resolve) => {
      const sock = net.connect(env.port, '127.0.0.1', () =>
        sock.write(
          `POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Big: ${'x'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`,
        ),
      );
      let data = '';
      sock.on('data', (d) => (data += d.toString()));
      sock.on('close', () => resolve(data));
      sock.on('error', () => resolve(data));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(answer).toContain('"code":"WHARF_ERR_HEADERS_TOO_LARGE"');
    expect((await post('/json', '{"id":1,"email":"a@b"}')).status).toBe(200);
  });
});
