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

/**
 * Secret values inside a record field, chosen per object: the entries of `field` (e.g. `headers`)
 * whose key, in any case, is listed in the object's `keysField` (e.g. `secretHeaders`), or in
 * `defaultKeys` when the object has no such list (objects stored before it existed).
 */
export interface SecretEntries<F extends string = string> {
  readonly field: F;
  readonly keysField: F;
  readonly defaultKeys: readonly string[];
}

/** A kind's secrets: whole fields by name, and secret entries of record fields. */
export type SecretSpec<F extends string = string> = F | SecretEntries<F>;

function isEntries(s: SecretSpec): s is SecretEntries {
  return typeof s !== 'string';
}

/** The secret keys (lower-cased) of a record field for this object. */
export function secretKeys(data: Readonly<Record<string, unknown>>, spec: SecretEntries): Set<string> {
  const list = data[spec.keysField];
  const keys = Array.isArray(list) ? list : spec.defaultKeys;
  return new Set(keys.filter((k): k is string => typeof k === 'string').map((k) => k.toLowerCase()));
}

/** The record field's value as a plain object, or undefined when it is not one. */
export function recordOf(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Applies `fn` to each secret entry of each SecretEntries spec; the record is copied when one changes. */
function mapEntries(
  data: Record<string, unknown>,
  specs: readonly SecretSpec[],
  fn: (v: unknown, secret: boolean) => unknown,
): Record<string, unknown> {
  let out = data;
  for (const spec of specs) {
    if (!isEntries(spec)) continue;
    const rec = recordOf(data[spec.field]);
    if (!rec) continue;
    const keys = secretKeys(data, spec);
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(rec)) {
      const nv = fn(v, keys.has(k.toLowerCase()));
      if (nv !== v) (copy ??= { ...rec })[k] = nv;
    }
    if (copy) {
      if (out === data) out = { ...data };
      out[spec.field] = copy;
    }
  }
  return out;
}

/** Encrypts the listed fields and secret entries of an object (leaves already-encrypted values alone). */
export function sealFields(
  box: SecretBox,
  data: Record<string, unknown>,
  fields: readonly SecretSpec[] | undefined,
): Record<string, unknown> {
  if (!fields?.length) return data;
  const out = { ...data };
  for (const f of fields) {
    if (isEntries(f)) continue;
    const v = out[f];
    if (typeof v === 'string' && v !== '' && !isEncrypted(v)) out[f] = box.encrypt(v);
  }
  return mapEntries(out, fields, (v, secret) =>
    secret && typeof v === 'string' && v !== '' && !isEncrypted(v) ? box.encrypt(v) : v,
  );
}

/** Decrypts the listed fields, and every encrypted entry of the record fields with secret entries. */
export function openFields(
  box: SecretBox,
  data: Record<string, unknown>,
  fields: readonly SecretSpec[] | undefined,
): Record<string, unknown> {
  if (!fields?.length) return data;
  const out = { ...data };
  for (const f of fields) {
    if (isEntries(f)) continue;
    const v = out[f];
    if (isEncrypted(v)) out[f] = box.decrypt(v);
  }
  return mapEntries(out, fields, (v) => (isEncrypted(v) ? box.decrypt(v) : v));
}

/** Replaces secret values (fields and entries) with MASK, as the admin API shows them. */
export function maskFields(
  data: Record<string, unknown>,
  fields: readonly SecretSpec[] | undefined,
): Record<string, unknown> {
  if (!fields?.length) return data;
  const out = { ...data };
  for (const f of fields) if (!isEntries(f) && out[f] !== undefined && out[f] !== '') out[f] = MASK;
  return mapEntries(out, fields, (v, secret) => ((secret && v !== undefined && v !== '') || isEncrypted(v) ? MASK : v));
}

/** The SecretEntries specs of a kind's secrets. */
export function entrySpecs(fields: readonly SecretSpec[] | undefined): SecretEntries[] {
  return (fields ?? []).filter(isEntries);
}

// ---- admin password hashes (scrypt)
const N = 16384;
const KEYLEN = 32;

function scryptAsync(pw: BinaryLike, salt: Buffer, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pw, salt, keylen, { N, r: 8, p: 1 }, (e, k) => (e ? reject(e) : resolve(k))),
  );
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
