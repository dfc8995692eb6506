/**
 * outgoing.http against real HTTP and HTTPS servers started here on ephemeral loopback ports (node:http,
 * node:https with a CA and certificates made by openssl): conformance, data formats, live timeouts,
 * backend down/reset, malformed answers, HTTP errors, security headers, retries, live pool resizing,
 * TLS (unknown CA, then `ca`; mutual TLS), size limit, pass-through, stop.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/kind.js';
import { createTestContext, type TestContext } from '../support/connectors/context.js';
import { runConformance } from '../support/connectors/conformance.js';
import type { Connector } from '../../src/connectors/types.js';
import { WharfError } from '../../src/errors.js';
import {
  type HttpOutgoing,
  HttpStatusError,
  outgoingHttp,
  type OutgoingHttpConfig,
} from '../../src/outgoing/http/index.js';
import { rejectionOf } from '../support/rejection.js';
import { freePort } from '../helpers/env.js';

// ------------------------------------------------------------------------------------------------
// The backend: a real node:http server with a few behaviours selected by path.

interface Backend {
  port: number;
  url: string;
  server: Server;
  /** Requests seen per `key` query parameter. */
  hits: Map<string, number>;
  /** Highest number of requests handled at once since the last reset. */
  maxConcurrent: number;
  concurrent: number;
  /** TCP connections accepted / currently open. */
  connections: number;
  open: Set<Socket>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function handler(b: Backend) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    const key = q.get('key');
    if (key) b.hits.set(key, (b.hits.get(key) ?? 0) + 1);
    const body = await readBody(req);
    const json = (status: number, v: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(v));
    };
    const p = url.pathname;
    if (p.startsWith('/echo') || p.startsWith('/api/echo')) {
      return json(
        200,
        {
          method: req.method,
          path: p,
          query: Object.fromEntries([...q.keys()].map((k) => [k, q.getAll(k).length > 1 ? q.getAll(k) : q.get(k)])),
          headers: req.headers,
          body: body.toString('utf8'),
        },
        { 'x-backend': 'yes' },
      );
    }
    if (p === '/slow') {
      const ms = Number(q.get('ms') ?? '0');
      const t = setTimeout(() => json(200, { slept: ms }), ms);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (p === '/conc') {
      b.concurrent++;
      b.maxConcurrent = Math.max(b.maxConcurrent, b.concurrent);
      setTimeout(
        () => {
          b.concurrent--;
          json(200, { ok: true });
        },
        Number(q.get('ms') ?? '100'),
      );
      return;
    }
    if (p === '/bad-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"a": [1, 2');
    }
    if (p === '/xml') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      return void res.end(
        '<?xml version="1.0"?><m:order xmlns:m="urn:x"><m:id>7</m:id><m:item>a</m:item><m:item>b &amp; c</m:item></m:order>',
      );
    }
    if (p === '/bad-xml') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      return void res.end('<order><id>7</order>');
    }
    if (p === '/dtd-xml') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      return void res.end('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>');
    }
    if (p === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`got ${body.length} bytes: ${body.toString('utf8')}`);
    }
    if (p === '/bytes') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void res.end(body.length > 0 ? body : Buffer.from([0, 255, 1, 254, 0x7b]));
    }
    if (p === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ s: 'x'.repeat(Number(q.get('bytes') ?? '1000')) }));
    }
    if (p.startsWith('/status/')) {
      const code = Number(p.slice('/status/'.length));
      res.writeHead(code, { 'content-type': 'text/html' });
      return void res.end(`<html><body>upstream says ${code} for ${req.method}</body></html>`);
    }
    if (p === '/flaky') {
      const fail = Number(q.get('fail') ?? '0');
      if ((b.hits.get(key ?? '') ?? 0) <= fail) return json(Number(q.get('code') ?? '503'), { error: 'not yet' });
      return json(200, { attempts: b.hits.get(key ?? '') });
    }
    if (p === '/reset') {
      req.socket.destroy();
      return;
    }
    if (p === '/hop') {
      res.writeHead(201, {
        'content-type': 'application/x-custom',
        'x-upstream': 'u1',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
      });
      return void res.end(Buffer.concat([Buffer.from('echo:'), body]));
    }
    json(404, { error: `no route ${p}` });
  };
}

async function listen(server: Server | HttpsServer, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function track(b: Backend, server: Server | HttpsServer): void {
  server.on('connection', (s: Socket) => {
    b.connections++;
    b.open.add(s);
    s.on('close', () => b.open.delete(s));
  });
}

async function startBackend(port = 0): Promise<Backend> {
  const server = createServer();
  const b: Backend = {
    port: 0,
    url: '',
    server,
    hits: new Map(),
    maxConcurrent: 0,
    concurrent: 0,
    connections: 0,
    open: new Set(),
    async close() {
      for (const s of b.open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on('request', handler(b));
  track(b, server);
  b.port = await listen(server, port);
  b.url = `http://127.0.0.1:${b.port}`;
  return b;
}

// ------------------------------------------------------------------------------------------------
// Certificates for the HTTPS backends: a test CA, a server certificate for 127.0.0.1, a client one.

interface Pki {
  ca: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  otherCa: string;
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-pki-'));
  const ossl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    for (const ca of ['ca', 'other']) {
      ossl(
        'req',
        '-x509',
        ...ec,
        '-keyout',
        `${ca}.key`,
        '-out',
        `${ca}.crt`,
        '-days',
        '2',
        '-subj',
        `/CN=Wharf Test ${ca}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      );
    }
    writeFileSync(
      join(dir, 'server.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
    );
    writeFileSync(join(dir, 'client.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
    for (const who of ['server', 'client']) {
      ossl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=wharf-${who}`);
      ossl(
        'x509',
        '-req',
        '-in',
        `${who}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${who}.crt`,
        '-days',
        '2',
        '-extfile',
        `${who}.ext`,
      );
    }
    const r = (f: string): string => readFileSync(join(dir, f), 'utf8');
    return {
      ca: r('ca.crt'),
      serverKey: r('server.key'),
      serverCert: r('server.crt'),
      clientKey: r('client.key'),
      clientCert: r('client.crt'),
      otherCa: r('other.crt'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------

let backend: Backend;
let seq = 0;
const live: Connector[] = [];

beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend.close();
});
afterEach(async () => {
  await Promise.all(live.splice(0).map((c) => c.stop()));
});

function config(over: Partial<Record<keyof OutgoingHttpConfig, unknown>> = {}): OutgoingHttpConfig {
  return outgoingHttp.kind.schema.parse({
    name: `CRM-${++seq}`,
    address: backend.url,
    path: '/echo',
    ...over,
  }) as OutgoingHttpConfig;
}

async function make(
  over: Partial<Record<keyof OutgoingHttpConfig, unknown>> = {},
  objects: Record<string, ConfigObject> = {},
): Promise<{ inst: Connector<OutgoingHttpConfig>; http: HttpOutgoing; ctx: TestContext; cfg: OutgoingHttpConfig }> {
  const ctx = createTestContext({ objects });
  const cfg = config(over);
  const inst = outgoingHttp.create(cfg, ctx);
  await inst.start();
  live.push(inst);
  return { inst, http: inst.handle!() as HttpOutgoing, ctx, cfg };
}

const failure = (p: Promise<unknown>): Promise<WharfError> => rejectionOf(p, WharfError);

/** Runs `call` and measures it from before it starts (the machines here are loaded: no early clock). */
async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; value?: T; error?: WharfError }> {
  const t0 = performance.now();
  try {
    const value = await call();
    return { ms: performance.now() - t0, value };
  } catch (e) {
    return { ms: performance.now() - t0, error: e as WharfError };
  }
}

// ------------------------------------------------------------------------------------------------

runConformance<OutgoingHttpConfig>({
  title: 'outgoing.http against a node:http server',
  kind: outgoingHttp,
  config: () =>
    ({
      name: `conf-${++seq}`,
      active: true,
      address: backend.url,
      path: '/echo/{id}',
      timeoutMs: 2000,
    }) as unknown as OutgoingHttpConfig,
  reconfigure: (c) => ({ ...c, path: '/api/echo/{id}', timeoutMs: 3000, poolSize: 3, headers: { 'x-version': '2' } }),
  async exercise(inst, c) {
    const http = inst.handle!() as HttpOutgoing;
    const r = await http.post<{ method: string; path: string; body: string; headers: Record<string, string> }>({
      params: { id: 42 },
      payload: { n: 1 },
    });
    expect(r.status).toBe(200);
    expect(r.payload.method).toBe('POST');
    expect(r.payload.path).toBe(c.path.replace('{id}', '42'));
    expect(JSON.parse(r.payload.body)).toEqual({ n: 1 });
    expect(r.payload.headers['x-version']).toBe(c.headers['x-version']);
  },
  invalid: [
    { input: { name: 'x', address: 'ftp://example.com' }, message: /address: must be an http:\/\/ or https:\/\/ URL/ },
    { input: { name: 'x', address: 'not a url' }, message: /address: `not a url` is not a URL/ },
    { input: { name: 'x', address: 'http://h/?a=1' }, message: /address: must not contain a query string/ },
    { input: { name: 'x', address: 'http://h', method: 'FETCH' }, message: /method: Invalid option/ },
    { input: { name: 'x', address: 'http://h', dataFormat: 'yaml' }, message: /dataFormat: Invalid option/ },
    { input: { name: 'x', address: 'http://h', timeoutMs: 0 }, message: /timeoutMs: Too small/ },
    { input: { name: 'x', address: 'http://h', poolSize: 0 }, message: /poolSize: Too small/ },
    {
      input: { name: 'x', address: 'http://h', headers: { 'Transfer-Encoding': 'chunked' } },
      message: /headers.Transfer-Encoding: `Transfer-Encoding` is set by the transport/,
    },
    { input: { name: 'x', address: 'http://h', ca: 'hello' }, message: /ca: ca must be PEM text/ },
    { input: { name: 'x', address: 'http://h', retries: -1 }, message: /retries: Too small/ },
    { input: { name: 'x', address: 'http://h', bogus: 1 }, message: /bogus: unknown field|Unrecognized key/ },
  ],
});

describe('outgoing.http: requests and data formats', () => {
  it('fills path params, adds the rest and `query` to the query string, merges headers', async () => {
    const { http } = await make({
      address: `${backend.url}/api/`,
      path: '/echo/{kind}/{id}',
      headers: { 'X-Conn': 'c', 'X-Over': 'conn' },
    });
    const r = await http.get<{ path: string; query: Record<string, unknown>; headers: Record<string, string> }>({
      params: { kind: 'a b/c', id: 7, extra: true },
      query: { tag: ['x', 'y'], skip: undefined },
      headers: { 'X-Over': 'call' },
    });
    expect(r.payload.path).toBe('/api/echo/a%20b%2Fc/7');
    expect(r.payload.query).toEqual({ extra: 'true', tag: ['x', 'y'] });
    expect(r.payload.headers['x-conn']).toBe('c');
    expect(r.payload.headers['x-over']).toBe('call');
    expect(r.payload.headers['accept']).toBe('application/json');
    expect(r.headers['x-backend']).toBe('yes');
    expect(r.raw).toBeInstanceOf(Buffer);
  });

  it('refuses a call that leaves a path placeholder empty', async () => {
    const { http } = await make({ path: '/echo/{id}' });
    const e = await failure(http.get());
    expect(e.status).toBe(500);
    expect(e.message).toMatch(/HTTP connection `CRM-\d+`: path parameter `id` of \/echo\/\{id\} has no value/);
  });

  it('a call header the transport owns is refused with a clear error, not a crash', async () => {
    const { http } = await make();
    const e = await failure(http.get({ headers: { 'Transfer-Encoding': 'chunked' } }));
    expect(e.status).toBe(500);
    expect(e.message).toMatch(/HTTP connection `CRM-\d+`: invalid request: .*transfer-encoding/i);
    expect((await http.get()).status).toBe(200);
  });

  it('sends JSON and parses JSON answers; `method` and `path` per call', async () => {
    const { http } = await make({ method: 'PUT' });
    const r = await http.request<{ method: string; body: string; headers: Record<string, string> }>({
      payload: { a: [1, 'ü'] },
    });
    expect(r.payload.method).toBe('PUT');
    expect(JSON.parse(r.payload.body)).toEqual({ a: [1, 'ü'] });
    expect(r.payload.headers['content-type']).toBe('application/json; charset=utf-8');
    const d = await http.delete<{ method: string; path: string }>({ path: '/echo/gone' });
    expect(d.payload).toMatchObject({ method: 'DELETE', path: '/echo/gone' });
    const h = await http.head({ path: '/echo' });
    expect(h.status).toBe(200);
    expect(h.payload).toBeUndefined();
  });

  it('xml: writes `{ root: {...} }` objects, parses answers (namespace prefixes dropped, entities decoded)', async () => {
    const { http } = await make({ dataFormat: 'xml' });
    const sent = await http.post({ payload: { order: { id: 5, item: ['a', 'b<c'] } }, raw: true });
    const echoed = JSON.parse((sent.payload as Buffer).toString('utf8')) as {
      body: string;
      headers: Record<string, string>;
    };
    expect(echoed.body).toContain('<order><id>5</id><item>a</item><item>b&lt;c</item></order>');
    expect(echoed.headers['content-type']).toBe('application/xml; charset=utf-8');
    const r = await http.get({ path: '/xml' });
    expect(r.payload).toEqual({ order: { id: '7', item: ['a', 'b & c'] } });
    const bad = await failure(http.post({ payload: { a: 1, b: 2 } }));
    expect(bad.message).toMatch(/exactly one root element/);
  });

  it('plain sends and returns text; raw passes bytes through untouched', async () => {
    const { http: plain } = await make({ dataFormat: 'plain', path: '/text' });
    const t = await plain.post({ payload: 'héllo' });
    expect(t.payload).toBe('got 6 bytes: héllo');
    const { http: raw } = await make({ dataFormat: 'raw', path: '/bytes' });
    const bytes = Buffer.from([0, 1, 2, 250, 251, 0xff, 0x80]);
    const r = await raw.post({ payload: bytes });
    expect(Buffer.isBuffer(r.payload)).toBe(true);
    expect((r.payload as Buffer).equals(bytes)).toBe(true);
    const s = await raw.post({ payload: Readable.from([Buffer.from('ab'), Buffer.from('cd')]) });
    expect((s.payload as Buffer).toString()).toBe('abcd');
    const e = await failure(raw.post({ payload: { not: 'bytes' } }));
    expect(e.message).toMatch(/a raw connection sends a Buffer, a string or a stream/);
  });

  it('`raw: true` returns the bytes of a JSON connection without parsing', async () => {
    const { http } = await make({ path: '/bad-json' });
    const r = await http.get({ raw: true });
    expect((r.payload as Buffer).toString()).toBe('{"a": [1, 2');
  });
});

describe('outgoing.http: timeouts, live', () => {
  it('a slow backend raises WHARF_ERR_UPSTREAM_TIMEOUT naming the connection and the limit, on time', async () => {
    const { http, cfg } = await make({ path: '/slow', timeoutMs: 250 });
    const r = await timed(() => http.get({ query: { ms: 2000 } }));
    expect(r.error?.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect(r.error?.status).toBe(504);
    expect(r.error?.message).toBe(`HTTP connection \`${cfg.name}\`: no answer within 250 ms (GET /slow)`);
    expect(r.ms).toBeGreaterThanOrEqual(245);
    expect(r.ms).toBeLessThan(650);
  });

  it('the per-call timeoutMs overrides the connection', async () => {
    const { http } = await make({ path: '/slow', timeoutMs: 5000 });
    const r = await timed(() => http.get({ query: { ms: 1000 }, timeoutMs: 120 }));
    expect(r.error?.message).toMatch(/no answer within 120 ms/);
    expect(r.ms).toBeLessThan(520);
  });

  it('lowering and raising the timeout live: the next request uses the new value, in-flight ones keep theirs', async () => {
    const { inst, http, cfg } = await make({ path: '/slow', timeoutMs: 2000 });
    // In flight under the 2000 ms limit while the timeout is lowered.
    const longRunning = timed(() => http.get({ query: { ms: 700 } }));
    await new Promise((r) => setTimeout(r, 50));
    await inst.reconfigure({ ...cfg, timeoutMs: 300 });
    const lowered = await timed(() => http.get({ query: { ms: 600 } }));
    expect(lowered.error?.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect(lowered.error?.message).toMatch(/no answer within 300 ms/);
    expect(lowered.ms).toBeGreaterThanOrEqual(295);
    expect(lowered.ms).toBeLessThan(700);
    const first = await longRunning;
    expect(first.error).toBeUndefined();
    expect(first.value?.payload).toEqual({ slept: 700 });
    // Raised again while another request runs on the lowered limit.
    const underLow = timed(() => http.get({ query: { ms: 800 } }));
    await new Promise((r) => setTimeout(r, 50));
    await inst.reconfigure({ ...cfg, timeoutMs: 1500 });
    const raised = await timed(() => http.get({ query: { ms: 600 } }));
    expect(raised.error).toBeUndefined();
    expect(raised.value?.payload).toEqual({ slept: 600 });
    const low = await underLow;
    expect(low.error?.message).toMatch(/no answer within 300 ms/);
    expect(low.ms).toBeLessThan(700);
  });

  it('a caller signal cancels the request', async () => {
    const { http } = await make({ path: '/slow' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await timed(() => http.get({ query: { ms: 2000 }, signal: ac.signal }));
    expect(r.error?.message).toMatch(/cancelled by the caller/);
    expect(r.ms).toBeLessThan(500);
  });
});

describe('outgoing.http: failures', () => {
  it('backend down → 502 saying the connection was refused', async () => {
    const port = await freePort();
    const { http, cfg } = await make({ address: `http://127.0.0.1:${port}` });
    const e = await failure(http.get());
    expect(e.code).toBe('WHARF_ERR_UPSTREAM');
    expect(e.status).toBe(502);
    expect(e.message).toBe(
      `HTTP connection \`${cfg.name}\`: connection refused by http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
  });

  it('health turns degraded after a connection error and up after a success', async () => {
    const port = await freePort();
    const { inst, http, cfg } = await make({ address: `http://127.0.0.1:${port}` });
    await failure(http.get());
    expect(inst.health()).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/refused/) });
    await inst.reconfigure({ ...cfg, address: backend.url });
    await http.get();
    expect(inst.health().status).toBe('up');
  });

  it('connection reset mid-request → 502 saying so', async () => {
    const { http } = await make({ path: '/reset' });
    const e = await failure(http.get());
    expect(e.status).toBe(502);
    expect(e.message).toMatch(/connection to http:\/\/127\.0\.0\.1:\d+ was closed before a complete answer/);
  });

  it('malformed JSON, malformed XML and XML with a DTD → 502 typed errors with the parse reason', async () => {
    const { http } = await make({ path: '/bad-json' });
    const j = await failure(http.get());
    expect(j.code).toBe('WHARF_ERR_UPSTREAM');
    expect(j.status).toBe(502);
    expect(j.message).toMatch(/HTTP connection `CRM-\d+`: malformed JSON in the answer to GET \/bad-json: .+/);
    expect(j.details).toMatchObject({ reason: 'malformed', format: 'JSON' });
    const { http: x } = await make({ dataFormat: 'xml' });
    const xe = await failure(x.get({ path: '/bad-xml' }));
    expect(xe.status).toBe(502);
    expect(xe.message).toMatch(/malformed XML in the answer to GET \/bad-xml: .*(line 1)/);
    const dtd = await failure(x.get({ path: '/dtd-xml' }));
    expect(dtd.status).toBe(502);
    expect(dtd.message).toMatch(/malformed XML in the answer to GET \/dtd-xml: it contains a DTD/);
  });

  it('non-2xx answers raise a 502 HttpStatusError carrying the upstream status and body by default', async () => {
    const { http } = await make();
    const e = await failure(http.post({ path: '/status/404', payload: {} }));
    expect(e).toBeInstanceOf(HttpStatusError);
    const h = e as HttpStatusError;
    expect(h.status).toBe(502);
    expect(h.upstreamStatus).toBe(404);
    expect(h.message).toMatch(/HTTP connection `CRM-\d+`: POST \/status\/404 answered 404 Not Found$/);
    expect(h.bodySnippet).toBe('<html><body>upstream says 404 for POST</body></html>');
    expect(h.upstreamHeaders['content-type']).toBe('text/html');
    expect(h.details).toMatchObject({ upstreamStatus: 404 });
  });

  it('with throwOnHttpError off (connection or call), non-2xx answers are results', async () => {
    const { http } = await make({ throwOnHttpError: false });
    const r = await http.get({ path: '/status/418' });
    expect(r.status).toBe(418);
    expect(r.payload).toBe('<html><body>upstream says 418 for GET</body></html>');
    const j = await http.get({ path: '/nowhere' });
    expect(j.status).toBe(404);
    expect(j.payload).toEqual({ error: 'no route /nowhere' });
    const { http: strict } = await make();
    expect((await strict.get({ path: '/status/500', throwOnHttpError: false })).status).toBe(500);
  });

  it('answers above maxResponseBytes are refused with a 502', async () => {
    const { http } = await make({ path: '/big', maxResponseBytes: 1000 });
    expect((await http.get({ query: { bytes: 500 } })).status).toBe(200);
    const e = await failure(http.get({ query: { bytes: 5000 } }));
    expect(e.status).toBe(502);
    expect(e.message).toMatch(/the answer to GET \/big exceeds the limit of 1000 bytes/);
  });
});

describe('outgoing.http: security definitions', () => {
  it('basic auth and API key headers are sent; an edited definition applies to the next request', async () => {
    const basic = { name: 'crm-basic', active: true, username: 'alice', password: 's3cret:ü' };
    const key = { name: 'crm-key', active: true, headerName: 'X-API-Key', key: 'k-123' };
    const { http, ctx } = await make(
      { security: 'crm-basic' },
      { 'security.basicAuth/crm-basic': basic, 'security.apiKey/crm-key': key },
    );
    const r = await http.get<{ headers: Record<string, string> }>();
    expect(r.payload.headers['authorization']).toBe(`Basic ${Buffer.from('alice:s3cret:ü').toString('base64')}`);
    ctx.objects.set('security.basicAuth/crm-basic', { ...basic, password: 'changed' });
    const r2 = await http.get<{ headers: Record<string, string> }>();
    expect(r2.payload.headers['authorization']).toBe(`Basic ${Buffer.from('alice:changed').toString('base64')}`);

    const { http: k } = await make({ security: 'crm-key' }, { 'security.apiKey/crm-key': key });
    const r3 = await k.get<{ headers: Record<string, string> }>();
    expect(r3.payload.headers['x-api-key']).toBe('k-123');
    expect(r3.payload.headers['authorization']).toBeUndefined();
  });

  it('a missing or inactive security definition is a clear error', async () => {
    const { http, ctx } = await make({ security: 'nope' });
    const e = await failure(http.get());
    expect(e.status).toBe(500);
    expect(e.message).toMatch(/security definition `nope` does not exist/);
    ctx.objects.set('security.apiKey/nope', { name: 'nope', active: false, headerName: 'x', key: 'y' });
    expect((await failure(http.get())).message).toMatch(/security definition `nope` is not active/);
  });
});

describe('outgoing.http: retries', () => {
  it('retries idempotent methods on 503 with backoff until they succeed', async () => {
    const { http } = await make({ path: '/flaky', retries: 3, retryBackoffMs: 20 });
    const r = await http.get<{ attempts: number }>({ query: { key: 'get-1', fail: 2 } });
    expect(r.payload.attempts).toBe(3);
    expect(backend.hits.get('get-1')).toBe(3);
    const p = await http.put<{ attempts: number }>({ query: { key: 'put-1', fail: 1, code: 502 }, payload: { x: 1 } });
    expect(p.payload.attempts).toBe(2);
  });

  it('never retries POST or PATCH on an HTTP error status', async () => {
    const { http } = await make({ path: '/flaky', retries: 3, retryBackoffMs: 10 });
    const e = await failure(http.post({ query: { key: 'post-1', fail: 2 }, payload: {} }));
    expect((e as HttpStatusError).upstreamStatus).toBe(503);
    expect(backend.hits.get('post-1')).toBe(1);
    await failure(http.patch({ query: { key: 'patch-1', fail: 2, code: 504 }, payload: {} }));
    expect(backend.hits.get('patch-1')).toBe(1);
    // ...unless the call declares itself idempotent.
    const ok = await http.post<{ attempts: number }>({
      query: { key: 'post-2', fail: 1 },
      payload: {},
      idempotent: true,
    });
    expect(ok.payload.attempts).toBe(2);
  });

  it('gives up after `retries` and reports the last answer; retries 0 sends once', async () => {
    const { http } = await make({ path: '/flaky', retries: 2, retryBackoffMs: 10 });
    const e = await failure(http.get({ query: { key: 'get-2', fail: 10 } }));
    expect((e as HttpStatusError).upstreamStatus).toBe(503);
    expect(backend.hits.get('get-2')).toBe(3);
    const { http: once } = await make({ path: '/flaky' });
    await failure(once.get({ query: { key: 'get-3', fail: 10 } }));
    expect(backend.hits.get('get-3')).toBe(1);
  });

  it('retries a refused connection until the backend comes up', async () => {
    const port = await freePort();
    const { http } = await make({
      address: `http://127.0.0.1:${port}`,
      path: '/echo',
      retries: 5,
      retryBackoffMs: 150,
    });
    let late: Backend | undefined;
    setTimeout(() => {
      void startBackend(port).then((b) => (late = b));
    }, 100);
    try {
      const r = await http.get<{ path: string }>();
      expect(r.payload.path).toBe('/echo');
    } finally {
      await late?.close();
    }
  });

  it('does not retry timeouts', async () => {
    const { http } = await make({ path: '/slow', retries: 3, timeoutMs: 150, retryBackoffMs: 10 });
    const r = await timed(() => http.get({ query: { ms: 1000, key: 'slow-1' } }));
    expect(r.error?.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect(backend.hits.get('slow-1')).toBe(1);
  });
});

describe('outgoing.http: pool', () => {
  it('poolSize bounds concurrency; changing it live takes effect for the next requests, in-flight ones finish', async () => {
    const { inst, http, cfg } = await make({ path: '/conc', poolSize: 1 });
    backend.maxConcurrent = 0;
    const t0 = performance.now();
    await Promise.all([1, 2, 3, 4].map(() => http.get({ query: { ms: 100 } })));
    expect(backend.maxConcurrent).toBe(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);

    // Two in flight on the old Pool while it is replaced.
    backend.maxConcurrent = 0;
    const inflight = Promise.all([1, 2].map(() => http.get({ query: { ms: 200 } })));
    await new Promise((r) => setTimeout(r, 30));
    await inst.reconfigure({ ...cfg, poolSize: 4 });
    await Promise.all([1, 2, 3, 4].map(() => http.get({ query: { ms: 100 } })));
    // With the old size the backend would never see more than 2 at once (1 old + 1 new).
    expect(backend.maxConcurrent).toBeGreaterThanOrEqual(4);
    const old = await inflight;
    expect(old.map((r) => r.status)).toEqual([200, 200]);
  });

  it('the old Pool closes its connections once its requests are done', async () => {
    const b = await startBackend();
    try {
      const ctx = createTestContext();
      const cfg = outgoingHttp.kind.schema.parse({
        name: 'pooled',
        address: b.url,
        path: '/echo',
        poolSize: 2,
      }) as OutgoingHttpConfig;
      const inst = outgoingHttp.create(cfg, ctx);
      live.push(inst);
      const http = inst.handle!() as HttpOutgoing;
      await Promise.all([http.get(), http.get()]);
      expect(b.open.size).toBe(2);
      await inst.reconfigure({ ...cfg, poolSize: 5 });
      await http.get();
      await new Promise((r) => setTimeout(r, 200));
      expect(b.open.size).toBe(1);
      expect(b.connections).toBe(3);
    } finally {
      await b.close();
    }
  });

  it('stop waits for in-flight requests, then refuses new calls', async () => {
    const { inst, http, cfg } = await make({ path: '/slow' });
    const running = http.get({ query: { ms: 200 } });
    await new Promise((r) => setTimeout(r, 30));
    const t0 = performance.now();
    await inst.stop();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect((await running).status).toBe(200);
    const e = await failure(http.get());
    expect(e.code).toBe('WHARF_ERR_CONNECTION_INACTIVE');
    expect(e.message).toContain(cfg.name);
    expect(inst.health().status).toBe('stopped');
  });
});

describe('outgoing.http: pass-through', () => {
  it('relays bytes, status and headers unparsed; drops hop-by-hop headers; adds the connection security', async () => {
    const { http } = await make(
      { path: '/hop', security: 'k' },
      { 'security.apiKey/k': { name: 'k', active: true, headerName: 'x-key', key: 'kk' } },
    );
    const r = await http.passThrough({
      method: 'POST',
      headers: {
        host: 'client.example',
        connection: 'keep-alive',
        'content-type': 'text/xml',
        'content-length': '3',
        soapaction: 'urn:x',
      },
      body: Buffer.from('<a/>'),
    });
    expect(r.status).toBe(201);
    expect(r.body.toString()).toBe('echo:<a/>');
    expect(r.headers['x-upstream']).toBe('u1');
    expect(r.headers['content-type']).toBe('application/x-custom');
    expect(r.headers['connection']).toBeUndefined();
    expect(r.headers['keep-alive']).toBeUndefined();

    const e = await http.passThrough({
      method: 'POST',
      path: '/echo/x?y=1',
      headers: { 'content-type': 'text/xml', soapaction: 'urn:x', 'x-key': 'client-value' },
      body: '<b/>',
    });
    const seen = JSON.parse(e.body.toString()) as {
      path: string;
      query: Record<string, string>;
      headers: Record<string, string>;
      body: string;
    };
    expect(seen).toMatchObject({ path: '/echo/x', query: { y: '1' }, body: '<b/>' });
    expect(seen.headers).toMatchObject({
      'content-type': 'text/xml',
      soapaction: 'urn:x',
      'x-key': 'kk',
      host: `127.0.0.1:${backend.port}`,
    });
  });

  it('streams request and answer bodies when asked', async () => {
    const { http } = await make({ path: '/bytes' });
    const r = await http.passThrough({
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from([Buffer.from('12'), Buffer.from('34')]),
      stream: true,
    });
    const chunks: Buffer[] = [];
    for await (const c of r.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('1234');
  });

  it('pass-through keeps the live timeout and maps errors', async () => {
    const { http, cfg } = await make({ path: '/slow', timeoutMs: 150 });
    const r = await timed(() => http.passThrough({ method: 'GET', path: '/slow?ms=1000' }));
    expect(r.error?.message).toBe(`HTTP connection \`${cfg.name}\`: no answer within 150 ms (GET /slow)`);
    const s = await timed(() => http.passThrough({ method: 'GET', path: '/slow?ms=1000', stream: true }));
    expect(s.error?.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect(s.ms).toBeLessThan(550);
  });
});

describe('outgoing.http: TLS', () => {
  let pki: Pki;
  let tlsServer: HttpsServer;
  let mtlsServer: HttpsServer;
  let tlsUrl: string;
  let mtlsUrl: string;
  const tlsBackend: Backend = {
    port: 0,
    url: '',
    server: undefined as unknown as Server,
    hits: new Map(),
    maxConcurrent: 0,
    concurrent: 0,
    connections: 0,
    open: new Set(),
    close: async () => undefined,
  };

  beforeAll(async () => {
    pki = makePki();
    tlsServer = createHttpsServer({ key: pki.serverKey, cert: pki.serverCert });
    tlsServer.on('request', handler(tlsBackend));
    track(tlsBackend, tlsServer);
    tlsUrl = `https://127.0.0.1:${await listen(tlsServer)}`;
    mtlsServer = createHttpsServer({
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
    });
    mtlsServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ client: peer.subject?.CN }));
    });
    track(tlsBackend, mtlsServer);
    mtlsUrl = `https://127.0.0.1:${await listen(mtlsServer)}`;
  });
  afterAll(async () => {
    for (const s of tlsBackend.open) s.destroy();
    await Promise.all([tlsServer, mtlsServer].map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  it('an unknown CA is refused with a clear message; configuring `ca` live makes it work', async () => {
    const { inst, http, cfg } = await make({ address: tlsUrl });
    const e = await failure(http.get());
    expect(e.status).toBe(502);
    expect(e.message).toMatch(
      new RegExp(
        `^HTTP connection \`${cfg.name}\`: certificate verification failed: .+ \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\\) at https://127\\.0\\.0\\.1:\\d+$`,
      ),
    );
    // A different CA does not help either.
    await inst.reconfigure({ ...cfg, ca: pki.otherCa });
    expect((await failure(http.get())).message).toMatch(/certificate verification failed/);
    await inst.reconfigure({ ...cfg, ca: pki.ca });
    const r = await http.get<{ path: string }>();
    expect(r.payload.path).toBe('/echo');
  });

  it('validateCert off accepts the unknown CA (tests only)', async () => {
    const { http } = await make({ address: tlsUrl, validateCert: false });
    expect((await http.get()).status).toBe(200);
  });

  it('mutual TLS: refused without a client certificate, accepted with tlsClientCert + tlsClientKey', async () => {
    const { inst, http, cfg } = await make({ address: mtlsUrl, ca: pki.ca, path: '/' });
    const e = await failure(http.get());
    expect(e.status).toBe(502);
    expect(e.message).toMatch(/HTTP connection `CRM-\d+`: /);
    await inst.reconfigure({ ...cfg, tlsClientCert: pki.clientCert, tlsClientKey: pki.clientKey });
    const r = await http.get<{ client: string }>();
    expect(r.payload.client).toBe('wharf-client');
  });

  it('a client certificate without its key: refused by check, start and reconfigure; health down; calls fail clearly', async () => {
    const cert = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----';
    const bad = config({ address: mtlsUrl, tlsClientCert: cert });
    expect(outgoingHttp.kind.check?.(bad, { list: () => [] })).toEqual(['tlsClientKey: required with tlsClientCert']);
    const inst = outgoingHttp.create(bad, createTestContext());
    live.push(inst);
    await expect(inst.start()).rejects.toThrow(/HTTP connection `CRM-\d+`: tlsClientKey: required with tlsClientCert/);
    expect(inst.health()).toMatchObject({ status: 'down', detail: expect.stringMatching(/tlsClientKey/) });
    const http = inst.handle!() as HttpOutgoing;
    expect((await failure(http.get())).code).toBe('WHARF_ERR_CONFIG_INVALID');
    // Fixing the config live makes it usable; breaking it again is refused and the good config stays.
    const good = { ...bad, tlsClientKey: pki.clientKey, tlsClientCert: pki.clientCert, ca: pki.ca, path: '/' };
    await inst.reconfigure(good);
    expect(inst.health().status).toBe('up');
    expect((await http.get<{ client: string }>()).payload.client).toBe('wharf-client');
    await expect(inst.reconfigure({ ...good, tlsClientKey: undefined })).rejects.toThrow(/tlsClientKey: required/);
    expect((await http.get<{ client: string }>()).payload.client).toBe('wharf-client');
  });
});
