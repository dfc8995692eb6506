/**
 * Request bodies and formats on HTTP channels (issue 13, "Bodies"): Content-Types as the docs say
 * (415 otherwise, `acceptContentTypes` for more), invalid UTF-8 → 400, a malformed SOAP Envelope
 * shape → 400 Fault, OPTIONS answered by Wharf (Allow, CORS pre-flight), CORS headers on answers.
 * Each case runs through Wharf's own HTTP/1.1 front (Content-Length bodies) and through node:http
 * (chunked bodies, which the front hands off), since both call the same dispatch().
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, ROOT, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');
const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const S12 = 'http://www.w3.org/2003/05/soap-envelope';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly these headers; `chunked` sends the body chunked (node:http serves it). */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
  chunked = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined && !chunked) h['content-length'] = String(Buffer.byteLength(body));
    if (chunked) h['transfer-encoding'] = 'chunked';
    const req = request({ host: '127.0.0.1', port, method, path, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const soap = (ns: string, inner: string): string =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="${ns}">${inner}</s:Envelope>`;
const errOf = (a: Answer): { code: string; message: string } =>
  (JSON.parse(a.body) as { error: { code: string; message: string } }).error;

describe('HTTP channel bodies and formats', () => {
  let env: TestEnv;
  let backend: Server;
  const backendSeen: string[] = [];
  const ways = [false, true] as const;
  beforeAll(async () => {
    backend = createServer((req, res) => {
      backendSeen.push(req.method ?? '');
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': 'yes' }).end(`backend ${req.method ?? ''}`);
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    env = await createEnv({ workers: 1 });
    await env.deploy('echo.ts', ECHO);
    await env.importYaml(
      [
        'channels:',
        '  http:',
        '    - { name: json, urlPath: /json, service: test.echo }',
        '    - { name: json-plus, urlPath: /json-plus, service: test.echo, acceptContentTypes: [text/plain, "application/x-www-form-urlencoded"] }',
        '    - { name: xml, urlPath: /xml, service: test.echo, dataFormat: xml }',
        '    - { name: soap11, urlPath: /soap11, service: test.required, dataFormat: soap, soapVersion: "1.1" }',
        '    - { name: soap12, urlPath: /soap12, service: test.required, dataFormat: soap, soapVersion: "1.2" }',
        '    - { name: form, urlPath: /form, service: test.echo, dataFormat: form }',
        '    - { name: plain, urlPath: /plain, service: test.echo, dataFormat: plain }',
        '    - { name: any, urlPath: /any, service: test.boom }',
        '    - { name: post-only, urlPath: "/post-only/{id}", method: POST, service: test.boom }',
        '    - { name: param-any, urlPath: "/{first}/admin/{rest}", service: test.echo }',
        '    - name: cors',
        '      urlPath: /cors',
        '      method: POST',
        '      service: test.echo',
        '      cors: { allowOrigins: ["https://app.example.com"], allowHeaders: [content-type, x-trace], exposeHeaders: [x-wharf-cid], allowCredentials: true, maxAgeSeconds: 600 }',
        '    - { name: shared-get, urlPath: /shared, method: GET, service: test.echo }',
        '    - { name: shared-post, urlPath: /shared, method: POST, service: test.echo, cors: { allowOrigins: ["https://app.example.com"] } }',
        '    - { name: proxy, urlPath: /proxy, proxyTo: backend }',
        '    - { name: proxy-cors, urlPath: /proxy-cors, proxyTo: backend, cors: { allowOrigins: ["*"] } }',
        'outgoing:',
        '  http:',
        `    - { name: backend, address: "http://127.0.0.1:${(backend.address() as AddressInfo).port}", dataFormat: raw }`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await env?.destroy();
    backend?.closeAllConnections();
    await new Promise((r) => backend?.close(r));
  });

  describe.each(ways)('Content-Types (chunked: %s)', (chunked) => {
    const post = (path: string, ct: string | undefined, body: string | Buffer): Promise<Answer> =>
      send(env.port, 'POST', path, ct === undefined ? {} : { 'content-type': ct }, body, chunked);

    it('JSON channels take application/json and application/*+json; text/plain, form, octet-stream → 415 naming both sides', async () => {
      expect((await post('/json', 'application/json', '{"id":1}')).status).toBe(200);
      expect((await post('/json', 'application/json; charset=UTF-8', '{"id":2}')).status).toBe(200);
      expect((await post('/json', 'application/vnd.api+json', '{"id":3}')).status).toBe(200);
      for (const ct of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
        'text/plain;charset=UTF-8',
      ]) {
        const r = await post('/json', ct, '{"id":1}');
        expect(r.status, ct).toBe(415);
        expect(r.headers['content-type']).toMatch(/application\/json/);
        const e = errOf(r);
        expect(e.code).toBe('WHARF_ERR_UNSUPPORTED_MEDIA_TYPE');
        expect(e.message).toBe(
          `Content-Type \`${ct.split(';')[0]}\` is not accepted here; expected application/json or application/*+json`,
        );
      }
    });

    it('a missing Content-Type: fine for an empty body, 415 for a body', async () => {
      expect((await post('/json', undefined, '')).status).toBe(200);
      expect((await send(env.port, 'GET', '/json', {})).status).toBe(200);
      const r = await post('/json', undefined, '{"id":1}');
      expect(r.status).toBe(415);
      expect(errOf(r).message).toMatch(
        /`\(none\)` is not accepted here; expected application\/json .*a body needs a Content-Type/,
      );
    });

    it('acceptContentTypes widens a channel (the body is still parsed as its format)', async () => {
      const r = await post('/json-plus', 'text/plain', '{"id":7}');
      expect(r.status).toBe(200);
      expect((JSON.parse(r.body) as { input: { id: number } }).input.id).toBe(7);
      expect((await post('/json-plus', 'application/x-www-form-urlencoded', '{"id":8}')).status).toBe(200);
      const no = await post('/json-plus', 'application/octet-stream', '{}');
      expect(no.status).toBe(415);
      expect(errOf(no).message).toMatch(
        /expected application\/json or application\/\*\+json, text\/plain, application\/x-www-form-urlencoded$/,
      );
    });

    it('XML channels: application/xml, text/xml, application/*+xml; others → 415 as XML', async () => {
      for (const ct of ['application/xml', 'text/xml', 'application/atom+xml'])
        expect((await post('/xml', ct, '<r><id>1</id></r>')).status, ct).toBe(200);
      const r = await post('/xml', 'text/plain', '<r/>');
      expect(r.status).toBe(415);
      expect(r.body).toMatch(/<error><code>WHARF_ERR_UNSUPPORTED_MEDIA_TYPE<\/code>/);
    });

    it('SOAP 1.1 takes text/xml, SOAP 1.2 application/soap+xml; the other → 415 Fault', async () => {
      const ok11 = await post(
        '/soap11',
        'text/xml; charset=utf-8',
        soap(S11, '<s:Body><get><id>1</id><email>a@b</email></get></s:Body>'),
      );
      expect(ok11.status).toBe(200);
      const ok12 = await post(
        '/soap12',
        'application/soap+xml; charset=utf-8; action="urn:get"',
        soap(S12, '<s:Body><get><id>1</id><email>a@b</email></get></s:Body>'),
      );
      expect(ok12.status).toBe(200);
      const r11 = await post('/soap11', 'application/soap+xml', soap(S11, '<s:Body><get/></s:Body>'));
      expect(r11.status).toBe(415);
      expect(r11.body).toMatch(
        /<faultcode>soapenv:Client<\/faultcode><faultstring>Content-Type `application\/soap\+xml` is not accepted here; expected text\/xml \(SOAP 1\.1\)/,
      );
      const r12 = await post('/soap12', 'text/xml', soap(S12, '<s:Body><get/></s:Body>'));
      expect(r12.status).toBe(415);
      expect(r12.body).toMatch(/soapenv:Sender.*expected application\/soap\+xml \(SOAP 1\.2\)/s);
      expect((await post('/soap11', 'application/json', '{}')).status).toBe(415);
    });

    it('a charset other than UTF-8 → 415', async () => {
      const r = await post('/json', 'application/json; charset=iso-8859-1', '{"id":1}');
      expect(r.status).toBe(415);
      expect(errOf(r).message).toMatch(/charset=utf-8 .*`iso-8859-1` is not supported/);
      expect((await post('/json', 'application/json; charset=us-ascii', '{"id":1}')).status).toBe(200);
    });

    it('invalid UTF-8 → 400 naming the byte, in JSON, XML, SOAP, form and text bodies', async () => {
      const bad = (a: string, b: string): Buffer =>
        Buffer.concat([Buffer.from(a), Buffer.from([0xff, 0xfe]), Buffer.from(b)]);
      const j = await post('/json', 'application/json', bad('{"name":"', '"}'));
      expect(j.status).toBe(400);
      expect(errOf(j)).toMatchObject({
        code: 'WHARF_ERR_MALFORMED_BODY',
        message: 'Malformed JSON body: not valid UTF-8 (byte 0xff at offset 9)',
      });
      const x = await post('/xml', 'application/xml', bad('<r><name>', '</name></r>'));
      expect(x.status).toBe(400);
      expect(x.body).toMatch(/Malformed XML body: not valid UTF-8/);
      const s = await post(
        '/soap11',
        'text/xml',
        bad(`<s:Envelope xmlns:s="${S11}"><s:Body><get><email>`, '</email></get></s:Body></s:Envelope>'),
      );
      expect(s.status).toBe(400);
      expect(s.body).toMatch(/<faultstring>Malformed SOAP body: not valid UTF-8/);
      const f = await post('/form', 'application/x-www-form-urlencoded', 'name=%FF');
      expect(f.status).toBe(400);
      expect(errOf(f).message).toMatch(/form body: `%FF` is not valid UTF-8/);
      const p = await post('/plain', 'text/plain', bad('hi ', ''));
      expect(p.status).toBe(400);
      expect(p.body).toMatch(/^WHARF_ERR_MALFORMED_BODY: Malformed text body: not valid UTF-8/);
      // a plain channel takes binary types as they are
      expect((await post('/plain', 'application/octet-stream', bad('', ''))).status).toBe(200);
      const ok = await post('/json', 'application/json', '{"name":"żółw ✓"}');
      expect((JSON.parse(ok.body) as { input: { name: string } }).input.name).toBe('żółw ✓');
    });

    it('a SOAP Envelope with two Bodies, two Headers, or the Body before the Header → 400 Fault', async () => {
      const two = await post(
        '/soap11',
        'text/xml',
        soap(S11, '<s:Body><get><id>1</id><email>a@b</email></get></s:Body><s:Body><get/></s:Body>'),
      );
      expect(two.status).toBe(400);
      expect(two.body).toMatch(
        /<faultcode>soapenv:Client<\/faultcode><faultstring>Malformed SOAP body: the Envelope has 2 Body elements; exactly one is allowed/,
      );
      const hh = await post(
        '/soap12',
        'application/soap+xml',
        soap(S12, '<s:Header/><s:Header/><s:Body><get/></s:Body>'),
      );
      expect(hh.status).toBe(400);
      expect(hh.body).toMatch(/soapenv:Sender.*2 Header elements/s);
      const order = await post('/soap11', 'text/xml', soap(S11, '<s:Body><get/></s:Body><s:Header/>'));
      expect(order.status).toBe(400);
      expect(order.body).toMatch(/the Header must come before the Body/);
    });
  });

  describe('OPTIONS and CORS', () => {
    it('OPTIONS to an ANY channel is answered by Wharf (204, Allow), the service never runs', async () => {
      // test.boom throws: had it run, this would be a 500
      for (const chunked of ways) {
        const r = await send(env.port, 'OPTIONS', '/any', {}, chunked ? 'x' : undefined, chunked);
        expect(r.status).toBe(204);
        expect(r.headers['allow']).toBe('GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
        expect(r.body).toBe('');
        expect(r.headers['access-control-allow-origin']).toBeUndefined();
      }
      expect((await send(env.port, 'POST', '/any', { 'content-type': 'application/json' }, '{}')).status).toBe(500);
    });

    it('OPTIONS to a POST-only channel: 204 with its methods, not a 405', async () => {
      const r = await send(env.port, 'OPTIONS', '/post-only/5', {});
      expect(r.status).toBe(204);
      expect(r.headers['allow']).toBe('POST, OPTIONS');
      expect((await send(env.port, 'PUT', '/post-only/5', {})).status).toBe(405);
    });

    it('a CORS pre-flight from an allowed origin gets the Access-Control-* answer; another origin gets none', async () => {
      const pre = await send(env.port, 'OPTIONS', '/cors', {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      });
      expect(pre.status).toBe(204);
      expect(pre.headers).toMatchObject({
        allow: 'POST, OPTIONS',
        vary: 'Origin',
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type, x-trace',
        'access-control-allow-credentials': 'true',
        'access-control-max-age': '600',
      });
      const evil = await send(env.port, 'OPTIONS', '/cors', {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
      });
      expect(evil.status).toBe(204);
      expect(Object.keys(evil.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    });

    it('answers of a cors channel carry Access-Control-Allow-Origin for allowed origins only, errors included', async () => {
      const ok = await send(
        env.port,
        'POST',
        '/cors',
        { origin: 'https://app.example.com', 'content-type': 'application/json' },
        '{"id":1}',
      );
      expect(ok.status).toBe(200);
      expect(ok.headers).toMatchObject({
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-expose-headers': 'x-wharf-cid',
        vary: 'Origin',
      });
      const bad = await send(
        env.port,
        'POST',
        '/cors',
        { origin: 'https://app.example.com', 'content-type': 'text/plain' },
        'x',
      );
      expect(bad.status).toBe(415);
      expect(bad.headers['access-control-allow-origin']).toBe('https://app.example.com');
      const evil = await send(
        env.port,
        'POST',
        '/cors',
        { origin: 'https://evil.example', 'content-type': 'application/json' },
        '{"id":1}',
      );
      expect(evil.status).toBe(200);
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('a path of two channels: Allow names both methods, and the one with cors answers the pre-flight', async () => {
      const pre = await send(env.port, 'OPTIONS', '/shared', {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
      });
      expect(pre.status).toBe(204);
      expect(pre.headers['allow']).toBe('GET, POST, OPTIONS');
      expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(pre.headers['access-control-allow-methods']).toBe('POST, OPTIONS'); // the cors channel's methods only
    });

    it('a proxy channel without cors relays OPTIONS to its backend; with cors Wharf answers the pre-flight', async () => {
      const before = backendSeen.length;
      const relayed = await send(env.port, 'OPTIONS', '/proxy', {});
      expect(relayed.status).toBe(200);
      expect(relayed.body).toBe('backend OPTIONS');
      expect(backendSeen.slice(before)).toEqual(['OPTIONS']);
      const pre = await send(env.port, 'OPTIONS', '/proxy-cors', {
        origin: 'https://any.example',
        'access-control-request-method': 'PUT',
      });
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('*');
      expect(backendSeen.slice(before)).toEqual(['OPTIONS']);
      const get = await send(env.port, 'GET', '/proxy-cors', { origin: 'https://any.example' });
      expect(get.body).toBe('backend GET');
      expect(get.headers['access-control-allow-origin']).toBe('*');
    });
  });

  describe('the reserved /wharf prefix', () => {
    it('channel paths that normalise under /wharf are refused by the admin API with a field error', async () => {
      for (const urlPath of ['/WHARF/admin/x', '//wharf/admin/x', '/%77harf/admin/info', '/a/../wharf/admin']) {
        const r = await env.admin<{ error: { message: string } }>('POST', '/wharf/admin/config/channels.http', {
          name: 'sneaky',
          urlPath,
          service: 'test.echo',
        });
        expect(r.status, urlPath).toBe(400);
        expect(r.body.error.message).toMatch(/urlPath: the \/wharf prefix is reserved for the admin API/);
      }
    });

    it('at request time a spelling of /wharf reaches no channel (a {param} channel would otherwise match it)', async () => {
      expect((await send(env.port, 'GET', '/x/admin/y', {})).status).toBe(200);
      for (const p of ['//wharf/admin/users', '/WHARF/admin/users', '/%77harf/admin/users']) {
        const r = await send(env.port, 'GET', p, {});
        expect(r.status, p).toBe(404);
      }
    });
  });
});
