/**
 * The HTTP front's edges on a real server (issue 13), configured through server.yaml `http:` with small
 * deadlines and cap: a 413 stops the reading, trickled heads and bodies (Content-Length and chunked) get
 * 408 with the JSON error body, the connection cap holds, odd request lines are refused — and the
 * server keeps serving.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../support/http-front.js';
import { createEnv, ROOT, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const code = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

describe('HTTP front edges on a running server', () => {
  let env: TestEnv;
  const clients: RawClient[] = [];
  const client = (): RawClient => {
    const c = new RawClient(env.port);
    clients.push(c);
    return c;
  };
  async function trickle(c: RawClient, text: string, ms = 100): Promise<void> {
    for (const ch of text) {
      if (c.closed) return;
      c.send(ch);
      await sleep(ms);
    }
  }

  beforeAll(async () => {
    env = await createEnv({ workers: 1, start: false });
    appendFileSync(
      join(env.dir, 'server1/config/server.yaml'),
      '\nhttp:\n  headTimeoutMs: 500\n  bodyTimeoutMs: 700\n  bodyMinBytesPerSec: 0\n  maxConnections: 6\n',
    );
    await env.start();
    await env.deploy('echo.ts', ECHO);
    await env.importYaml(
      ['channels:', '  http:', '    - { name: echo, urlPath: /echo, service: test.echo, maxBodySize: 1000 }', ''].join(
        '\n',
      ),
    );
  });
  afterAll(async () => {
    for (const c of clients) c.socket.destroy();
    await env?.destroy();
  });

  it('a 413 for a huge declared body: the answer, then the connection closes while the client keeps streaming', async () => {
    const c = client();
    c.send('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500000000\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let i = 0; i < 256 && !c.closed; i++) {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), sleep(50)]);
    }
    const [a] = await c.next();
    expect(a!.status).toBe(413);
    expect(code(a!.body)).toBe('WHARF_ERR_BODY_TOO_LARGE');
    await c.waitClosed(10_000);
    expect((await env.fetch('/wharf/ping')).status).toBe(200);
  });

  it('a head trickled a byte every 100 ms → 408 WHARF_ERR_REQUEST_TIMEOUT (JSON), closed', async () => {
    const c = client();
    void trickle(c, `GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(100)}`);
    const [a] = await c.next(1, 10_000);
    expect(a!.status).toBe(408);
    expect(code(a!.body)).toBe('WHARF_ERR_REQUEST_TIMEOUT');
    await c.waitClosed();
  });

  it('a Content-Length body trickled past bodyTimeoutMs → 408 in the channel format, closed', async () => {
    const c = client();
    c.send('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n');
    void trickle(c, `{"name":"${'n'.repeat(30)}"}`);
    const [a] = await c.next(1, 10_000);
    expect(a!.status).toBe(408);
    expect(a!.headers['content-type']).toMatch(/json/);
    expect(code(a!.body)).toBe('WHARF_ERR_REQUEST_TIMEOUT');
    await c.waitClosed();
  });

  it("a chunked body trickled past the deadline (node:http's side) → 408 with the JSON error body, closed", async () => {
    const c = client();
    c.send('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    void trickle(c, '1\r\n \r\n'.repeat(60));
    const [a] = await c.next(1, 10_000);
    expect(a!.status).toBe(408);
    expect(code(a!.body)).toBe('WHARF_ERR_REQUEST_TIMEOUT');
    await c.waitClosed();
  });

  it.each([
    ['bare LF line ends', 400, 'WHARF_ERR_BAD_REQUEST', 'GET /echo HTTP/1.1\nHost: x\n\n'],
    ['an HTTP/0.9 request line', 400, 'WHARF_ERR_BAD_REQUEST', 'GET /echo\r\n\r\n'],
    ['HTTP/2.0', 505, 'WHARF_ERR_HTTP_VERSION', 'GET /echo HTTP/2.0\r\nHost: x\r\n\r\n'],
    ['two Host headers', 400, 'WHARF_ERR_BAD_REQUEST', 'GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    [
      'Content-Length with a trailing tab',
      400,
      'WHARF_ERR_BAD_REQUEST',
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\t\r\n\r\n{}',
    ],
  ])('%s → %s (%s) with the JSON error body', async (_what, status, errorCode, text) => {
    const c = client();
    c.send(text);
    const [a] = await c.next(1, 5000);
    expect(a!.status).toBe(status);
    expect(code(a!.body)).toBe(errorCode);
    await c.waitClosed();
  });

  it('maxConnections: past the cap a new connection is closed at once; the server serves again once some close', async () => {
    const held = Array.from({ length: 6 }, () => client());
    await sleep(200);
    const over = client();
    await over.waitClosed();
    expect(over.count).toBe(0);
    for (const h of held) h.socket.destroy();
    await sleep(200);
    expect((await env.fetch('/wharf/ping')).status).toBe(200);
  });
});
