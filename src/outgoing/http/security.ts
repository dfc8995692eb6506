/**
 * Credentials an outgoing connection sends, read from the security definition it names: HTTP basic
 * auth (`security.basicAuth`: username, password) or an API key (`security.apiKey`: headerName, key).
 * Definitions are resolved on every call, so an edited password is used by the very next request;
 * the computed headers are cached per definition object.
 */
import type { ConfigObject } from '../../config/kind.js';
import type { ConnectorContext } from '../../connectors/types.js';
import { WharfError } from '../../errors.js';

export const BASIC_AUTH_KIND = 'security.basicAuth';
export const API_KEY_KIND = 'security.apiKey';

export type SecurityHeaders = Readonly<Record<string, string>>;

const cache = new WeakMap<ConfigObject, SecurityHeaders>();

function problem(lbl: string, text: string): WharfError {
  return new WharfError('WHARF_ERR_CONFIG_INVALID', [`${lbl}: ${text}`], { status: 500 });
}

function str(obj: ConfigObject, field: string): string | undefined {
  const v = obj[field];
  return typeof v === 'string' ? v : undefined;
}

/** Finds the named security definition among the kinds given (first match wins). */
export function resolveSecurity(
  ctx: ConnectorContext,
  lbl: string,
  name: string,
  kinds: readonly string[],
): { kind: string; def: ConfigObject } {
  for (const kind of kinds) {
    const def = ctx.resolve(kind, name);
    if (def) {
      if (!def.active) throw problem(lbl, `security definition \`${name}\` is not active`);
      return { kind, def };
    }
  }
  throw problem(lbl, `security definition \`${name}\` does not exist (looked for ${kinds.join(', ')})`);
}

export function basicCredentials(lbl: string, def: ConfigObject): { username: string; password: string } {
  const username = str(def, 'username');
  const password = str(def, 'password');
  if (username === undefined || password === undefined)
    throw problem(lbl, `security definition \`${def.name}\` has no username or password`);
  return { username, password };
}

/** Headers carrying the credentials of the named definition. */
export function securityHeaders(ctx: ConnectorContext, lbl: string, name: string): SecurityHeaders {
  const { kind, def } = resolveSecurity(ctx, lbl, name, [BASIC_AUTH_KIND, API_KEY_KIND]);
  const hit = cache.get(def);
  if (hit) return hit;
  let headers: SecurityHeaders;
  if (kind === BASIC_AUTH_KIND) {
    const { username, password } = basicCredentials(lbl, def);
    if (username.includes(':'))
      throw problem(lbl, `security definition \`${name}\`: a basic-auth username cannot contain ':'`);
    headers = { authorization: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` };
  } else {
    const header = str(def, 'headerName');
    const key = str(def, 'key');
    if (!header || key === undefined) throw problem(lbl, `security definition \`${name}\` has no headerName or key`);
    if (/[\r\n\0]/.test(key)) throw problem(lbl, `security definition \`${name}\`: the key contains a line break`);
    headers = { [header.toLowerCase()]: key };
  }
  cache.set(def, headers);
  return headers;
}
