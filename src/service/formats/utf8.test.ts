import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { formCodec } from './form.js';
import { jsonCodec } from './json.js';
import { soapCodec } from './soap.js';
import { firstInvalidUtf8, utf8Text } from './utf8.js';
import { xmlCodec } from './xml-codec.js';

const opts = { maxDepth: 64 };
const bad = (prefix: string, bytes: number[], suffix: string): Buffer =>
  Buffer.concat([Buffer.from(prefix), Buffer.from(bytes), Buffer.from(suffix)]);

function refusal(fn: () => unknown): WharfError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WharfError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('invalid UTF-8 in a text body is a 400, never U+FFFD', () => {
  it('finds the first bad byte: stray continuation, truncated, overlong, surrogate, above U+10FFFF', () => {
    expect(firstInvalidUtf8(Buffer.from('żółw ✓ 𝄞'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc5]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xe0, 0x80, 0xaf]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xff]))).toBe(1);
  });

  it('utf8Text names the format, the byte and its offset', () => {
    const e = refusal(() => utf8Text(bad('{"a":"', [0xff], '"}'), 'JSON'));
    expect(e.code).toBe('WHARF_ERR_MALFORMED_BODY');
    expect(e.status).toBe(400);
    expect(e.message).toBe('Malformed JSON body: not valid UTF-8 (byte 0xff at offset 6)');
    expect(utf8Text(Buffer.from('ok ż'), 'JSON')).toBe('ok ż');
  });

  it('JSON, XML, SOAP and form codecs refuse it', () => {
    expect(refusal(() => jsonCodec.parse(bad('{"name":"', [0xc3, 0x28], '"}'), opts)).message).toMatch(
      /JSON body: not valid UTF-8/,
    );
    expect(refusal(() => xmlCodec.parse(bad('<a><b>', [0xfe], '</b></a>'), opts)).message).toMatch(
      /XML body: not valid UTF-8/,
    );
    const env = (b: number[]) =>
      bad(
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x>',
        b,
        '</x></s:Body></s:Envelope>',
      );
    expect(refusal(() => soapCodec.parse(env([0x80]), opts)).message).toMatch(/SOAP body: not valid UTF-8/);
    expect(refusal(() => formCodec.parse(bad('a=', [0xff], ''), opts)).message).toMatch(/form body: not valid UTF-8/);
    // percent-encoded bytes that are not UTF-8 once decoded
    expect(refusal(() => formCodec.parse(Buffer.from('name=%FF%FE'), opts)).message).toMatch(
      /form body: `%FF%FE` is not valid UTF-8 once percent-decoded/,
    );
    expect(formCodec.parse(Buffer.from('name=%C5%BC+x&n=%zz'), opts).input).toEqual({ name: 'ż x', n: '%zz' });
  });
});
