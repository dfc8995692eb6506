/**
 * A proxy channel (`channels.http` with `proxyTo`), end to end through a real Wharf environment made by
 * the CLI and a real node:http backend: bytes, status, headers and query string relayed both ways with
 * hop-by-hop headers dropped; backend down → 502, slow → 504 (the connection's timeout, edited live), in
 * the channel's format; config refused without service or proxyTo; security on the channel.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, freePort, type TestEnv } from '../helpers/env.js';

let env: TestEnv;
let backend: Server;
let backendPort = 0;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect(port, '127.0.0.1', () => sock.write(request));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.on('error', reject);
  });
}

function rawOf(req: IncomingMessage, names: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (names.includes(req.rawHeaders[i]!.toLowerCase()))
      out.push(`${req.rawHeaders[i]!.toLowerCase()}=${req.rawHeaders[i + 1]!}`);
  return out.join(';');
}

async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await body(req);
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/slow') {
    const t = setTimeout(() => res.end('late'), Number(url.searchParams.get('ms') ?? '1000'));
    res.on('close', () => clearTimeout(t));
    return;
  }
  res.writeHead(url.searchParams.get('status') ? Number(url.searchParams.get('status')) : 200, {
    'content-type': req.headers['content-type'] ?? 'application/octet-stream',
    'x-seen-path': url.pathname,
    'x-seen-query': url.search,
    'x-seen-soapaction': String(req.headers['soapaction'] ?? ''),
    'x-seen-host': String(req.headers['host'] ?? ''),
    'x-seen-te': String(req.headers['te'] ?? ''),
    // Read from the raw list: a plain headers object cannot hold a header named __proto__.
    'x-seen-raw': rawOf(req, ['__proto__', 'constructor']),
    'keep-alive': 'timeout=5',
  });
  res.end(raw);
}

beforeAll(async () => {
  backend = createServer((req, res) => void onRequest(req, res));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  backendPort = (backend.address() as AddressInfo).port;
  env = await createEnv();
  await env.importYaml(`outgoing:
  http:
    - name: backend
      address: http://127.0.0.1:${backendPort}
      path: /echo
      dataFormat: raw
      timeoutMs: 5000
    - name: slow-backend
      address: http://127.0.0.1:${backendPort}
      path: /slow
      dataFormat: raw
      timeoutMs: 300
security:
  apiKey:
    - name: proxy-key
      headerName: x-api-key
      key: s3cret-proxy-key
channels:
  http:
    - name: soap-proxy
      urlPath: /proxy/soap
      method: POST
      proxyTo: backend
      dataFormat: soap
    - name: json-proxy
      urlPath: /proxy/json
      proxyTo: backend
    - name: slow-proxy
      urlPath: /proxy/slow
      proxyTo: slow-backend
    - name: keyed-proxy
      urlPath: /proxy/keyed
      proxyTo: backend
      security: proxy-key
`);
}, 60_000);

afterAll(async () => {
  await env?.destroy();
  backend.closeAllConnections();
  await new Promise((r) => backend.close(r));
});

const SOAP =
  '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><m:buy xmlns:m="urn:m"><symbol>IBM</symbol></m:buy></soapenv:Body></soapenv:Envelope>';

describe('HTTP proxy channel (proxyTo)', () => {
  it('relays the body byte for byte, the status, the headers and the query string, without hop-by-hop headers', async () => {
    const r = await env.fetch('/proxy/soap?a=1&b=x%20y', {
      method: 'POST',
      headers: { 'content-type': 'text/xml', soapaction: 'urn:buy', te: 'trailers' },
      body: SOAP,
    });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(SOAP);
    expect(r.headers.get('content-type')).toBe('text/xml');
    expect(r.headers.get('x-seen-path')).toBe('/echo');
    expect(r.headers.get('x-seen-query')).toBe('?a=1&b=x%20y');
    expect(r.headers.get('x-seen-soapaction')).toBe('urn:buy');
    expect(r.headers.get('x-seen-host')).toBe(`127.0.0.1:${backendPort}`);
    expect(r.headers.get('x-seen-te')).toBe('');
    expect(r.headers.get('keep-alive')).not.toBe('timeout=5'); // Wharf's own keep-alive, not the backend's
    expect(r.headers.get('x-wharf-cid')).toMatch(/^[0-9a-f-]{36}$/);

    const bin = Buffer.from([0, 1, 2, 254, 255]);
    const b = await env.fetch('/proxy/json?status=201', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bin,
    });
    expect(b.status).toBe(201);
    expect(Buffer.from(await b.arrayBuffer())).toEqual(bin);

    const h = await env.fetch('/proxy/json', { method: 'GET' });
    expect(h.status).toBe(200);
    expect(await h.text()).toBe('');
  });

  it('relays headers named __proto__ and constructor as plain headers (not the prototype chain)', async () => {
    // A raw request: fetch (undici) itself drops a header named __proto__.
    const answer = await rawExchange(
      env.port,
      'POST /proxy/json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n__proto__: p1\r\nconstructor: c1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\nx-seen-raw: __proto__=p1;constructor=c1\r\n/i);
  });

  it('answers 502 in the channel format when the backend is down, 504 after the connection timeout (edited live)', async () => {
    const dead = await freePort();
    await env.ok(['outgoing', 'http', 'edit', 'ENV', 'backend', '--address', `http://127.0.0.1:${dead}`]);
    const down = await eventually(async () => {
      const r = await env.fetch('/proxy/soap', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: SOAP });
      return r.status === 502 ? r : undefined;
    });
    const fault = await down.text();
    expect(fault).toContain('soapenv:Fault');
    expect(fault).toMatch(/backend/);
    const jd = await env.fetch('/proxy/json', { method: 'POST', body: '{}' });
    expect(jd.status).toBe(502);
    expect(((await jd.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_UPSTREAM');
    await env.ok(['outgoing', 'http', 'edit', 'ENV', 'backend', '--address', `http://127.0.0.1:${backendPort}`]);
    await eventually(async () => (await env.fetch('/proxy/json', { method: 'POST', body: '{}' })).status === 200);

    const t0 = Date.now();
    const slow = await env.fetch('/proxy/slow?ms=2000', { method: 'GET' });
    expect(slow.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(((await slow.json()) as { error: { message: string } }).error.message).toMatch(/slow-backend.*300 ms/);
    await env.ok(['outgoing', 'http', 'edit', 'ENV', 'slow-backend', '--timeout-ms', '3000']);
    const ok = await eventually(async () => {
      const r = await env.fetch('/proxy/slow?ms=600', { method: 'GET' });
      return r.status === 200 ? r : undefined;
    });
    expect(await ok.text()).toBe('late');
  }, 30_000);

  it('applies the channel security before relaying', async () => {
    expect((await env.fetch('/proxy/keyed', { method: 'POST', body: 'x' })).status).toBe(401);
    const r = await env.fetch('/proxy/keyed', {
      method: 'POST',
      headers: { 'x-api-key': 's3cret-proxy-key' },
      body: 'x',
    });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('x');
  });

  it('refuses a channel with neither a service nor proxyTo, or with both, naming the field', async () => {
    const none = await env.admin<{ error: { message: string } }>('POST', '/wharf/admin/config/channels.http', {
      name: 'bad-1',
      urlPath: '/bad/1',
    });
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body)).toMatch(/service: required \(or proxyTo/);
    const both = await env.admin('POST', '/wharf/admin/config/channels.http', {
      name: 'bad-2',
      urlPath: '/bad/2',
      service: 'x',
      proxyTo: 'backend',
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toMatch(/either invokes a service or relays/);
  });

  it('refuses a proxy channel naming a connection that does not exist', async () => {
    const r = await env.admin('POST', '/wharf/admin/config/channels.http', {
      name: 'orphan-proxy',
      urlPath: '/proxy/orphan',
      proxyTo: 'no-such-connection',
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('proxyTo: no HTTP outgoing connection named `no-such-connection`');
  });
});
