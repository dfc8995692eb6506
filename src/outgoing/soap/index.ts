/**
 * `outgoing.soap`: SOAP 1.1/1.2 endpoints services call by name —
 * `const { body } = await this.outgoing.soap('Billing').call({ getInvoice: { id } })`.
 */
import type { ConnectorKind } from '../../connectors/types.js';
import { TransportConnector } from '../http/connector.js';
import { SoapOutgoing } from './client.js';
import { outgoingSoapDeclaration, type OutgoingSoapConfig } from './kind.js';

export const outgoingSoap: ConnectorKind<OutgoingSoapConfig> = {
  ...outgoingSoapDeclaration,
  create: (config, ctx) => new TransportConnector('SOAP', config, ctx, (t) => new SoapOutgoing(t)),
};

declare module '../../service/registries.js' {
  interface OutgoingConnections {
    soap(name: string): SoapOutgoing;
  }
}

export { SoapOutgoing } from './client.js';
export type { SoapBody, SoapCallOptions, SoapResult } from './client.js';
export { SoapFaultError, type SoapFaultInit } from './errors.js';
export { usernameToken, WSSE_NS } from './wssecurity.js';
export { outgoingSoapObjectKind, type OutgoingSoapConfig } from './kind.js';
