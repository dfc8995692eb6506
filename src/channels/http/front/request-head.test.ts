import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, parseRequestHead, type RequestHead } from './request-head.js';

const parse = (s: string, start = 0) => parseRequestHead(Buffer.from(s, 'latin1'), start);
const head = (s: string): RequestHead => {
  const r = parse(s);
  if (r.kind !== 'head') throw new Error(`expected a head, got ${JSON.stringify(r)}`);
  return r;
};

describe('parseRequestHead', () => {
  it('parses the plain shape: method, target, version, headers as node:http presents them, body length, keep-alive', () => {
    const r = head(
      'POST /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\nContent-Type: text/xml\r\nContent-Length: 12\r\nSOAPAction:  urn:x \t\r\n\r\n<a>body</a>!',
    );
    expect(r).toMatchObject({ method: 'POST', url: '/a/b?x=1&y=2', minor: 1, contentLength: 12, keepAlive: true });
    expect(r.headers).toEqual({ host: 'h', 'content-type': 'text/xml', 'content-length': '12', soapaction: 'urn:x' });
    expect(
      Buffer.from(
        'POST /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\nContent-Type: text/xml\r\nContent-Length: 12\r\nSOAPAction:  urn:x \t\r\n\r\n',
      ).length,
    ).toBe(r.end);
  });

  it('joins repeated headers like node:http: ", " in general, "; " for cookie, a list for set-cookie, first wins for single-valued ones', () => {
    const r = head(
      'GET / HTTP/1.1\r\nHost: a\r\nAccept: x\r\naccept: y\r\nCookie: a=1\r\nCookie: b=2\r\nSet-Cookie: s=1\r\nSet-Cookie: t=2\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n',
    );
    expect({ ...r.headers }).toEqual({
      host: 'a',
      accept: 'x, y',
      cookie: 'a=1; b=2',
      'set-cookie': ['s=1', 't=2'],
      'content-type': 'a',
    });
  });

  it('keeps headers in a null-prototype object: `constructor`, `__proto__`, `toString` are plain headers', () => {
    const r = head(
      'GET / HTTP/1.1\r\nHost: a\r\nConstructor: c\r\n__proto__: p\r\ntoString: t\r\nhasOwnProperty: h\r\n\r\n',
    );
    expect(Object.getPrototypeOf(r.headers)).toBe(null);
    expect(r.headers['constructor']).toBe('c');
    expect(r.headers['__proto__']).toBe('p');
    expect(r.headers['tostring']).toBe('t');
    expect(r.headers['hasownproperty']).toBe('h');
    const none = head('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(none.headers['constructor']).toBeUndefined();
    expect(none.headers['__proto__']).toBeUndefined();
  });

  it('hands a bare LF line end to node:http (400 at once) as soon as it arrives, before the head is complete', () => {
    expect(parse('GET / HTTP/1.1\nHost: a\n')).toEqual({ kind: 'handoff', reason: 'bare LF' });
    expect(parse('GET / HTTP/1.1\r\nHost: a\nX: 1\r\n')).toEqual({ kind: 'handoff', reason: 'bare LF' });
    expect(parse('GET / HTTP/1.1\r\nHost: a\r\n')).toEqual({ kind: 'incomplete' });
  });

  it('takes OWS around Content-Length exactly as llhttp: spaces and tabs before the digits, only spaces after', () => {
    expect(head('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \t 5  \r\n\r\n').contentLength).toBe(5);
    expect(head('POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\t5\r\n\r\n').contentLength).toBe(5);
    expect(parse('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \t 5 \t\r\n\r\n')).toEqual({
      kind: 'handoff',
      reason: 'content-length',
    });
    expect(parse('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\t\r\n\r\n')).toEqual({
      kind: 'handoff',
      reason: 'content-length',
    });
    expect(head('POST / HTTP/1.1\r\nHost: a\r\nX-A: \t 5 \t\r\nContent-Length: 0\r\n\r\n').headers['x-a']).toBe('5');
  });

  it('keeps HTTP/1.1 connections open unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`', () => {
    expect(head('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n').keepAlive).toBe(false);
    expect(head('GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n').keepAlive).toBe(false);
    expect(head('GET / HTTP/1.0\r\n\r\n')).toMatchObject({ minor: 0, keepAlive: false });
    expect(head('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n').keepAlive).toBe(true);
  });

  it('waits for the rest of a head, parses from an offset (pipelined requests)', () => {
    expect(parse('GET / HTTP/1.1\r\nHost: a\r\n')).toEqual({ kind: 'incomplete' });
    const two = 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n';
    const first = head(two);
    const second = parse(two, first.end);
    expect(second).toMatchObject({ kind: 'head', url: '/2', end: two.length });
  });

  it.each([
    ['a chunked body', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n', 'transfer-encoding'],
    [
      'Expect: 100-continue',
      'POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n',
      'expect',
    ],
    ['an upgrade', 'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 'upgrade'],
    [
      'two Content-Lengths',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n',
      'content-length',
    ],
    ['a non-numeric Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n', 'content-length'],
    ['a negative Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n', 'content-length'],
    ['an unknown method', 'BREW / HTTP/1.1\r\nHost: a\r\n\r\n', 'method'],
    ['an absolute-form target', 'GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n', 'target'],
    ['a target with a control character', 'GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n', 'target'],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', 'version'],
    ['a request line with extra spaces', 'GET  / HTTP/1.1\r\nHost: a\r\n\r\n', 'request line'],
    ['a leading empty line', '\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n', 'request line'],
    ['a folded header', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  2\r\n\r\n', 'folded header'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: a\r\nX-A 1\r\n\r\n', 'header line'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost: a\r\nX-A : 1\r\n\r\n', 'header name'],
    ['a control character in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\x002\r\n\r\n', 'header value'],
    ['a bare LF inside a value', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\n2\r\n\r\n', 'header value'],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nX-A: 1\r\n\r\n', 'no host'],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n', 'two hosts'],
    ['an HTTP/0.9 request line', 'GET /\r\n\r\n', 'request line'],
    ['HTTP/1.2', 'GET / HTTP/1.2\r\nHost: a\r\n\r\n', 'version'],
  ])('hands %s to node:http', (_what, text, reason) => {
    expect(parse(text)).toEqual({ kind: 'handoff', reason });
  });

  it('hands heads over the size limit to node:http (which answers 431), complete or not', () => {
    const big = `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(MAX_HEAD_BYTES)}\r\n`;
    expect(parse(big)).toEqual({ kind: 'handoff', reason: 'head too large' });
    expect(parse(`${big}\r\n`)).toEqual({ kind: 'handoff', reason: 'head too large' });
  });

  it('keeps obs-text (bytes above 0x7f) in values as latin1, like node:http', () => {
    const r = head('GET / HTTP/1.1\r\nHost: a\r\nX-Name: Jos\xe9\r\n\r\n');
    expect(r.headers['x-name']).toBe('Jos\xe9');
  });
});
