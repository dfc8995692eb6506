import { describe, expect, it } from 'vitest';
import { WharfError } from '../errors.js';
import {
  hashPassword,
  isEncrypted,
  MASK,
  maskFields,
  openFields,
  randomPassword,
  safeEqual,
  sealFields,
  SecretBox,
  verifyPassword,
} from './secrets.js';

const KEY = 'a'.repeat(64);
const box = SecretBox.fromHex(KEY);

describe('SecretBox', () => {
  it('encrypts to $enc$v1$iv$tag$ct and decrypts back, unicode included', () => {
    const enc = box.encrypt('pässwörd 🔑');
    expect(enc).toMatch(/^\$enc\$v1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]*$/);
    expect(enc).not.toContain('pässwörd');
    expect(box.decrypt(enc)).toBe('pässwörd 🔑');
    expect(box.decrypt(box.encrypt(''))).toBe('');
  });

  it('a fresh IV each time: the same secret never encrypts the same way twice', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('decrypt passes values that are not encrypted through', () => {
    expect(box.decrypt('plain')).toBe('plain');
  });

  it('the wrong key is WHARF_ERR_SECRET, not garbage', () => {
    const other = SecretBox.fromHex('b'.repeat(64));
    const enc = box.encrypt('secret');
    try {
      other.decrypt(enc);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WharfError);
      expect(e).toMatchObject({
        code: 'WHARF_ERR_SECRET',
        status: 500,
        message: 'Cannot decrypt a secret: wrong key or corrupted value',
      });
      expect((e as WharfError).cause).toBeInstanceOf(Error);
    }
  });

  it('tampered or truncated values are refused', () => {
    const enc = box.encrypt('secret');
    const parts = enc.split('$');
    const ct = parts[5]!;
    parts[5] = (ct[0] === 'A' ? 'B' : 'A') + ct.slice(1);
    expect(() => box.decrypt(parts.join('$'))).toThrow(WharfError);
    expect(() => box.decrypt('$enc$v1$onlyiv')).toThrow(WharfError);
  });

  it('keys: 32 bytes only; fromHex trims; generateHex makes a valid 64-hex key', () => {
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow('secret key must be 32 bytes');
    expect(() => SecretBox.fromHex('abcd')).toThrow();
    const hex = SecretBox.generateHex();
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(SecretBox.generateHex()).not.toBe(hex);
    const b = SecretBox.fromHex(`  ${hex}\n`);
    expect(b.decrypt(b.encrypt('x'))).toBe('x');
  });

  it('isEncrypted', () => {
    expect(isEncrypted(box.encrypt('x'))).toBe(true);
    expect(isEncrypted('$enc$v2$x')).toBe(false);
    expect(isEncrypted(42)).toBe(false);
    expect(isEncrypted(undefined)).toBe(false);
  });
});

describe('sealFields, openFields, maskFields', () => {
  it('seal encrypts listed non-empty string fields only and never twice; open reverses it', () => {
    const data = { name: 'x', password: 'p', key: '', other: 'o', n: 5 };
    const sealed = sealFields(box, data, ['password', 'key', 'n']);
    expect(isEncrypted(sealed['password'])).toBe(true);
    expect(sealed['key']).toBe('');
    expect(sealed['n']).toBe(5);
    expect(sealed['other']).toBe('o');
    expect(data.password).toBe('p');
    expect(sealFields(box, sealed, ['password'])['password']).toBe(sealed['password']);
    expect(openFields(box, sealed, ['password', 'key'])).toEqual(data);
  });

  it('no secret fields: the same object back', () => {
    const d = { a: 1 };
    expect(sealFields(box, d, undefined)).toBe(d);
    expect(openFields(box, d, [])).toBe(d);
    expect(maskFields(d, undefined)).toBe(d);
  });

  it('mask hides set secrets and leaves unset or empty ones alone', () => {
    const masked = maskFields({ name: 'n', password: 'p', key: '', token: undefined }, ['password', 'key', 'token']);
    expect(masked).toEqual({ name: 'n', password: MASK, key: '', token: undefined });
    expect(MASK).toBe('******');
  });
});

describe('password hashes (scrypt)', () => {
  it('hash then verify; salted; wrong passwords and foreign formats fail', async () => {
    const [h, h2] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(h2).not.toBe(h);
    const [ok, wrong] = await Promise.all([verifyPassword('correct horse', h2), verifyPassword('Correct horse', h)]);
    expect(ok).toBe(true);
    expect(wrong).toBe(false);
    // not scrypt or not six parts: refused without hashing
    expect(await verifyPassword('correct horse', 'bcrypt$x')).toBe(false);
    expect(await verifyPassword('correct horse', h.replace(/^scrypt/, 'md5'))).toBe(false);
    expect(await verifyPassword('correct horse', `${h}$extra`)).toBe(false);
  });

  it('a damaged stored hash never matches (regression, fixed in 734579d: an empty key part used to accept any password)', async () => {
    expect(await verifyPassword('any password at all', 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$')).toBe(false);
    expect(await verifyPassword('any password at all', 'scrypt$16384$8$1$$')).toBe(false);
  });
});

describe('safeEqual and randomPassword', () => {
  it('compares strings, unequal lengths included', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('random passwords are url-safe and long enough', () => {
    const p = randomPassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(randomPassword(9)).toHaveLength(12);
    expect(randomPassword()).not.toBe(p);
  });
});
