/**
 * BUG-DEMONSTRATING TESTS (see the test report): these assert the correct behaviour and fail until
 * src/service/formats/json.ts, xml-codec.ts and soap.ts are fixed.
 */
import { describe, expect, it } from 'vitest';
import { jsonCodec } from './json.js';
import { soapCodec } from './soap.js';
import { xmlCodec } from './xml-codec.js';
import { parseXml } from './xml.js';

const opts = { maxDepth: 64 };

describe('BUG json codec', () => {
  it('BUG-8: a Buffer output is sent as is (ServiceResponse.payload: "a string or Buffer is sent as is")', () => {
    const b = Buffer.from('{"precomputed":true}');
    // today the body is JSON.stringify(Buffer): {"type":"Buffer","data":[123,34,...]}
    expect(jsonCodec.render(b, opts, undefined).body).toBe(b);
  });

  it('BUG-8: a string output is sent as is, like every other codec does', () => {
    // the pipeline skips output checks for strings "to send as is"; xml, soap, form and plain send
    // them unchanged, json wraps them in quotes
    expect(jsonCodec.render('{"already":"json"}', opts, undefined).body).toBe('{"already":"json"}');
  });
});

describe('BUG xml/soap codecs: list outputs', () => {
  it('BUG-9: an XML list output is one well-formed document (one root element)', () => {
    // today: <response>1</response><response>2</response> (two roots), and nothing at all for []
    for (const out of [[1, 2], [{ sku: 'a' }, { sku: 'b' }], []]) {
      const body = String(xmlCodec.render(out, opts, undefined).body);
      expect(() => parseXml(body, 64), body).not.toThrow();
      expect(parseXml(body, 64).root).toBe('response');
    }
  });

  it('BUG-9: a SOAP list output is one response element in the Body', () => {
    const body = String(soapCodec.render([1, 2], opts, { payload: {}, input: {}, element: 'list' }).body);
    const parsed = soapCodec.parse(Buffer.from(body), opts);
    expect(parsed.element).toBe('listResponse');
    expect(Object.keys((parsed.payload as { body: object }).body)).toEqual(['listResponse']);
    expect(parsed.input).toEqual({ item: ['1', '2'] });
  });
});
