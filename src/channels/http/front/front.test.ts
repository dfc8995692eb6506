/**
 * Wharf's HTTP/1.1 front on real sockets: what it serves itself (byte for byte as node:http would), what
 * it hands to node:http (and that the connection keeps working there), pipelining, split bodies, limits,
 * timeouts, graceful close.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestContext } from '../../../../test/support/connectors/context.js';
import type { HttpFront } from './front.js';
import { RawClient, startFront, type FrontRig } from '../../../../test/support/http-front.js';

let rig: FrontRig;
let front: HttpFront;
let ctx: TestContext;

async function start(opts: { headersTimeoutMs?: number } = {}): Promise<void> {
  rig = await startFront({
    services: {
      echo: (c) => ({
        got: c.payload ?? null,
        query: c.inv.params?.query ?? {},
        path: c.inv.params?.path ?? {},
        ct: c.inv.headers?.['content-type'] ?? null,
      }),
      plain: (c) => c.raw.toString('utf8'),
      slow: async () => {
        await new Promise((r) => setTimeout(r, 150));
        return { slow: true };
      },
    },
    ...opts,
  });
  front = rig.front;
  ctx = rig.ctx;
  rig.channel({ urlPath: '/echo/{id}', service: 'echo' });
  rig.channel({ urlPath: '/plain', service: 'plain', dataFormat: 'plain', maxBodySize: 100 });
  rig.channel({ urlPath: '/slow', service: 'slow' });
}

const post = (path: string, body: string, extra = ''): string =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

let clients: RawClient[] = [];
const client = (): RawClient => {
  const c = new RawClient(rig.port);
  clients.push(c);
  return c;
};

beforeEach(async () => {
  clients = [];
  await start();
});
afterEach(async () => {
  for (const c of clients) c.socket.destroy();
  await rig.close();
});

describe('HttpFront', () => {
  it('serves a routed request itself, with the headers node:http would write, and keeps the connection', async () => {
    const c = client();
    c.send(post('/echo/7?a=1', '{"n":1}'));
    const [a] = await c.next();
    expect(a!.status).toBe(200);
    expect(JSON.parse(a!.body)).toEqual({
      got: { n: 1 },
      query: { a: '1' },
      path: { id: '7' },
      ct: 'application/json',
    });
    expect(a!.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(a!.headers).toMatchObject({
      'content-type': 'application/json',
      connection: 'keep-alive',
      'keep-alive': 'timeout=65',
    });
    expect(a!.headers['x-wharf-cid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(a!.headers['date']!).getTime()).toBeGreaterThan(Date.now() - 5000);
    c.send(post('/echo/8', '{"n":2}'));
    const [b] = await c.next();
    expect(JSON.parse(b!.body).got).toEqual({ n: 2 });
    expect(rig.viaNode()).toBe(0);
    expect(c.closed).toBe(false);
  });

  it('answers pipelined requests in order, and bodies that arrive a byte at a time', async () => {
    const c = client();
    c.send(post('/slow', '{}') + post('/echo/1', '{"i":1}') + post('/echo/2', '{"i":2}'));
    const got = await c.next(3);
    expect(got.map((a) => a.body)).toEqual([
      '{"slow":true}',
      expect.stringContaining('"i":1'),
      expect.stringContaining('"i":2'),
    ]);
    const text = Buffer.from(post('/echo/3', '{"drip":"ok"}'));
    for (const byte of text) {
      c.send(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    const [d] = await c.next();
    expect(JSON.parse(d!.body).got).toEqual({ drip: 'ok' });
    expect(rig.viaNode()).toBe(0);
  });

  it('hands the admin path, unknown paths and chunked bodies to node:http, on the same connection, which keeps working', async () => {
    const c = client();
    c.send(post('/echo/1', '{"a":1}'));
    expect((await c.next())[0]!.status).toBe(200);
    expect(rig.viaNode()).toBe(0);
    c.send('GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n');
    const [nf] = await c.next();
    expect(nf!.status).toBe(404);
    expect(JSON.parse(nf!.body).error.code).toBe('WHARF_ERR_ROUTE_NOT_FOUND');
    expect(rig.viaNode()).toBe(1);
    c.send(
      'POST /echo/2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"b":\r\n2\r\n2}\r\n0\r\n\r\n',
    );
    const [ch] = await c.next();
    expect(ch!.status).toBe(200);
    expect(JSON.parse(ch!.body).got).toEqual({ b: 2 });
    expect(rig.viaNode()).toBe(2);
  });

  it('hands a chunked request whose body is still arriving to node:http without losing a byte', async () => {
    const c = client();
    c.send(
      'POST /plain HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n',
    );
    await new Promise((r) => setTimeout(r, 30));
    c.send('3\r\ndef\r\n0\r\n\r\n');
    const [a] = await c.next();
    expect(a!.body).toBe('abcdef');
    expect(rig.viaNode()).toBe(1);
  });

  it('lets node:http answer malformed requests (400) as it always did', async () => {
    const c = client();
    c.send('GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n');
    const [a] = await c.next();
    expect(a!.status).toBe(400);
  });

  it('refuses a body over the channel limit with 413 in the channel format and closes the connection', async () => {
    const c = client();
    c.send(`POST /plain HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 101\r\n\r\n`);
    const [a] = await c.next();
    expect(a!.status).toBe(413);
    expect(a!.headers['connection']).toBe('close');
    expect(a!.body).toContain('WHARF_ERR_BODY_TOO_LARGE');
    await c.waitClosed();
  });

  it('answers HEAD without a body, and HTTP/1.0 with Connection: close, then closes', async () => {
    const c = client();
    c.head = true;
    c.send('HEAD /echo/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    const [h] = await c.next();
    expect(h!.status).toBe(200);
    expect(Number(h!.headers['content-length'])).toBeGreaterThan(0);
    expect(h!.body).toBe('');
    const d = client();
    d.send('GET /echo/1 HTTP/1.0\r\n\r\n');
    const [a] = await d.next();
    expect(a!.headers['connection']).toBe('close');
    await d.waitClosed();
  });

  it('turns a reply header node:http would refuse into a 500 with the cid, and keeps serving', async () => {
    ctx.invoke = async () => ({
      statusCode: 200,
      headers: { 'x-bad': 'a\r\nInjected: 1' },
      contentType: undefined,
      output: 'x',
      value: 'x',
    });
    const c = client();
    c.send(post('/echo/1', '{}'));
    const [a] = await c.next();
    expect(a!.status).toBe(500);
    expect(a!.head).not.toContain('Injected');
    expect(JSON.parse(a!.body).error.code).toBe('WHARF_ERR_INTERNAL');
    c.send(post('/echo/1', '{}'));
    expect((await c.next())[0]!.status).toBe(500);
  });

  it('close(): idle connections end at once, a request in progress gets its answer with Connection: close', async () => {
    const idle = client();
    const busy = client();
    idle.send(post('/echo/1', '{}'));
    await idle.next();
    busy.send(post('/slow', '{}'));
    await ctx.waitForCalls(2); // the slow service is running
    const closed = front.close();
    await idle.waitClosed();
    const [a] = await busy.next();
    expect(a!.body).toBe('{"slow":true}');
    expect(a!.headers['connection']).toBe('close');
    await busy.waitClosed();
    await closed;
    expect(front.connections).toBe(0);
  });
});

describe('HttpFront headers timeout', () => {
  it('drops a connection whose request head does not arrive in time', async () => {
    await rig.close();
    await start({ headersTimeoutMs: 100 });
    const c = client();
    c.send('GET /echo/1 HTTP/1.1\r\nHost: x\r\n');
    await c.waitClosed(2000);
  });
});
