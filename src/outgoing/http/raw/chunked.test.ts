import { describe, expect, it } from 'vitest';
import { ChunkedDecoder, type ChunkSink } from './chunked.js';
import { code } from '../../../../test/support/http-raw.js';

class Sink implements ChunkSink {
  parts: Buffer[] = [];
  limit = Infinity;
  onBodyData(data: Buffer): boolean {
    this.parts.push(Buffer.from(data));
    return this.parts.length < this.limit;
  }
  get text(): string {
    return Buffer.concat(this.parts).toString('latin1');
  }
}

function decode(text: string): { body: string; end: number } {
  const d = new ChunkedDecoder();
  const s = new Sink();
  const end = d.feed(Buffer.from(text, 'latin1'), 0, s);
  return { body: s.text, end };
}

const SECOND = ', and this is 26 bytes...!';
const SAMPLE = `5;name=val\r\nhello\r\n${SECOND.length.toString(16)}\r\n${SECOND}\r\n0;last\r\nX-Trailer: 1\r\nY: 2\r\n\r\n`;

describe('ChunkedDecoder', () => {
  it('decodes chunks, ignoring extensions and trailers, and returns the end index', () => {
    const { body, end } = decode(`${SAMPLE}NEXT`);
    expect(body).toBe('hello, and this is 26 bytes...!');
    expect(end).toBe(SAMPLE.length);
  });

  it('gives the same body when split at every byte boundary and byte by byte', () => {
    const all = Buffer.from(SAMPLE, 'latin1');
    for (let cut = 1; cut < all.length; cut++) {
      const d = new ChunkedDecoder();
      const s = new Sink();
      expect(d.feed(all.subarray(0, cut), 0, s)).toBe(-1);
      expect(d.feed(all.subarray(cut), 0, s)).toBe(all.length - cut);
      expect(s.text).toBe('hello, and this is 26 bytes...!');
      expect(d.done).toBe(true);
    }
    const d = new ChunkedDecoder();
    const s = new Sink();
    for (let i = 0; i < all.length; i++)
      expect(d.feed(all.subarray(i, i + 1), 0, s)).toBe(i === all.length - 1 ? 1 : -1);
    expect(s.text).toBe('hello, and this is 26 bytes...!');
  });

  it('accepts uppercase hex, whitespace before an extension, and an empty body', () => {
    expect(decode('A\r\n0123456789\r\n0\r\n\r\n').body).toBe('0123456789');
    expect(decode('3 ;x=1\r\nabc\r\n0\r\n\r\n').body).toBe('abc');
    expect(decode('0\r\n\r\n')).toEqual({ body: '', end: 5 });
  });

  it('starts at the given offset', () => {
    const d = new ChunkedDecoder();
    const s = new Sink();
    expect(d.feed(Buffer.from('HEAD2\r\nab\r\n0\r\n\r\n'), 4, s)).toBe(16);
    expect(s.text).toBe('ab');
  });

  it('refuses bad chunk sizes', () => {
    expect(code(() => decode('x\r\n'))).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(code(() => decode('\r\n'))).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(code(() => decode('-1\r\n'))).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(code(() => decode('0x5\r\n'))).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(code(() => decode('5 5\r\n'))).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(code(() => decode('5\n'))).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(code(() => decode('fffffffffffffff\r\n'))).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(code(() => decode('1;a\nb\r\n'))).toBe('HPE_INVALID_CHUNK_SIZE');
  });

  it('refuses data not followed by CRLF and bad trailers', () => {
    expect(code(() => decode('2\r\nabc\r\n'))).toBe('HPE_STRICT');
    expect(code(() => decode('2\r\nab\rx'))).toBe('HPE_STRICT');
    expect(code(() => decode('0\r\nX: 1\n\r\n'))).toBe('HPE_LF_EXPECTED');
    expect(code(() => decode('0\r\n\rx'))).toBe('HPE_LF_EXPECTED');
  });

  it('stops when the sink says so', () => {
    const d = new ChunkedDecoder();
    const s = new Sink();
    s.limit = 1;
    expect(d.feed(Buffer.from('1\r\na\r\n1\r\nb\r\n0\r\n\r\n'), 0, s)).toBe(-1);
    expect(s.text).toBe('a');
  });
});
