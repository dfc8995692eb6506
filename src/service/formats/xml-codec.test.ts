import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { findElement, xmlCodec } from './xml-codec.js';
import { parseXml, XML_DECL } from './xml.js';

const opts = { maxDepth: 64 };
const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('xmlCodec.parse', () => {
  it('an empty body is no payload and no input', () => {
    expect(xmlCodec.parse(Buffer.alloc(0), opts)).toEqual({ payload: undefined, input: undefined });
  });

  it('input is the root element’s children by default; payload keeps the root name', () => {
    const r = xmlCodec.parse(buf('<getCustomer><id>5</id><name>Ann</name></getCustomer>'), opts);
    expect(r).toEqual({
      payload: { getCustomer: { id: '5', name: 'Ann' } },
      input: { id: '5', name: 'Ann' },
      element: 'getCustomer',
    });
  });

  it('requestElement picks a nested element (breadth first), the first of repeats', () => {
    const xml = '<batch><meta><req><id>0</id></req></meta><req><id>1</id></req><req><id>2</id></req></batch>';
    const r = xmlCodec.parse(buf(xml), { ...opts, requestElement: 'req' });
    expect(r.input).toEqual({ id: '1' });
    expect(r.element).toBe('req');
    expect(xmlCodec.parse(buf(xml), { ...opts, requestElement: 'batch' }).element).toBe('batch');
  });

  it('a missing requestElement is a 400', () => {
    try {
      xmlCodec.parse(buf('<a><b>1</b></a>'), { ...opts, requestElement: 'c' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WharfError);
      expect(e).toMatchObject({ code: 'WHARF_ERR_BAD_REQUEST', status: 400, message: 'XML has no <c> element' });
    }
  });

  it('DTDs are refused through the codec too', () => {
    expect(() => xmlCodec.parse(buf('<!DOCTYPE a [<!ENTITY e SYSTEM "http://x">]><a>&e;</a>'), opts)).toThrow(
      expect.objectContaining({ code: 'WHARF_ERR_DTD_FORBIDDEN' }),
    );
  });
});

describe('findElement', () => {
  it('returns the root when no name (or the root name) is asked for', () => {
    expect(findElement('r', { a: 1 }, undefined)).toEqual({ name: 'r', value: { a: 1 } });
    expect(findElement('r', { a: 1 }, 'r')).toEqual({ name: 'r', value: { a: 1 } });
    expect(findElement('r', { a: 'text' }, 'zz')).toBeUndefined();
  });
});

describe('xmlCodec.render', () => {
  it('objects under responseElement (default "response"), with the XML declaration', () => {
    expect(xmlCodec.render({ id: 1 }, opts, undefined)).toEqual({
      body: `${XML_DECL}<response><id>1</id></response>`,
      contentType: 'application/xml',
    });
    expect(xmlCodec.render({ id: 1 }, { ...opts, responseElement: 'customer' }, undefined).body).toBe(
      `${XML_DECL}<customer><id>1</id></customer>`,
    );
  });

  it('text and Buffers are sent as is; undefined is an empty body', () => {
    expect(xmlCodec.render('<x/>', opts, undefined)).toEqual({ body: '<x/>', contentType: 'application/xml' });
    const b = Buffer.from('<y/>');
    expect(xmlCodec.render(b, opts, undefined).body).toBe(b);
    expect(xmlCodec.render(undefined, opts, undefined).body).toBe('');
  });

  it('errors are an <error> document with code, message, cid and details', () => {
    const r = xmlCodec.renderError(
      { code: 'WHARF_ERR_MISSING_ELEMENT', message: 'Missing `<id>`', cid: 'c9', details: { element: 'id' } },
      opts,
      400,
    );
    expect(r.contentType).toBe('application/xml');
    expect(r.body).toBe(
      `${XML_DECL}<error><code>WHARF_ERR_MISSING_ELEMENT</code><message>Missing \`&lt;id&gt;\`</message><cid>c9</cid><details><element>id</element></details></error>`,
    );
  });
});

describe('xmlCodec.render: list outputs (regression, fixed in 39f01a3)', () => {
  it('an XML list output is one well-formed document (one root element)', () => {
    // was <response>1</response><response>2</response> (two roots), and nothing at all for []
    for (const out of [[1, 2], [{ sku: 'a' }, { sku: 'b' }], []]) {
      const body = String(xmlCodec.render(out, opts, undefined).body);
      expect(() => parseXml(body, 64), body).not.toThrow();
      expect(parseXml(body, 64).root).toBe('response');
    }
  });
});
