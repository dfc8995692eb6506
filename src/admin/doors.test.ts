import { describe, expect, it } from 'vitest';
import { type WharfError } from '../errors.js';
import { checkAdminDoors } from './doors.js';

const refused = (method: string, headers: Record<string, string>): WharfError | undefined => {
  try {
    checkAdminDoors(method, headers);
    return undefined;
  } catch (e) {
    return e as WharfError;
  }
};

describe('admin API doors (CSRF)', () => {
  it('takes what the CLI, curl and the web admin send', () => {
    expect(refused('POST', { host: '127.0.0.1:11223', 'content-type': 'application/json' })).toBeUndefined();
    expect(
      refused('POST', { host: '127.0.0.1:11223', 'content-type': 'application/json; charset=utf-8' }),
    ).toBeUndefined();
    expect(refused('DELETE', { host: '127.0.0.1:11223' })).toBeUndefined();
    expect(
      refused('POST', {
        host: 'wharf.example:8443',
        origin: 'https://wharf.example:8443',
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      }),
    ).toBeUndefined();
    expect(refused('GET', { host: 'a', origin: 'https://evil.example', 'content-type': 'text/plain' })).toBeUndefined();
  });

  it('refuses form and text/plain bodies (no CORS pre-flight) with 415', () => {
    for (const ct of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/json-seq',
    ]) {
      const e = refused('POST', { host: 'h', 'content-type': ct });
      expect(e?.status, ct).toBe(415);
      expect(e?.code).toBe('WHARF_ERR_UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('refuses requests from another site with 403, whatever their body', () => {
    expect(
      refused('POST', { host: '127.0.0.1:11223', origin: 'https://evil.example', 'content-type': 'application/json' })
        ?.status,
    ).toBe(403);
    expect(refused('POST', { host: '127.0.0.1:11223', origin: 'http://127.0.0.1:11224' })?.status).toBe(403);
    expect(refused('PATCH', { host: 'h', 'sec-fetch-site': 'cross-site' })?.status).toBe(403);
    expect(refused('DELETE', { host: 'h', 'sec-fetch-site': 'same-site' })?.status).toBe(403);
    expect(refused('POST', { host: 'h', origin: 'null' })?.status).toBe(403);
  });
});
