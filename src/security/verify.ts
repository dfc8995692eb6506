/** Checks a request's credentials against a security definition (decrypted, in memory). */
import { Unauthorized } from '../errors.js';
import type { ConfigObject } from '../config/kind.js';
import { safeEqual } from '../config/secrets.js';
import type { Headers } from '../service/service.js';

export type Verifier = (headers: Headers) => void;

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function makeVerifier(kindId: string, def: ConfigObject): Verifier {
  if (!def.active) {
    return () => {
      throw new Unauthorized('Security definition is inactive');
    };
  }
  if (kindId === 'security.basicAuth') {
    const username = String(def['username']);
    const password = String(def['password']);
    const challenge = `Basic realm="${String(def['realm'] ?? 'Wharf').replace(/"/g, '')}"`;
    return (h) => {
      const auth = header(h, 'authorization');
      if (!auth || !/^basic /i.test(auth)) throw new Unauthorized('Missing Basic credentials', challenge);
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const ok = i > 0 && safeEqual(decoded.slice(0, i), username) && safeEqual(decoded.slice(i + 1), password);
      if (!ok) throw new Unauthorized('Invalid credentials', challenge);
    };
  }
  if (kindId === 'security.apiKey') {
    const name = String(def['headerName']).toLowerCase();
    const key = String(def['key']);
    return (h) => {
      const got = header(h, name);
      if (!got) throw new Unauthorized(`Missing API key header ${String(def['headerName'])}`);
      if (!safeEqual(got, key)) throw new Unauthorized('Invalid API key');
    };
  }
  throw new Error(`not a security kind: ${kindId}`);
}
