import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeAbort, type ExchangeRequest } from '../exchange.js';
import { rawExchange } from './exchange.js';
import { SocketPool } from './socket-pool.js';

const servers: (Server | NetServer)[] = [];
const pools: SocketPool[] = [];

afterEach(async () => {
  for (const p of pools.splice(0)) await p.destroy();
  for (const s of servers.splice(0)) {
    (s as Server).closeAllConnections?.();
    s.close();
  }
});

interface Http {
  server: Server;
  port: number;
  connections: number;
}

async function http(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
  setup?: (s: Server) => void,
): Promise<Http> {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(parts)));
  });
  setup?.(server);
  const h: Http = { server, port: 0, connections: 0 };
  server.on('connection', () => h.connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  h.port = (server.address() as AddressInfo).port;
  servers.push(server);
  return h;
}

async function raw(onSocket: (s: Socket, n: number) => void): Promise<number> {
  let n = 0;
  const server = createNetServer((s) => onSocket(s, n++));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

function pool(port: number, connections = 4): SocketPool {
  const p = new SocketPool({ host: '127.0.0.1', port, connections });
  pools.push(p);
  return p;
}

function req(over: Partial<ExchangeRequest> = {}): ExchangeRequest {
  return { method: 'GET', path: '/', headers: {}, timeoutMs: 2000, maxBytes: 1 << 20, ...over };
}

async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

describe('rawExchange', () => {
  it('sends method, path, host, headers and body; reads status, headers and body', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; raw?: string[]; body?: string } =
      {};
    const h = await http((q, res, body) => {
      seen = { method: q.method, url: q.url, headers: q.headers, raw: q.rawHeaders, body: body.toString() };
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-one', 'v');
      res.end('answer');
    });
    const x = await rawExchange(
      pool(h.port),
      req({
        method: 'POST',
        path: '/p?q=1',
        headers: { 'content-type': 'text/plain', 'x-multi': ['1', '2'], 'content-length': '999' },
        body: 'héllo',
      }),
    );
    expect(x.status).toBe(200);
    expect(x.body.toString()).toBe('answer');
    expect(x.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(x.headers['x-one']).toBe('v');
    expect(x.headers['content-length']).toBe('6');
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/p?q=1');
    expect(seen.body).toBe('héllo');
    expect(seen.headers!['host']).toBe(`127.0.0.1:${h.port}`);
    expect(seen.headers!['content-length']).toBe('6');
    expect(seen.headers!['x-multi']).toBe('1, 2');
    expect(seen.raw!.filter((_, i) => i % 2 === 0)).toEqual([
      'host',
      'connection',
      'content-type',
      'x-multi',
      'x-multi',
      'content-length',
    ]);
  });

  it('content-length: 0 for POST without a body, none for GET; a large body in two writes', async () => {
    const seen: (string | undefined)[] = [];
    let size = 0;
    const h = await http((q, res, body) => {
      seen.push(q.headers['content-length']);
      size = body.length;
      res.end();
    });
    const p = pool(h.port);
    await rawExchange(p, req({ method: 'POST' }));
    await rawExchange(p, req({ method: 'GET' }));
    await rawExchange(p, req({ method: 'DELETE', body: Buffer.alloc(0) }));
    await rawExchange(p, req({ method: 'PUT', body: new Uint8Array(100_000).fill(65) }));
    expect(seen).toEqual(['0', undefined, undefined, '100000']);
    expect(size).toBe(100_000);
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    const h = await http((_q, res) => res.end('x'));
    const p = pool(h.port);
    for (let i = 0; i < 5; i++) expect((await rawExchange(p, req())).body.toString()).toBe('x');
    expect(h.connections).toBe(1);
    expect(p.idleCount).toBe(1);
  });

  it('opens at most `connections` sockets and queues the rest in order', async () => {
    const order: string[] = [];
    let active = 0;
    let peak = 0;
    const h = await http((q, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        order.push(q.url!);
        res.end(q.url);
      }, 30);
    });
    const p = pool(h.port, 2);
    const all = await Promise.all(Array.from({ length: 6 }, (_, i) => rawExchange(p, req({ path: `/${i}` }))));
    expect(all.map((x) => x.body.toString())).toEqual(['/0', '/1', '/2', '/3', '/4', '/5']);
    expect(peak).toBe(2);
    expect(h.connections).toBe(2);
    expect(p.size).toBe(2);
  });

  it('times out exactly when the server never answers, and frees the socket', async () => {
    const h = await http(() => undefined);
    const p = pool(h.port, 1);
    const t0 = performance.now();
    const e = await failure(rawExchange(p, req({ timeoutMs: 150 })));
    const took = performance.now() - t0;
    expect(e).toBeInstanceOf(ExchangeAbort);
    expect((e as ExchangeAbort).kind).toBe('timeout');
    expect((e as ExchangeAbort).limit).toBe(150);
    expect(took).toBeGreaterThanOrEqual(149);
    expect(took).toBeLessThan(190);
    expect(p.size).toBe(0);
  });

  it('the deadline covers the wait for a pooled connection', async () => {
    const h = await http((_q, res) => setTimeout(() => res.end('late'), 300));
    const p = pool(h.port, 1);
    const first = rawExchange(p, req());
    const e = await failure(rawExchange(p, req({ timeoutMs: 100 })));
    expect((e as ExchangeAbort).kind).toBe('timeout');
    expect(p.queued).toBe(0);
    expect((await first).body.toString()).toBe('late');
  });

  it('refuses an answer larger than maxBytes (content-length, chunked, until close)', async () => {
    const h = await http((q, res) => {
      if (q.url === '/chunked') {
        res.write('a'.repeat(60));
        res.end('b'.repeat(60));
      } else res.end('x'.repeat(200));
    });
    const p = pool(h.port);
    const e1 = await failure(rawExchange(p, req({ maxBytes: 100 })));
    expect(e1).toMatchObject({ kind: 'too-large', limit: 100 });
    const e2 = await failure(rawExchange(p, req({ path: '/chunked', maxBytes: 100 })));
    expect(e2).toMatchObject({ kind: 'too-large', limit: 100 });
    expect((await rawExchange(p, req({ maxBytes: 200 }))).body.length).toBe(200);
    const port = await raw((s) => {
      s.once('data', () => s.end(`HTTP/1.1 200 OK\r\n\r\n${'z'.repeat(150)}`));
    });
    const e3 = await failure(rawExchange(pool(port), req({ maxBytes: 100 })));
    expect(e3).toMatchObject({ kind: 'too-large', limit: 100 });
  });

  it('aborts on the signal, and at once with an already aborted signal', async () => {
    const h = await http(() => undefined);
    const p = pool(h.port);
    const ac = new AbortController();
    const pending = rawExchange(p, req({ signal: ac.signal }));
    setTimeout(() => ac.abort('stop'), 30);
    const e = await failure(pending);
    expect(e).toMatchObject({ kind: 'aborted', reason: 'stop' });
    expect(p.size).toBe(0);
    const e2 = await failure(rawExchange(p, req({ signal: AbortSignal.abort('early') })));
    expect(e2).toMatchObject({ kind: 'aborted', reason: 'early' });
  });

  it('a connection the server closed while idle is dropped at once; the next request opens a new one', async () => {
    let connections = 0;
    const port = await raw((s) => {
      connections++;
      s.on('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        setTimeout(() => s.end(), 50);
      });
    });
    const p = pool(port);
    expect((await rawExchange(p, req())).body.toString()).toBe('ok');
    expect(p.idleCount).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    expect(p.idleCount).toBe(0);
    expect(p.size).toBe(0);
    expect((await rawExchange(p, req())).body.toString()).toBe('ok');
    expect(connections).toBe(2);
  });

  it('closes connections idle longer than idleMs', async () => {
    const h = await http((_q, res) => res.end('ok'));
    const p = new SocketPool({ host: '127.0.0.1', port: h.port, connections: 2, idleMs: 100 });
    pools.push(p);
    await rawExchange(p, req());
    expect(p.idleCount).toBe(1);
    await new Promise((r) => setTimeout(r, 450));
    expect(p.idleCount).toBe(0);
    expect(p.size).toBe(0);
  });

  it('stale keep-alive race: an idempotent request is sent again on a new connection; POST fails with ECONNRESET', async () => {
    let requests = 0;
    const port = await raw((s) => {
      let n = 0;
      s.on('data', () => {
        requests++;
        // The first request on each connection is answered, the second one is met with a close.
        if (n++ === 0) s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else s.destroy();
      });
    });
    const p = pool(port, 1);
    await rawExchange(p, req());
    expect((await rawExchange(p, req())).body.toString()).toBe('ok');
    expect(requests).toBe(3);
    const e = await failure(rawExchange(p, req({ method: 'POST', body: 'x' })));
    expect(e.code).toBe('ECONNRESET');
  });

  it('honours a keep-alive timeout hint: too short means no reuse', async () => {
    const h = await http(
      (_q, res) => res.end('ok'),
      (s) => {
        s.keepAliveTimeout = 1500; // "Keep-Alive: timeout=1"
      },
    );
    const p = pool(h.port);
    await rawExchange(p, req());
    await rawExchange(p, req());
    expect(h.connections).toBe(2);
    expect(p.idleCount).toBe(0);
  });

  it('many concurrent requests through a small pool to a server closing every 3rd connection', async () => {
    const h = await http(
      (q, res, body) => res.end(`${q.url}:${body.length}`),
      (s) => {
        s.maxRequestsPerSocket = 3; // "connection: close" on the 3rd answer of each socket
      },
    );
    const p = pool(h.port, 4);
    const all = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        rawExchange(p, req({ method: i % 2 ? 'POST' : 'GET', path: `/${i}`, body: i % 2 ? 'x'.repeat(i) : null })),
      ),
    );
    expect(all.map((x) => x.body.toString())).toEqual(Array.from({ length: 200 }, (_, i) => `/${i}:${i % 2 ? i : 0}`));
    expect(p.size).toBeLessThanOrEqual(4);
    expect(h.connections).toBeGreaterThanOrEqual(67);
  });

  it('connection refused → ECONNREFUSED', async () => {
    const port = await raw(() => undefined);
    const s = servers.pop()!;
    s.close();
    await once(s, 'close');
    const e = await failure(rawExchange(pool(port), req()));
    expect(e.code).toBe('ECONNREFUSED');
  });

  it('unknown host → ENOTFOUND or EAI_AGAIN', async () => {
    const p = new SocketPool({ host: 'no-such-host.invalid', port: 80, connections: 1 });
    pools.push(p);
    const e = await failure(rawExchange(p, req({ timeoutMs: 5000 })));
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(e.code);
  });

  it('malformed answers → HPE_ codes, and the socket is not reused', async () => {
    const answers = [
      'garbage\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: zz\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n',
    ];
    const port = await raw((s) => s.once('data', () => s.write(answers.shift()!)));
    const p = pool(port);
    expect((await failure(rawExchange(p, req()))).code).toBe('HPE_INVALID_CONSTANT');
    expect((await failure(rawExchange(p, req()))).code).toBe('HPE_INVALID_CONTENT_LENGTH');
    expect((await failure(rawExchange(p, req()))).code).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(p.size).toBe(0);
  });

  it('reads a chunked answer written in pieces, and reuses the connection', async () => {
    const h = await http((_q, res) => {
      res.write('one,');
      setTimeout(() => {
        res.write('two,');
        res.end('three');
      }, 10);
    });
    const p = pool(h.port);
    const x = await rawExchange(p, req());
    expect(x.headers['transfer-encoding']).toBe('chunked');
    expect(x.body.toString()).toBe('one,two,three');
    await rawExchange(p, req());
    expect(h.connections).toBe(1);
  });

  it('an answer closed mid-body → ECONNRESET (content-length and chunked)', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab',
    ];
    const port = await raw((s) => s.once('data', () => s.end(answers.shift()!)));
    const p = pool(port);
    expect((await failure(rawExchange(p, req()))).code).toBe('ECONNRESET');
    expect((await failure(rawExchange(p, req()))).code).toBe('ECONNRESET');
  });

  it('skips 1xx answers; an answer read until close; HEAD and 204 without body', async () => {
    const answers = [
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.0 200 OK\r\nX: 1\r\n\r\nuntil the end',
      'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n',
      'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n',
    ];
    const port = await raw((s) =>
      s.on('data', () => {
        const a = answers.shift()!;
        if (a.startsWith('HTTP/1.0')) s.end(a);
        else s.write(a);
      }),
    );
    const p = pool(port);
    const x1 = await rawExchange(p, req());
    expect(x1).toMatchObject({ status: 200, headers: { 'content-length': '2' } });
    expect(x1.body.toString()).toBe('ok');
    const x2 = await rawExchange(p, req());
    expect(x2.body.toString()).toBe('until the end');
    const x3 = await rawExchange(p, req({ method: 'HEAD' }));
    expect(x3.status).toBe(200);
    expect(x3.body.length).toBe(0);
    const x4 = await rawExchange(p, req());
    expect(x4.status).toBe(204);
  });

  it('refuses invalid header names and values before sending', async () => {
    const p = pool(1);
    expect((await failure(rawExchange(p, req({ headers: { 'x-a': 'a\r\nb' } })))).code).toBe('ERR_INVALID_CHAR');
    expect((await failure(rawExchange(p, req({ headers: { 'x-a': 'a\0b' } })))).code).toBe('ERR_INVALID_CHAR');
    expect((await failure(rawExchange(p, req({ headers: { 'bad name': 'x' } })))).code).toBe('ERR_INVALID_HTTP_TOKEN');
    expect((await failure(rawExchange(p, req({ headers: { 'transfer-encoding': 'chunked' } })))).code).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    expect((await failure(rawExchange(p, req({ path: '/a b' })))).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(p.size).toBe(0);
  });

  it('close(ms) lets a running request finish, destroy() fails it', async () => {
    const h = await http((_q, res) => setTimeout(() => res.end('done'), 50));
    const p = pool(h.port);
    const running = rawExchange(p, req());
    await new Promise((r) => setTimeout(r, 10));
    await p.close(1000);
    expect((await running).body.toString()).toBe('done');
    expect((await failure(rawExchange(p, req()))).code).toBe('ERR_POOL_CLOSED');

    const p2 = pool(h.port);
    const cut = rawExchange(p2, req());
    await new Promise((r) => setTimeout(r, 10));
    await p2.close(10);
    expect((await failure(cut)).code).toBe('ERR_POOL_CLOSED');
  });
});

describe('rawExchange while the pool closes', () => {
  it('the stale keep-alive retry of a running request still gets its new connection', async () => {
    const port = await raw((s) => {
      let n = 0;
      s.on('data', () => {
        if (n++ === 0) s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else setTimeout(() => s.destroy(), 30);
      });
    });
    const p = pool(port, 1);
    await rawExchange(p, req());
    const second = rawExchange(p, req());
    const closed = p.close(2000);
    expect((await second).body.toString()).toBe('ok');
    await closed;
  });
});
