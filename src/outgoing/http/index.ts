/**
 * `outgoing.http`: HTTP connections services call by name —
 * `await this.outgoing.http('CRM').get({ params: { id } })`.
 */
import type { ConnectorKind } from '../../connectors/types.js';
import { HttpOutgoing } from './client.js';
import { TransportConnector } from './connector.js';
import { outgoingHttpDeclaration, type OutgoingHttpConfig } from './kind.js';

export const outgoingHttp: ConnectorKind<OutgoingHttpConfig> = {
  ...outgoingHttpDeclaration,
  create: (config, ctx) => new TransportConnector('HTTP', config, ctx, (t) => new HttpOutgoing(t)),
};

declare module '../../service/registries.js' {
  interface OutgoingConnections {
    http(name: string): HttpOutgoing;
  }
}

export { HttpOutgoing } from './client.js';
export type {
  HttpCallOptions,
  HttpRequestOptions,
  HttpResult,
  PassThroughRequest,
  PassThroughResult,
  ResponseHeaders,
  ParamValue,
  QueryValue,
} from './client.js';
export { HttpStatusError, UpstreamError } from './errors.js';
export { outgoingHttpObjectKind, type OutgoingHttpConfig } from './kind.js';
export { HTTP_METHODS, transportFields, type HttpMethod, type TransportConfig } from './fields.js';
export { Transport } from './transport.js';
export { TransportConnector } from './connector.js';
