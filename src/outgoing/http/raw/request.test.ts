import { describe, expect, it } from 'vitest';
import { serializeRequest, type RequestBytes } from './request.js';
import { code } from '../../../../test/support/http-raw.js';

const HOST = 'host: api.local:8080\r\n';

function text(r: RequestBytes): string {
  if (r.whole) return r.whole.toString('latin1');
  return r.head + (r.body === null ? '' : Buffer.from(r.body as string).toString('latin1'));
}

describe('serializeRequest', () => {
  it('writes a GET like undici: no content-length, keep-alive, headers in order, arrays repeated', () => {
    const r = serializeRequest('GET', '/a?b=1', HOST, { accept: '*/*', 'X-Multi': ['1', '2'] }, null);
    expect(r.whole).toBeNull();
    expect(r.reusable).toBe(true);
    expect(r.head).toBe(
      'GET /a?b=1 HTTP/1.1\r\nhost: api.local:8080\r\nconnection: keep-alive\r\naccept: */*\r\nX-Multi: 1\r\nX-Multi: 2\r\n\r\n',
    );
  });

  it('computes content-length from the body (UTF-8 string, Buffer, Uint8Array), ignoring the caller’s', () => {
    const s = serializeRequest('POST', '/', HOST, { 'Content-Length': '1' }, 'é');
    expect(s.whole!.subarray(s.head.length).toString('utf8')).toBe('é');
    expect(s.head).toContain('content-length: 2\r\n\r\n');
    expect(s.head).not.toContain('Content-Length');
    const u = serializeRequest('PUT', '/', HOST, {}, new Uint8Array([1, 2, 3]));
    expect(u.head.endsWith('content-length: 3\r\n\r\n')).toBe(true);
    expect([...u.whole!.subarray(u.head.length)]).toEqual([1, 2, 3]);
  });

  it('content-length: 0 for POST/PUT/PATCH without a body, none for GET/DELETE/OPTIONS', () => {
    for (const m of ['POST', 'PUT', 'PATCH'])
      expect(serializeRequest(m, '/', HOST, {}, null).head).toContain('content-length: 0\r\n');
    for (const m of ['GET', 'DELETE', 'OPTIONS'])
      expect(serializeRequest(m, '/', HOST, {}, Buffer.alloc(0)).head).not.toContain('content-length');
  });

  it('a large body is kept apart (written with writev), a small one joined to the head', () => {
    const big = Buffer.alloc(20_000, 1);
    const r = serializeRequest('POST', '/', HOST, {}, big);
    expect(r.whole).toBeNull();
    expect(r.body).toBe(big);
    expect(text(serializeRequest('POST', '/', HOST, {}, 'abc')).endsWith('\r\n\r\nabc')).toBe(true);
  });

  it('HEAD, connection: close and a body on GET close the connection afterwards', () => {
    const head = serializeRequest('HEAD', '/', HOST, {}, null);
    expect(head.reusable).toBe(false);
    expect(head.head).toContain('connection: close\r\n');
    const close = serializeRequest('GET', '/', HOST, { Connection: 'Close' }, null);
    expect(close.reusable).toBe(false);
    expect(close.head.match(/connection/gi)).toHaveLength(1);
    expect(serializeRequest('GET', '/', HOST, {}, 'x').reusable).toBe(false);
    expect(serializeRequest('GET', '/', HOST, { connection: 'keep-alive' }, null).reusable).toBe(true);
  });

  it('a host header replaces the default one', () => {
    const r = serializeRequest('GET', '/', HOST, { Host: 'other.example' }, null);
    expect(r.head).toBe('GET / HTTP/1.1\r\nhost: other.example\r\nconnection: keep-alive\r\n\r\n');
  });

  it('refuses control characters, bad names, bad methods and paths, and transport headers', () => {
    expect(code(() => serializeRequest('GET', '/', HOST, { a: 'x\r\ny: z' }, null))).toBe('ERR_INVALID_CHAR');
    expect(code(() => serializeRequest('GET', '/', HOST, { a: ['ok', 'x\n'] }, null))).toBe('ERR_INVALID_CHAR');
    expect(code(() => serializeRequest('GET', '/', HOST, { a: 'nul\0' }, null))).toBe('ERR_INVALID_CHAR');
    expect(code(() => serializeRequest('GET', '/', HOST, { a: 'wide \u2028' }, null))).toBe('ERR_INVALID_CHAR');
    expect(code(() => serializeRequest('GET', '/', HOST, { 'a:b': 'x' }, null))).toBe('ERR_INVALID_HTTP_TOKEN');
    expect(code(() => serializeRequest('GET', '/', HOST, { '': 'x' }, null))).toBe('ERR_INVALID_HTTP_TOKEN');
    expect(code(() => serializeRequest('GE T', '/', HOST, {}, null))).toBe('ERR_INVALID_HTTP_TOKEN');
    expect(code(() => serializeRequest('GET', 'x', HOST, {}, null))).toBe('ERR_INVALID_ARG_VALUE');
    expect(code(() => serializeRequest('GET', '/a\r\nb', HOST, {}, null))).toBe('ERR_INVALID_ARG_VALUE');
    for (const h of ['Transfer-Encoding', 'keep-alive', 'upgrade', 'expect']) {
      expect(code(() => serializeRequest('GET', '/', HOST, { [h]: 'x' }, null))).toBe('ERR_INVALID_ARG_VALUE');
    }
    expect(serializeRequest('GET', '/', HOST, { x: 'tab\tand latin1 é' }, null).head).toContain(
      'x: tab\tand latin1 é\r\n',
    );
  });
});
