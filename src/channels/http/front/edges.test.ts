/**
 * The HTTP/1.1 front's edges (issue 13), each finding reproduced on real sockets: it stops reading once it
 * decided to close; head and body deadlines answered 408; a connection cap; null-prototype headers;
 * bare LF, odd versions and two Host headers refused with the registry's JSON error — on the front and on
 * node:http's side (handed-off connections).
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, startFront, type FrontRig, type RigOptions } from '../../../../test/support/http-front.js';

let rig: FrontRig | undefined;
let clients: RawClient[] = [];

async function start(opts: RigOptions = {}): Promise<FrontRig> {
  rig = await startFront({
    services: {
      echo: (c) => ({ got: c.payload ?? null, headers: { ...c.inv.headers } }),
      ctor: (c) => ({
        ctor: c.inv.headers?.['constructor'] ?? null,
        proto: c.inv.headers?.['__proto__'] ?? null,
        ts: c.inv.headers?.['tostring'] ?? null,
      }),
      plain: (c) => c.raw.toString('utf8'),
      big: () => 'B'.repeat(16 * 1024 * 1024),
    },
    ...opts,
  });
  rig.channel({ urlPath: '/echo', service: 'echo' });
  rig.channel({ urlPath: '/ctor', service: 'ctor' });
  rig.channel({ urlPath: '/plain', service: 'plain', dataFormat: 'plain', maxBodySize: 100 });
  rig.channel({ urlPath: '/big', service: 'big', dataFormat: 'plain' });
  return rig;
}

const client = (): RawClient => {
  const c = new RawClient(rig!.port);
  clients.push(c);
  return c;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const errorCode = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

/** Writes `text` one byte every `ms` until the connection closes (or the text runs out). */
async function trickle(c: RawClient, text: string, ms = 100): Promise<void> {
  for (const ch of text) {
    if (c.closed) return;
    c.send(ch);
    await sleep(ms);
  }
}

afterEach(async () => {
  for (const c of clients) c.socket.destroy();
  clients = [];
  await rig?.close();
  rig = undefined;
});

describe('the front stops reading once it decided to close', () => {
  it('a 413 for a huge declared Content-Length: the stream that follows is not buffered, the socket is destroyed', async () => {
    const r = await start();
    const c = client();
    c.send('POST /plain HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000000\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    // Keep streaming (up to 8 MiB) while the socket takes it, as the attacker of the finding did.
    while (!c.closed && sent < 8 * 1024 * 1024) {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((res) => c.socket.once('drain', res)), sleep(50)]);
      sent += chunk.length;
      expect(r.front.heldBytes).toBe(0);
    }
    await c.waitClosed();
    // The lingering close (bytes discarded, not kept) lets the uploading client read its 413 before the close.
    const [a] = await c.next();
    expect(a!.status).toBe(413);
    expect(a!.headers['connection']).toBe('close');
    expect(a!.body).toContain('WHARF_ERR_BODY_TOO_LARGE');
    expect(r.front.heldBytes).toBe(0);
    expect(r.front.connections).toBe(0);
    expect(r.ctx.calls.length).toBe(0);
  });

  it('`Connection: close` and HTTP/1.0: answered, then closed; pipelined requests after it never reach the service', async () => {
    const r = await start();
    const c = client();
    const req = (extra: string): string =>
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n${extra}\r\n{}`;
    c.send(req('Connection: close\r\n') + req('') + req(''));
    const [a] = await c.next();
    expect(a!.status).toBe(200);
    expect(a!.headers['connection']).toBe('close');
    await c.waitClosed();
    expect(r.ctx.calls.length).toBe(1);
    expect(r.front.heldBytes).toBe(0);
    const d = client();
    d.send('GET /echo HTTP/1.0\r\n\r\nGET /echo HTTP/1.0\r\n\r\n');
    expect((await d.next())[0]!.status).toBe(200);
    await d.waitClosed();
    expect(r.ctx.calls.length).toBe(2);
  });

  it('a closing connection whose client never reads is destroyed after the grace', async () => {
    const r = await start({ closeGraceMs: 200 });
    const c = client();
    c.socket.pause(); // never reads: a 16 MiB answer cannot be flushed
    c.send('GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await r.ctx.waitForCalls(1);
    const until = Date.now() + 10_000;
    while (r.front.connections > 0 && Date.now() < until) await sleep(20);
    expect(r.front.connections).toBe(0);
    expect(r.front.heldBytes).toBe(0);
  });
});

describe('graceful close', () => {
  it('close() resolves even when an idle client ignores the FIN: the socket is destroyed at the close grace', async () => {
    const r = await start({ closeGraceMs: 200 });
    const s = connect({ port: r.port, host: '127.0.0.1', allowHalfOpen: true });
    s.on('error', () => undefined);
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.write('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!got.includes('\r\n\r\n')) await sleep(5);
    let ended = false;
    s.on('end', () => (ended = true));
    await r.front.close(); // would wait for the client's FIN for ever without the grace
    expect(r.front.connections).toBe(0);
    expect(ended).toBe(true); // the client got the server's FIN
    s.destroy();
  });
});

describe('deadlines (408 with the error body, then close)', () => {
  it('a head trickled a byte every 100 ms is answered 408 at the head deadline, not kept alive by the trickle', async () => {
    await start({ headersTimeoutMs: 300 });
    const c = client();
    void trickle(c, 'GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200));
    const [a] = await c.next(1, 10_000);
    expect(a!.status).toBe(408);
    expect(a!.headers['content-type']).toMatch(/json/);
    expect(errorCode(a!.body)).toBe('WHARF_ERR_REQUEST_TIMEOUT');
    await c.waitClosed();
  });

  it('a Content-Length body slower than the body deadline: 408 in the channel format; the service never runs', async () => {
    const r = await start({ bodyTimeoutMs: 300 });
    const c = client();
    c.send('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n');
    void trickle(c, '{"a":"' + 'b'.repeat(52) + '"}');
    const [a] = await c.next(1, 10_000);
    expect(a!.status).toBe(408);
    expect(errorCode(a!.body)).toBe('WHARF_ERR_REQUEST_TIMEOUT');
    expect(JSON.parse(a!.body).error.message).toMatch(/body/);
    await c.waitClosed();
    expect(r.ctx.calls.length).toBe(0);
    expect(r.front.heldBytes).toBe(0);
  });

  it('a body under the minimum rate after the grace is answered 408 before the total deadline', async () => {
    await start({ bodyTimeoutMs: 60_000, bodyRateGraceMs: 300, bodyMinBytesPerSec: 100 });
    const c = client();
    c.send('POST /plain HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 90\r\n\r\n');
    void trickle(c, 'z'.repeat(90)); // ~10 bytes/s
    const [a] = await c.next(1, 10_000);
    expect(a!.status).toBe(408);
    expect(a!.body).toContain('WHARF_ERR_REQUEST_TIMEOUT');
    expect(a!.body).toContain('100 bytes/s');
  });

  it('a body arriving in pieces within its deadlines is served', async () => {
    await start({ bodyTimeoutMs: 5000, bodyRateGraceMs: 5000 });
    const c = client();
    c.send('POST /plain HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nabc');
    await sleep(150);
    c.send('def');
    const [a] = await c.next();
    expect(a!.status).toBe(200);
    expect(a!.body).toBe('abcdef');
  });

  it("node:http's side: a chunked body trickled past requestTimeout gets 408 with the JSON error body", async () => {
    const r = await start({ node: { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 100 } });
    const c = client();
    c.send('POST /plain HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
    void trickle(c, '1\r\na\r\n'.repeat(40));
    const [a] = await c.next(1, 10_000);
    expect(a!.status).toBe(408);
    expect(errorCode(a!.body)).toBe('WHARF_ERR_REQUEST_TIMEOUT');
    await c.waitClosed();
    expect(r.viaNode()).toBe(1);
  });
});

describe('node:http side: a body over the limit', () => {
  it('a chunked body past maxBodySize: 413, then the connection closes instead of reading the rest', async () => {
    const r = await start();
    const c = client();
    c.send('POST /plain HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = `1000\r\n${'q'.repeat(0x1000)}\r\n`;
    for (let i = 0; i < 2000 && !c.closed && c.count === 0; i++) {
      c.send(chunk);
      if (i % 16 === 15) await sleep(1);
    }
    const [a] = await c.next();
    expect(a!.status).toBe(413);
    expect(a!.headers['connection']).toBe('close');
    expect(a!.body).toContain('WHARF_ERR_BODY_TOO_LARGE');
    await c.waitClosed();
    expect(r.viaNode()).toBe(1);
  });
});

describe('connection cap', () => {
  it('with maxConnections 3, a fourth connection is closed at once (handed-off ones count); a slot frees on close', async () => {
    await start({ maxConnections: 3 });
    const a = client();
    const b = client();
    const h = client();
    a.send('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
    b.send('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
    h.send('GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n'); // handed off to node:http, kept alive there
    expect((await a.next())[0]!.status).toBe(200);
    expect((await b.next())[0]!.status).toBe(200);
    expect((await h.next())[0]!.status).toBe(404);
    const over = client();
    over.send('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
    await over.waitClosed();
    expect(over.count).toBe(0);
    h.socket.destroy();
    await h.waitClosed();
    await sleep(50);
    const again = client();
    again.send('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await again.next())[0]!.status).toBe(200);
  });
});

describe('headers are a null-prototype object', () => {
  it('`constructor`, `__proto__`, `toString` headers reach the service as their own values; absent, they are absent', async () => {
    await start();
    const c = client();
    c.send('GET /ctor HTTP/1.1\r\nHost: x\r\nConstructor: x\r\n__proto__: p\r\ntoString: t\r\n\r\n');
    const [a] = await c.next();
    expect(JSON.parse(a!.body)).toEqual({ ctor: 'x', proto: 'p', ts: 't' });
    c.send('GET /ctor HTTP/1.1\r\nHost: x\r\n\r\n');
    const [b] = await c.next();
    expect(JSON.parse(b!.body)).toEqual({ ctor: null, proto: null, ts: null });
    // node:http's side (a chunked body hands the request off)
    c.send(
      'POST /ctor HTTP/1.1\r\nHost: x\r\nconstructor: y\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    );
    const [n] = await c.next();
    expect(JSON.parse(n!.body)).toEqual({ ctor: 'y', proto: null, ts: null });
    c.send(
      'POST /ctor HTTP/1.1\r\nHost: x\r\n__proto__: q\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    );
    const [m] = await c.next();
    expect(JSON.parse(m!.body)).toEqual({ ctor: null, proto: 'q', ts: null });
    expect(rig!.viaNode()).toBe(2);
  });
});

describe('request lines and headers refused as RFC 9112 says (on both paths), with the JSON error body', () => {
  it.each([
    ['bare LF line ends', 400, 'WHARF_ERR_BAD_REQUEST', 'GET /echo HTTP/1.1\nHost: x\n\n'],
    [
      'a bare LF in the middle of an unfinished head',
      400,
      'WHARF_ERR_BAD_REQUEST',
      'GET /echo HTTP/1.1\r\nHost: x\nX-A: 1\r\n',
    ],
    ['an HTTP/0.9 request line', 400, 'WHARF_ERR_BAD_REQUEST', 'GET /echo\r\n\r\n'],
    ['HTTP/2.0', 505, 'WHARF_ERR_HTTP_VERSION', 'GET /echo HTTP/2.0\r\nHost: x\r\n\r\n'],
    ['HTTP/1.2', 400, 'WHARF_ERR_BAD_REQUEST', 'GET /echo HTTP/1.2\r\nHost: x\r\n\r\n'],
    ['two Host headers', 400, 'WHARF_ERR_BAD_REQUEST', 'GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    [
      'two Host headers on the admin path',
      400,
      'WHARF_ERR_BAD_REQUEST',
      'GET /wharf/ping HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n',
    ],
    [
      'Content-Length with a tab after the digits',
      400,
      'WHARF_ERR_BAD_REQUEST',
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \t 2 \t\r\n\r\n{}',
    ],
  ])('%s → %s (%s), at once, then close', async (_what, status, code, text) => {
    const r = await start(); // the head deadline stays at 60 s: an answer within 5 s is "at once"
    const c = client();
    c.send(text);
    const [a] = await c.next(1, 5000);
    expect(a!.status).toBe(status);
    expect(a!.headers['content-type']).toMatch(/json/);
    expect(errorCode(a!.body)).toBe(code);
    await c.waitClosed();
    expect(r.ctx.calls.length).toBe(0);
  });

  it('Content-Length with spaces and tabs before the digits and spaces after is served (as llhttp does)', async () => {
    await start();
    const c = client();
    c.send('POST /plain HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: \t 5  \r\n\r\nhello');
    const [a] = await c.next();
    expect(a!.status).toBe(200);
    expect(a!.body).toBe('hello');
  });
});
