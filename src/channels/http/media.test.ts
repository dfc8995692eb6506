import { describe, expect, it } from 'vitest';
import { contentTypeProblem, isTextBody, mediaPolicy, missingContentType } from './media.js';

const policy = (
  dataFormat: 'json' | 'xml' | 'soap' | 'form' | 'plain',
  extra?: string[],
  soapVersion: '1.1' | '1.2' = '1.1',
) => mediaPolicy({ dataFormat, soapVersion, acceptContentTypes: extra });
const ok = (p: ReturnType<typeof policy>, ct: string): boolean => contentTypeProblem(p, ct) === undefined;

describe('a channel media policy', () => {
  it('json: application/json and +json only', () => {
    const p = policy('json');
    expect(ok(p, 'application/json')).toBe(true);
    expect(ok(p, 'application/json')).toBe(true); // remembered
    expect(ok(p, 'application/merge-patch+json')).toBe(true);
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'text/json'])
      expect(ok(p, ct), ct).toBe(false);
    const e = contentTypeProblem(p, 'Text/Plain; charset=utf-8')!;
    expect(e).toMatchObject({
      code: 'WHARF_ERR_UNSUPPORTED_MEDIA_TYPE',
      status: 415,
      message: 'Content-Type `text/plain` is not accepted here; expected application/json or application/*+json',
    });
  });

  it('soap: one type per version, named with the version', () => {
    expect(ok(policy('soap'), 'text/xml; charset=utf-8')).toBe(true);
    expect(ok(policy('soap'), 'application/soap+xml')).toBe(false);
    expect(ok(policy('soap', undefined, '1.2'), 'application/soap+xml; action="a"')).toBe(true);
    expect(contentTypeProblem(policy('soap', undefined, '1.2'), 'text/xml')!.message).toMatch(
      /expected application\/soap\+xml \(SOAP 1\.2\)$/,
    );
  });

  it('acceptContentTypes adds types and patterns (any case); */* takes everything, and bodies without a type', () => {
    const p = policy('xml', ['Text/Plain', 'image/*']);
    expect(p.expected).toBe('application/xml, text/xml or application/*+xml, text/plain, image/*');
    expect(ok(p, 'text/plain')).toBe(true);
    expect(ok(p, 'image/png')).toBe(true);
    expect(ok(p, 'application/json')).toBe(false);
    const star = policy('json', ['*/*']);
    expect(ok(star, 'image/png')).toBe(true);
    expect(star.any).toBe(true);
    expect(policy('plain').any).toBe(true);
    expect(policy('json').any).toBe(false);
    expect(missingContentType(policy('json')).message).toMatch(
      /`\(none\)` is not accepted here; .*a body needs a Content-Type/,
    );
  });

  it('a charset other than UTF-8 or US-ASCII is a 415, even for a type the channel takes; the remembered values do not skip it', () => {
    const p = policy('json');
    expect(ok(p, 'application/json; charset=utf-8')).toBe(true);
    expect(ok(p, 'application/json; charset="UTF8"')).toBe(true);
    expect(ok(p, 'application/json; charset=us-ascii')).toBe(true);
    expect(contentTypeProblem(p, 'application/json; charset=utf-16')!.message).toMatch(/`utf-16` is not supported/);
    expect(contentTypeProblem(p, 'application/json; charset=utf-16')).toBeDefined();
  });

  it('text bodies of plain channels: text/*, a declared charset, or no type', () => {
    expect(isTextBody(undefined)).toBe(true);
    expect(isTextBody('text/csv')).toBe(true);
    expect(isTextBody('application/x-custom; charset=utf-8')).toBe(true);
    expect(isTextBody('application/octet-stream')).toBe(false);
    expect(isTextBody('image/png')).toBe(false);
  });
});
