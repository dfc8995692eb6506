import { describe, expect, it } from 'vitest';
import { plainCodec } from './plain.js';

const opts = { maxDepth: 64 };

describe('plainCodec', () => {
  it('parse: the body as text; never an input object', () => {
    expect(plainCodec.parse(Buffer.from('hello\nworld'), opts)).toEqual({ payload: 'hello\nworld', input: undefined });
    expect(plainCodec.parse(Buffer.alloc(0), opts)).toEqual({ payload: '', input: undefined });
  });

  it('render: text and Buffers as is, objects as JSON, undefined as empty text', () => {
    expect(plainCodec.render('ok', opts, undefined)).toEqual({ body: 'ok', contentType: 'text/plain; charset=utf-8' });
    const b = Buffer.from([1, 2]);
    expect(plainCodec.render(b, opts, undefined).body).toBe(b);
    expect(plainCodec.render({ a: 1 }, opts, undefined)).toEqual({ body: '{"a":1}', contentType: 'application/json' });
    expect(plainCodec.render(undefined, opts, undefined)).toEqual({
      body: '',
      contentType: 'text/plain; charset=utf-8',
    });
  });

  it('renderError: one line with code, message and cid', () => {
    const r = plainCodec.renderError({ code: 'WHARF_ERR_NOT_FOUND', message: 'gone', cid: 'abc' }, opts, 404);
    expect(r).toEqual({ body: 'WHARF_ERR_NOT_FOUND: gone (cid abc)\n', contentType: 'text/plain; charset=utf-8' });
  });
});
