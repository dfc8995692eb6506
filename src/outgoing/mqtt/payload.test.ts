import { describe, expect, it } from 'vitest';
import { encodePayload } from './payload.js';

describe('encodePayload', () => {
  it('sends strings as UTF-8 and bytes as they are', () => {
    expect(encodePayload('ü')).toEqual({ bytes: Buffer.from('ü') });
    const b = Buffer.from([1, 2]);
    expect(encodePayload(b).bytes).toBe(b);
    expect(encodePayload(new Uint8Array([3, 4])).bytes).toEqual(Buffer.from([3, 4]));
  });

  it('sends other values as JSON, marked application/json', () => {
    expect(encodePayload({ a: [1] })).toEqual({ bytes: Buffer.from('{"a":[1]}'), contentType: 'application/json' });
    expect(encodePayload(null)).toEqual({ bytes: Buffer.from('null'), contentType: 'application/json' });
  });

  it('refuses what JSON cannot hold', () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(() => encodePayload(circular)).toThrow(TypeError);
  });
});
