import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketPool, type Conn, type Waiter } from './socket-pool.js';

const servers: Server[] = [];
const pools: SocketPool[] = [];

afterEach(async () => {
  for (const p of pools.splice(0)) await p.destroy();
  for (const s of servers.splice(0)) s.close();
});

async function server(onSocket: (s: Socket) => void = () => undefined): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const srv = createServer((s) => {
    sockets.push(s);
    onSocket(s);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  servers.push(srv);
  return { port: (srv.address() as AddressInfo).port, sockets };
}

function pool(port: number, connections = 2, idleMs?: number): SocketPool {
  const p = new SocketPool({ host: '127.0.0.1', port, connections, ...(idleMs ? { idleMs } : {}) });
  pools.push(p);
  return p;
}

class W implements Waiter {
  conn: Conn | undefined;
  err: (Error & { code?: string }) | undefined;
  private readonly ready: Promise<void>;
  private done!: () => void;
  constructor(readonly fresh = false) {
    this.ready = new Promise((r) => (this.done = r));
  }
  onConn(c: Conn): void {
    this.conn = c;
    this.done();
  }
  onConnError(e: Error): void {
    this.err = e;
    this.done();
  }
  async get(p: SocketPool): Promise<this> {
    p.acquire(this);
    await this.ready;
    return this;
  }
  wait(): Promise<void> {
    return this.ready;
  }
}

describe('SocketPool', () => {
  it('reuses idle connections last-in first-out', async () => {
    const { port } = await server();
    const p = pool(port, 3);
    const [a, b] = await Promise.all([new W().get(p), new W().get(p)]);
    p.release(a.conn!);
    p.release(b.conn!);
    expect(p.idleCount).toBe(2);
    const c = await new W().get(p);
    expect(c.conn).toBe(b.conn);
    expect(c.conn!.uses).toBe(2);
  });

  it('queues waiters beyond `connections` and serves them in order', async () => {
    const { port, sockets } = await server();
    const p = pool(port, 1);
    const first = await new W().get(p);
    const w1 = new W();
    const w2 = new W();
    p.acquire(w1);
    p.acquire(w2);
    expect(p.queued).toBe(2);
    p.release(first.conn!);
    await w1.wait();
    expect(w1.conn).toBe(first.conn);
    expect(w2.conn).toBeUndefined();
    p.discard(w1.conn!);
    await w2.wait();
    expect(w2.conn).not.toBe(first.conn);
    expect(p.size).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(sockets.length).toBe(2);
  });

  it('a fresh waiter gets a new connection, taking the place of an idle one when full', async () => {
    const { port } = await server();
    const p = pool(port, 1);
    const a = await new W().get(p);
    p.release(a.conn!);
    const f = await new W(true).get(p);
    expect(f.conn).not.toBe(a.conn);
    expect(f.conn!.uses).toBe(1);
    expect(p.size).toBe(1);
    expect(a.conn!.socket.destroyed).toBe(true);
  });

  it('drops an idle connection as soon as the server ends it', async () => {
    const { port, sockets } = await server();
    const p = pool(port);
    const a = await new W().get(p);
    p.release(a.conn!);
    expect(p.idleCount).toBe(1);
    sockets[0]!.end();
    await once(a.conn!.socket, 'close');
    expect(p.idleCount).toBe(0);
    expect(p.size).toBe(0);
  });

  it('closes connections idle for idleMs, or less than the server keep-alive hint', async () => {
    const { port } = await server();
    const p = pool(port, 2, 200);
    const a = await new W().get(p);
    p.release(a.conn!);
    await new Promise((r) => setTimeout(r, 100));
    expect(p.idleCount).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(p.idleCount).toBe(0);
    const b = await new W().get(p);
    p.release(b.conn!, 1000); // "keep-alive: timeout=1": no time left to reuse it
    expect(p.idleCount).toBe(0);
    expect(b.conn!.socket.destroyed).toBe(true);
  });

  it('connect errors reach the waiter with their code; the queue gets its own attempts', async () => {
    const { port } = await server();
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 20));
    const p = pool(port, 1);
    const ws = [new W(), new W(), new W()];
    for (const w of ws) p.acquire(w);
    await Promise.all(ws.map((w) => w.wait()));
    expect(ws.map((w) => w.err?.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
    expect(p.size).toBe(0);
  });

  it('a cancelled waiter leaves the queue; its connection in progress goes to the next one', async () => {
    const { port } = await server();
    const p = pool(port, 1);
    const a = new W();
    const b = new W();
    p.acquire(a);
    p.acquire(b);
    p.cancel(a);
    await b.wait();
    expect(a.conn).toBeUndefined();
    expect(b.conn).toBeDefined();
    expect(p.size).toBe(1);
  });

  it('close(ms) may be called again; every call resolves, busy connections cut off after ms', async () => {
    const { port } = await server();
    const p = pool(port);
    const a = await new W().get(p);
    let failed: Error | undefined;
    a.conn!.user = { onData: () => undefined, onEnd: () => undefined, onError: (e) => (failed = e) };
    const t0 = performance.now();
    await Promise.all([p.close(5000), p.close(30)]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect((failed as Error & { code?: string }).code).toBe('ERR_POOL_CLOSED');
    const late = new W();
    p.acquire(late);
    expect(late.err?.code).toBe('ERR_POOL_CLOSED');
  });

  it('close() ends as soon as the last busy connection is released', async () => {
    const { port } = await server();
    const p = pool(port);
    const a = await new W().get(p);
    const t0 = performance.now();
    const closed = p.close(5000);
    setTimeout(() => p.release(a.conn!), 30);
    await closed;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(a.conn!.socket.destroyed).toBe(true);
  });
});
