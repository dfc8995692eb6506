import { describe, expect, it } from 'vitest';
import { WharfError, type ErrorBody } from '../../errors.js';
import { checkDepth } from './depth.js';
import { jsonCodec } from './json.js';

const opts = { maxDepth: 64 };
const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('jsonCodec.parse', () => {
  it('an empty body is no payload and no input', () => {
    expect(jsonCodec.parse(Buffer.alloc(0), opts)).toEqual({ payload: undefined, input: undefined });
  });

  it('payload and input are the parsed value', () => {
    const r = jsonCodec.parse(buf('{"id":1,"name":"Zażółć"}'), opts);
    expect(r.payload).toEqual({ id: 1, name: 'Zażółć' });
    expect(r.input).toBe(r.payload);
    expect(jsonCodec.parse(buf('[1,2]'), opts).payload).toEqual([1, 2]);
    expect(jsonCodec.parse(buf('"s"'), opts).payload).toBe('s');
  });

  it('malformed JSON is a 400 WHARF_ERR_MALFORMED_BODY with the parser message', () => {
    try {
      jsonCodec.parse(buf('{"a":'), opts);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WharfError);
      expect(e).toMatchObject({ code: 'WHARF_ERR_MALFORMED_BODY', status: 400 });
      expect((e as Error).message).toMatch(/^Malformed JSON body: /);
    }
  });

  it('nesting is bounded by maxDepth (WHARF_ERR_TOO_DEEP)', () => {
    expect(() => jsonCodec.parse(buf(nested(3)), { maxDepth: 3 })).not.toThrow();
    expect(() => jsonCodec.parse(buf(nested(4)), { maxDepth: 3 })).toThrow(
      expect.objectContaining({
        code: 'WHARF_ERR_TOO_DEEP',
        status: 400,
        message: 'Request nesting exceeds the limit of 3 levels',
      }),
    );
    expect(() => jsonCodec.parse(buf('{"a":{"b":{"c":{}}}}'), { maxDepth: 3 })).toThrow(/limit of 3 levels/);
    // far deeper than any recursion limit: refused, not a stack overflow
    expect(() => jsonCodec.parse(buf(nested(100_000)), opts)).toThrow(
      expect.objectContaining({ code: 'WHARF_ERR_TOO_DEEP' }),
    );
  });
});

describe('checkDepth', () => {
  it('scalars have no depth; objects and arrays count one level each', () => {
    expect(() => checkDepth('x', 0)).not.toThrow();
    expect(() => checkDepth(null, 0)).not.toThrow();
    expect(() => checkDepth({ a: 1, b: [1, 2] }, 2)).not.toThrow();
    expect(() => checkDepth({ a: 1, b: [1, [2]] }, 2)).toThrow(WharfError);
  });
});

describe('jsonCodec.render', () => {
  it('undefined output is an empty body; objects are JSON', () => {
    expect(jsonCodec.render(undefined, opts, undefined)).toEqual({ body: '', contentType: 'application/json' });
    expect(jsonCodec.render({ a: [1, null] }, opts, undefined)).toEqual({
      body: '{"a":[1,null]}',
      contentType: 'application/json',
    });
  });

  it('responseElement wraps the output', () => {
    expect(jsonCodec.render({ id: 1 }, { ...opts, responseElement: 'customer' }, undefined).body).toBe(
      '{"customer":{"id":1}}',
    );
  });

  it('errors are { error: { code, message, cid, details? } }', () => {
    const err: ErrorBody = {
      code: 'WHARF_ERR_MISSING_ELEMENT',
      message: 'Missing required element `id`',
      cid: 'c1',
      details: { element: 'id' },
    };
    const r = jsonCodec.renderError(err, opts, 400);
    expect(r.contentType).toBe('application/json');
    expect(JSON.parse(String(r.body))).toEqual({ error: err });
  });
});

describe('jsonCodec.render: strings and Buffers are sent as is (regressions, fixed in 39f01a3)', () => {
  it('a Buffer output is sent as is (ServiceResponse.payload: "a string or Buffer is sent as is")', () => {
    const b = Buffer.from('{"precomputed":true}');
    // was JSON.stringify(Buffer): {"type":"Buffer","data":[123,34,...]}
    expect(jsonCodec.render(b, opts, undefined).body).toBe(b);
  });

  it('a string output is sent as is, like every other codec does', () => {
    // the pipeline skips output checks for strings "to send as is"; xml, soap, form and plain send
    // them unchanged, json wrapped them in quotes
    expect(jsonCodec.render('{"already":"json"}', opts, undefined).body).toBe('{"already":"json"}');
  });
});
