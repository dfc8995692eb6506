import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { bodyAbandoned, readBody } from './body.js';

/** A request stand-in: a stream with headers. */
function fakeReq(headers: Record<string, string> = {}): PassThrough & { headers: Record<string, string> } {
  return Object.assign(new PassThrough(), { headers });
}

describe('readBody', () => {
  it('collects the body in one Buffer', async () => {
    const req = fakeReq();
    const p = readBody(req as unknown as IncomingMessage, 100);
    req.write('hello ');
    req.write('world');
    req.end();
    expect((await p).toString()).toBe('hello world');
  });

  it('a single chunk or no chunk at all', async () => {
    const one = fakeReq();
    const p1 = readBody(one as unknown as IncomingMessage, 100);
    one.end('x');
    expect((await p1).toString()).toBe('x');
    const none = fakeReq();
    const p2 = readBody(none as unknown as IncomingMessage, 100);
    none.end();
    expect((await p2).length).toBe(0);
  });

  it('content-length: 0 resolves at once with an empty Buffer', async () => {
    const req = fakeReq({ 'content-length': '0' });
    expect((await readBody(req as unknown as IncomingMessage, 10)).length).toBe(0);
  });

  it('a body exactly at the limit is fine', async () => {
    const req = fakeReq();
    const p = readBody(req as unknown as IncomingMessage, 5);
    req.end('12345');
    expect((await p).toString()).toBe('12345');
  });

  it('a declared content-length above the limit is a 413 before reading', async () => {
    const req = fakeReq({ 'content-length': '11' });
    const err = await readBody(req as unknown as IncomingMessage, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WharfError);
    expect(err).toMatchObject({
      code: 'WHARF_ERR_BODY_TOO_LARGE',
      status: 413,
      message: 'Request body exceeds the limit of 10 bytes',
    });
    // the rest is discarded (the stream flows, nothing kept) and the request is marked abandoned (connection closes)
    expect(req.readableFlowing).toBe(true);
    expect(bodyAbandoned(req as unknown as IncomingMessage)).toBe(true);
  });

  it('a streamed body that grows past the limit is a 413 and the rest is discarded', async () => {
    const req = fakeReq();
    const p = readBody(req as unknown as IncomingMessage, 8);
    expect(bodyAbandoned(req as unknown as IncomingMessage)).toBe(false);
    req.write('12345');
    req.write('67890');
    req.write('more');
    req.end('and more');
    await expect(p).rejects.toMatchObject({ code: 'WHARF_ERR_BODY_TOO_LARGE', status: 413 });
    expect(bodyAbandoned(req as unknown as IncomingMessage)).toBe(true);
    await once(req, 'end');
  });

  it('a stream error is a 400 with the cause', async () => {
    const req = fakeReq();
    const p = readBody(req as unknown as IncomingMessage, 100);
    const cause = new Error('socket hang up');
    req.destroy(cause);
    const err = (await p.catch((e: unknown) => e)) as WharfError;
    expect(err).toMatchObject({
      code: 'WHARF_ERR_BAD_REQUEST',
      status: 400,
      message: 'request body could not be read',
    });
    expect(err.cause).toBe(cause);
  });

  it('over real HTTP: a chunked body past the limit gets its 413 answer', async () => {
    const server = createServer((req, res) => {
      readBody(req, 16).then(
        (b) => res.end(`ok ${b.length}`),
        (e: WharfError) => {
          res.writeHead(e.status, { connection: 'close' });
          res.end(e.code);
        },
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const send = (chunks: string[]): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          const r = request(
            { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'transfer-encoding': 'chunked' } },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          r.on('error', reject);
          for (const c of chunks) r.write(c);
          r.end();
        });
      expect(await send(['0123456789', 'abcdef'])).toEqual({ status: 200, body: 'ok 16' });
      expect(await send(['0123456789', 'abcdefghij', 'klmnop'])).toEqual({
        status: 413,
        body: 'WHARF_ERR_BODY_TOO_LARGE',
      });
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
