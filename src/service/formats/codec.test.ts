import { describe, expect, it } from 'vitest';
import { accepts, charsetOf, codecs, DATA_FORMATS, mediaMatches, mediaType } from './index.js';

describe('mediaType', () => {
  it('drops parameters, trims and lower-cases; undefined is empty', () => {
    expect(mediaType('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaType('  text/xml  ')).toBe('text/xml');
    expect(mediaType('application/soap+xml;action="urn:x"')).toBe('application/soap+xml');
    expect(mediaType(undefined)).toBe('');
    expect(mediaType('')).toBe('');
  });
});

describe('accepts', () => {
  it('every format is registered under its own name', () => {
    expect(DATA_FORMATS.sort()).toEqual(['form', 'json', 'plain', 'soap', 'xml']);
    for (const f of DATA_FORMATS) expect(codecs[f].format).toBe(f);
  });

  it('a request without a content type is accepted by every format', () => {
    for (const f of DATA_FORMATS) expect(accepts(codecs[f], undefined)).toBe(true);
  });

  it('json: application/json and application/*+json only (text/plain, form, octet-stream are not JSON)', () => {
    const j = codecs.json;
    for (const ct of [
      'application/json',
      'APPLICATION/JSON; charset=utf-8',
      'application/vnd.api+json',
      'application/problem+json',
    ]) {
      expect(accepts(j, ct), ct).toBe(true);
    }
    for (const ct of [
      'application/xml',
      'text/html',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'text/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'application/+json',
      'text/x+json',
    ]) {
      expect(accepts(j, ct), ct).toBe(false);
    }
  });

  it('xml: application/xml, text/xml and application/*+xml', () => {
    const x = codecs.xml;
    for (const ct of ['application/xml', 'text/xml; charset=utf-8', 'application/atom+xml', 'application/soap+xml'])
      expect(accepts(x, ct), ct).toBe(true);
    for (const ct of [
      'application/json',
      'image/png',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
    ])
      expect(accepts(x, ct), ct).toBe(false);
  });

  it('soap: text/xml (1.1), application/soap+xml (1.2); nothing else', () => {
    const s = codecs.soap;
    for (const ct of ['text/xml; charset=utf-8', 'application/soap+xml; charset=utf-8; action="urn:a"'])
      expect(accepts(s, ct), ct).toBe(true);
    for (const ct of ['application/json', 'text/plain', 'application/atom+xml', 'application/xml'])
      expect(accepts(s, ct), ct).toBe(false);
  });

  it('form: only x-www-form-urlencoded; plain: anything', () => {
    expect(accepts(codecs.form, 'application/x-www-form-urlencoded; charset=utf-8')).toBe(true);
    expect(accepts(codecs.form, 'application/json')).toBe(false);
    expect(accepts(codecs.plain, 'image/png')).toBe(true);
    expect(accepts(codecs.plain, 'whatever/thing')).toBe(true);
  });

  it('each codec names what it expects for 415 answers', () => {
    expect(codecs.json.expected).toBe('application/json or application/*+json');
    expect(codecs.soap.expected).toMatch(/SOAP 1\.1.*SOAP 1\.2/);
    expect(codecs.plain.expected).toBe('any');
  });
});

describe('mediaMatches and charsetOf', () => {
  it('exact, type/*, */*, * and structured suffixes', () => {
    expect(mediaMatches('text/plain', 'text/plain')).toBe(true);
    expect(mediaMatches('text/*', 'text/csv')).toBe(true);
    expect(mediaMatches('text/*', 'application/csv')).toBe(false);
    expect(mediaMatches('*/*', 'image/png')).toBe(true);
    expect(mediaMatches('*', 'image/png')).toBe(true);
    expect(mediaMatches('application/*+json', 'application/ld+json')).toBe(true);
    expect(mediaMatches('application/*+json', 'application/json')).toBe(false);
    expect(mediaMatches('*/*+xml', 'image/svg+xml')).toBe(true);
  });

  it('charset: lower-cased, unquoted, undefined when absent', () => {
    expect(charsetOf('text/plain; charset=UTF-8')).toBe('utf-8');
    expect(charsetOf('application/json;charset="ISO-8859-1"')).toBe('iso-8859-1');
    expect(charsetOf('application/soap+xml; action="urn:a"; charset=utf-8')).toBe('utf-8');
    expect(charsetOf('application/json')).toBeUndefined();
    expect(charsetOf(undefined)).toBeUndefined();
  });
});
