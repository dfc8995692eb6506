/**
 * The admin API's doors against cross-site requests (CSRF): a browser page elsewhere can make a
 * user's browser send form or text/plain POSTs (no CORS pre-flight) with cached Basic credentials.
 * So a state-changing admin request is taken only when its body, if typed, is JSON and nothing says
 * it comes from another site (`Origin` of another host, `Sec-Fetch-Site` other than same-origin or
 * none). The CLI, curl and the web admin's server send no `Origin`; a browser always does on a
 * cross-origin POST.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { WharfError } from '../errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Throws 415 or 403 when a state-changing request could come from another site; returns otherwise. */
export function checkAdminDoors(method: string, headers: IncomingHttpHeaders): void {
  if (SAFE.has(method)) return;
  const ct = headers['content-type'];
  if (ct !== undefined) {
    const media = ct.split(';')[0]!.trim().toLowerCase();
    if (media !== 'application/json')
      throw new WharfError('WHARF_ERR_UNSUPPORTED_MEDIA_TYPE', [ct, 'application/json']);
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw new WharfError('WHARF_ERR_FORBIDDEN', [`cross-site admin request refused (Sec-Fetch-Site: ${site})`]);
  const origin = headers['origin'];
  if (origin !== undefined) {
    let host: string;
    try {
      host = new URL(origin).host.toLowerCase();
    } catch {
      throw new WharfError('WHARF_ERR_FORBIDDEN', ['cross-site admin request refused (Origin is not a URL)']);
    }
    if (host !== (headers.host ?? '').toLowerCase())
      throw new WharfError('WHARF_ERR_FORBIDDEN', [`cross-site admin request refused (Origin ${origin})`]);
  }
}
