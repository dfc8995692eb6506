import { describe, expect, it } from 'vitest';
import { BY_LENGTH, CHUNKED, MAX_HEAD_BYTES, NO_BODY, ResponseHead, UNTIL_CLOSE } from './response-head.js';
import { code } from '../../../../test/support/http-raw.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function parse(text: string, headRequest = false): { h: ResponseHead; at: number } {
  const h = new ResponseHead();
  const at = h.feed(b(text), 0, headRequest);
  return { h, at };
}

const SAMPLE =
  'HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nX-Pad:   spaced \t\r\nset-cookie: b=2\r\nContent-Length: 5\r\n\r\nhello';

describe('ResponseHead', () => {
  it('parses status, lowercase headers, repeated headers as arrays, trimmed values', () => {
    const { h, at } = parse(SAMPLE);
    expect(at).toBe(SAMPLE.length - 5);
    expect(h.status).toBe(201);
    expect(h.headers).toEqual({
      'content-type': 'text/plain',
      'set-cookie': ['a=1', 'b=2'],
      'x-pad': 'spaced',
      'content-length': '5',
    });
    expect(h.framing).toBe(BY_LENGTH);
    expect(h.length).toBe(5);
    expect(h.keepAlive).toBe(true);
  });

  it('gives the same result for the sample split at every byte boundary (and byte by byte)', () => {
    const all = b(SAMPLE);
    for (let cut = 1; cut < all.length; cut++) {
      const h = new ResponseHead();
      const first = h.feed(all.subarray(0, cut), 0, false);
      const bodyStart = all.length - 5;
      if (cut >= bodyStart) {
        expect(first).toBe(bodyStart);
      } else {
        expect(first).toBe(-1);
        const second = all.subarray(cut);
        expect(h.feed(second, 0, false)).toBe(bodyStart - cut);
      }
      expect(h.status).toBe(201);
      expect(h.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(h.length).toBe(5);
    }
    const h = new ResponseHead();
    let at = -1;
    for (let i = 0; i < all.length && at === -1; i++) {
      at = h.feed(all.subarray(i, i + 1), 0, false);
      if (at !== -1) expect(i).toBe(all.length - 6);
    }
    expect(at).toBe(1);
    expect(h.headers['x-pad']).toBe('spaced');
  });

  it('respects a start offset inside the chunk', () => {
    const buf = Buffer.concat([b('xxxx'), b(SAMPLE)]);
    const h = new ResponseHead();
    expect(h.feed(buf, 4, false)).toBe(buf.length - 5);
  });

  it('chunked framing, also with a list of codings', () => {
    expect(parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n').h.framing).toBe(CHUNKED);
    expect(parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n').h.framing).toBe(CHUNKED);
    const other = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n').h;
    expect(other.framing).toBe(UNTIL_CLOSE);
    expect(other.keepAlive).toBe(false);
  });

  it('no framing header: read until close, not reusable', () => {
    const { h } = parse('HTTP/1.1 200 OK\r\n\r\n');
    expect(h.framing).toBe(UNTIL_CLOSE);
    expect(h.keepAlive).toBe(false);
  });

  it('no body for HEAD, 1xx, 204, 304 and content-length: 0', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', true).h.framing).toBe(NO_BODY);
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').h.framing).toBe(NO_BODY);
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').h.framing).toBe(NO_BODY);
    expect(parse('HTTP/1.1 100 Continue\r\n\r\n').h.framing).toBe(NO_BODY);
    const zero = parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').h;
    expect(zero.framing).toBe(NO_BODY);
    expect(zero.keepAlive).toBe(true);
  });

  it('keep-alive rules: connection close, HTTP/1.0, keep-alive timeout hint', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').h.keepAlive).toBe(false);
    expect(parse('HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 0\r\n\r\n').h.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').h.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').h.keepAlive).toBe(true);
    const hint = parse('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n').h;
    expect(hint.keepAliveHintMs).toBe(5000);
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').h.keepAliveHintMs).toBe(-1);
  });

  it('status line without a reason phrase', () => {
    expect(parse('HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n').h.status).toBe(404);
  });

  it('refuses bad status lines', () => {
    expect(code(() => parse('HTTX/1.1 200 OK\r\n\r\n'))).toBe('HPE_INVALID_CONSTANT');
    expect(code(() => parse('garbage\r\n\r\n'))).toBe('HPE_INVALID_CONSTANT');
    expect(code(() => parse('HTTP/2.0 200 OK\r\n\r\n'))).toBe('HPE_INVALID_VERSION');
    expect(code(() => parse('HTTP/1.1 2000 OK\r\n\r\n'))).toBe('HPE_INVALID_STATUS');
    expect(code(() => parse('HTTP/1.1 20 OK\r\n\r\n'))).toBe('HPE_INVALID_STATUS');
    expect(code(() => parse('HTTP/1.1 abc OK\r\n\r\n'))).toBe('HPE_INVALID_STATUS');
    expect(code(() => parse('HTTP/1.1 099 OK\r\n\r\n'))).toBe('HPE_INVALID_STATUS');
  });

  it('refuses bad header lines', () => {
    expect(code(() => parse('HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n'))).toBe('HPE_INVALID_HEADER_TOKEN');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n'))).toBe('HPE_INVALID_HEADER_TOKEN');
    expect(code(() => parse('HTTP/1.1 200 OK\r\n: x\r\n\r\n'))).toBe('HPE_INVALID_HEADER_TOKEN');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n'))).toBe('HPE_INVALID_HEADER_TOKEN');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nX: a\nY: b\r\n\r\n'))).toBe('HPE_LF_EXPECTED');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nX: a\rY: b\r\n\r\n'))).toBe('HPE_LF_EXPECTED');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n'))).toBe('HPE_INVALID_HEADER_TOKEN');
  });

  it('refuses bad and conflicting content-length, and content-length with transfer-encoding', () => {
    expect(code(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n'))).toBe('HPE_INVALID_CONTENT_LENGTH');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'))).toBe('HPE_INVALID_CONTENT_LENGTH');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n'))).toBe('HPE_INVALID_CONTENT_LENGTH');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n'))).toBe('HPE_INVALID_CONTENT_LENGTH');
    expect(code(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999\r\n\r\n'))).toBe(
      'HPE_INVALID_CONTENT_LENGTH',
    );
    expect(code(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'))).toBe(
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    );
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n').h.length).toBe(2);
    expect(code(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n'))).toBe(
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    );
  });

  it('limits the head size', () => {
    const h = new ResponseHead();
    const line = b(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(1000)}\r\n`);
    let err: string | undefined;
    for (let i = 0; i < 100 && !err; i++)
      err = code(() => h.feed(i === 0 ? line : b(`Y${i}: ${'a'.repeat(1000)}\r\n`), 0, false));
    expect(err).toBe('HPE_HEADER_OVERFLOW');
    expect(code(() => parse(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`))).toBe(
      'HPE_HEADER_OVERFLOW',
    );
  });

  it('keeps names of Object.prototype members as own headers', () => {
    const { h } = parse('HTTP/1.1 200 OK\r\nConstructor: x\r\n__proto__: y\r\nContent-Length: 0\r\n\r\n');
    expect(Object.keys(h.headers)).toEqual(['constructor', '__proto__', 'content-length']);
    expect(h.headers['constructor']).toBe('x');
    expect(Object.getPrototypeOf(h.headers)).toBe(Object.prototype);
  });

  it('reset() readies it for the next head (1xx skipped)', () => {
    const all = b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const h = new ResponseHead();
    const at = h.feed(all, 0, false);
    expect(h.status).toBe(100);
    h.reset();
    expect(h.feed(all, at, false)).toBe(all.length - 2);
    expect(h.status).toBe(200);
    expect(h.headers).toEqual({ 'content-length': '2' });
  });
});

describe('ResponseHead with a split head followed by a large body', () => {
  it('finds the body start without counting body bytes against the head limit', () => {
    const head = b('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
    const body = Buffer.alloc(100_000, 120);
    const h = new ResponseHead();
    expect(h.feed(head.subarray(0, 10), 0, false)).toBe(-1);
    const rest = Buffer.concat([head.subarray(10), body]);
    expect(h.feed(rest, 0, false)).toBe(head.length - 10);
    expect(h.length).toBe(100_000);
  });
});
