/**
 * WS-Security UsernameToken (PasswordText) header built from a basic-auth security definition.
 * Resolved on every call, so an edited password is used by the next request.
 */
import type { ConnectorContext } from '../../connectors/types.js';
import { escapeXml } from '../../service/formats/xml.js';
import { BASIC_AUTH_KIND, basicCredentials, resolveSecurity } from '../http/security.js';

export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const PASSWORD_TEXT =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

/** `<wsse:Security>` for a SOAP Header whose Envelope prefix is `soapenv`. */
export function usernameToken(username: string, password: string, created = new Date()): string {
  return (
    `<wsse:Security xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}" soapenv:mustUnderstand="1">` +
    `<wsse:UsernameToken><wsse:Username>${escapeXml(username)}</wsse:Username>` +
    `<wsse:Password Type="${PASSWORD_TEXT}">${escapeXml(password)}</wsse:Password>` +
    `<wsu:Created>${created.toISOString()}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

export function wsSecurityHeader(ctx: ConnectorContext, lbl: string, name: string): string {
  const { def } = resolveSecurity(ctx, lbl, name, [BASIC_AUTH_KIND]);
  const { username, password } = basicCredentials(lbl, def);
  return usernameToken(username, password);
}
