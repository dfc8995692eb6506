/**
 * Secrets in the ODB are encrypted with AES-256-GCM under a key kept in the environment directory
 * (`secret.key`, mode 0600). Stored form: `$enc$v1$<iv>$<tag>$<ciphertext>` (base64url).
 * Admin passwords are not secrets but scrypt hashes (see `hashPassword`).
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';
import { WharfError } from '../errors.js';

const PREFIX = '$enc$v1$';
/** What the admin API shows instead of a secret. */
export const MASK = '******';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('secret key must be 32 bytes');
  }

  static fromHex(hex: string): SecretBox {
    return new SecretBox(Buffer.from(hex.trim(), 'hex'));
  }

  static generateHex(): string {
    return randomBytes(32).toString('hex');
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `${PREFIX}${iv.toString('base64url')}$${c.getAuthTag().toString('base64url')}$${ct.toString('base64url')}`;
  }

  decrypt(stored: string): string {
    if (!isEncrypted(stored)) return stored;
    const [iv, tag, ct] = stored.slice(PREFIX.length).split('$');
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv!, 'base64url'));
      d.setAuthTag(Buffer.from(tag!, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct!, 'base64url')), d.final()]).toString('utf8');
    } catch (e) {
      throw new WharfError('WHARF_ERR_SECRET', ['wrong key or corrupted value'], { cause: e });
    }
  }
}

export function isEncrypted(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(PREFIX);
}

/** Encrypts the listed fields of an object (leaves already-encrypted values alone). */
export function sealFields(box: SecretBox, data: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields?.length) return data;
  const out = { ...data };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === 'string' && v !== '' && !isEncrypted(v)) out[f] = box.encrypt(v);
  }
  return out;
}

export function openFields(box: SecretBox, data: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields?.length) return data;
  const out = { ...data };
  for (const f of fields) {
    const v = out[f];
    if (isEncrypted(v)) out[f] = box.decrypt(v);
  }
  return out;
}

export function maskFields(data: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields?.length) return data;
  const out = { ...data };
  for (const f of fields) if (out[f] !== undefined && out[f] !== '') out[f] = MASK;
  return out;
}

// ---- admin password hashes (scrypt)
const N = 16384;
const KEYLEN = 32;

function scryptAsync(pw: BinaryLike, salt: Buffer, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(pw, salt, keylen, { N, r: 8, p: 1 }, (e, k) => (e ? reject(e) : resolve(k))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEYLEN);
  return `scrypt$${N}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16 || salt.length < 8) return false; // a damaged hash never matches
  const key = await scryptAsync(password, salt, expected.length);
  return timingSafeEqual(key, expected);
}

/** Constant-time string comparison for credentials. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export function randomPassword(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}
