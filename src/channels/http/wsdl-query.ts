/**
 * `GET <SOAP channel URL>?wsdl`: the channel's WSDL 1.1 (text/xml), where SOAP clients look for it
 * (issue 15 item 2); `HEAD` answers the same status and headers (content-length included), no body. The hook in dispatch() (and, for a channel that does not take GET, in the node:http
 * listener's unrouted branch) costs one comparison of the method and the raw query string's length,
 * no parsing: only a query string of exactly `wsdl` (any case) is taken.
 *
 * The WSDL needs what the worker runs (its services' declarations): the worker registers a source once
 * (src/admin/contract-routes.ts). Contracts are public by default (server.yaml `contracts.public`); when
 * they are not, `?wsdl` asks for the channel's own credentials, as a call of the channel would.
 * `?wsdl` on a channel that is not a SOAP channel (or a proxy or `routes` one) is 404 in its format.
 */
import { normalizeError, WharfError } from '../../errors.js';
import type { ContractReply } from '../../service/contracts/runtime.js';
import type { Headers } from '../../service/service.js';
import { errorReply, type Reply } from './dispatch.js';
import type { HttpRoute } from './route.js';
import type { ChannelRouter } from './router.js';

export interface WsdlSource {
  /** Whether contracts are served with no credentials (server.yaml `contracts.public`, default true). */
  readonly public: boolean;
  /** The WSDL of the SOAP channel `channel`, its address taken from the request's Host. */
  wsdl(channel: string, headers: Headers): ContractReply;
}

let source: WsdlSource | undefined;

/** Sets (or clears) what `?wsdl` answers from; one per worker. */
export function serveWsdlFrom(s: WsdlSource | undefined): void {
  source = s;
}

/** Whether a raw query string (without `?`) asks for the WSDL: exactly `wsdl`, in any case. */
export function isWsdlQuery(qs: string): boolean {
  return qs.length === 4 && qs.toLowerCase() === 'wsdl';
}

/** The WSDL of the route's channel, or the error in the channel's format (404 when it is not a SOAP channel). */
export function wsdlQueryReply(route: HttpRoute, headers: Headers, cid: string): Reply {
  const { config } = route;
  try {
    if (config.dataFormat !== 'soap' || config.proxyTo || config.routes || !source) {
      throw new WharfError('WHARF_ERR_NOT_FOUND', [
        `No WSDL at ${config.urlPath}: it is not a SOAP channel with a service`,
      ]);
    }
    if (!source.public && route.verify) route.verify(headers);
    const r = source.wsdl(config.name, headers);
    return {
      status: 200,
      headers: { 'content-type': r.contentType, 'content-length': Buffer.byteLength(r.body), 'x-wharf-cid': cid },
      body: r.body,
    };
  } catch (e) {
    return errorReply(normalizeError(e, cid), cid, route.codec, route.codecOpts);
  }
}

/**
 * For `GET|HEAD <path>?wsdl` where no channel of the path takes the method (a SOAP channel with method POST): the
 * path's SOAP channel, else any of its channels (which answers 404); undefined when none.
 */
export function wsdlRouteOf(
  router: ChannelRouter<unknown>,
  allow: readonly string[],
  path: string,
): HttpRoute | undefined {
  let first: HttpRoute | undefined;
  for (const m of allow) {
    if (m === 'OPTIONS') continue;
    const match = router.find(m, path);
    if (match.kind !== 'found') continue;
    const route = match.route as HttpRoute;
    if (route.config.dataFormat === 'soap') return route;
    first ??= route;
  }
  return first;
}
