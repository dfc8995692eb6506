import { describe, expect, it } from 'vitest';
import { label, networkError } from './errors.js';

const coded = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });
const map = (e: unknown) => networkError(label('HTTP', 'crm'), 'crm', 'http://crm:80', e);

describe('networkError', () => {
  it('names the reason and the target for the usual failures', () => {
    expect(map(coded('ECONNREFUSED'))).toMatchObject({ reason: 'refused', notSent: true, transient: true });
    expect(map(coded('ECONNRESET'))).toMatchObject({ reason: 'reset', transient: true });
    expect(map(coded('ECONNREFUSED')).message).toContain('http://crm:80');
  });

  it('calls a malformed answer malformed, whether llhttp (HPE_*) or undici (content-length mismatch) saw it', () => {
    expect(map(coded('HPE_INVALID_CONSTANT'))).toMatchObject({ reason: 'malformed' });
    expect(map(coded('HPE_INVALID_CHUNK_SIZE'))).toMatchObject({ reason: 'malformed' });
    expect(map(coded('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'))).toMatchObject({ reason: 'malformed' });
    expect(map(coded('EWHATEVER'))).toMatchObject({ reason: 'other' });
  });
});
