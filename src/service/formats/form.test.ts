import { describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../errors.js';
import { formCodec, parseForm } from './form.js';

const opts = { maxDepth: 64 };

describe('parseForm', () => {
  it('decodes fields; a repeated field becomes a list in order', () => {
    expect(parseForm('a=1&b=x+y&c=%C5%BC&a=2&a=3')).toEqual({ a: ['1', '2', '3'], b: 'x y', c: 'ż' });
    expect(parseForm('')).toEqual({});
    expect(parseForm('flag')).toEqual({ flag: '' });
  });
});

describe('formCodec', () => {
  it('parse: payload and input are the fields; an empty body is {}', () => {
    const r = formCodec.parse(Buffer.from('id=5&tag=a&tag=b'), opts);
    expect(r).toEqual({ payload: { id: '5', tag: ['a', 'b'] }, input: { id: '5', tag: ['a', 'b'] } });
    expect(formCodec.parse(Buffer.alloc(0), opts)).toEqual({ payload: {}, input: {} });
  });

  it('render: JSON for objects, text as is, nothing for undefined', () => {
    expect(formCodec.render({ ok: true }, opts, undefined)).toEqual({
      body: '{"ok":true}',
      contentType: 'application/json',
    });
    expect(formCodec.render('done', opts, undefined)).toEqual({
      body: 'done',
      contentType: 'text/plain; charset=utf-8',
    });
    const b = Buffer.from('raw');
    expect(formCodec.render(b, opts, undefined).body).toBe(b);
    expect(formCodec.render(undefined, opts, undefined).body).toBe('');
  });

  it('renderError: a JSON error object', () => {
    const err: ErrorBody = { code: 'WHARF_ERR_BAD_REQUEST', message: 'no', cid: 'c' };
    expect(JSON.parse(String(formCodec.renderError(err, opts, 400).body))).toEqual({ error: err });
  });
});
