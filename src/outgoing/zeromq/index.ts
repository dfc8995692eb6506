/** ZeroMQ outgoing connections: `outgoing.zeromq`, in every worker; services call `this.outgoing.zeromq(name)`. */
import type { ConnectorKind } from '../../connectors/types.js';
import { zeromqOutgoingDeclaration, type ZeromqOutgoingConfig } from './kind.js';
import { ZeromqOutgoingConnector, type ZeromqOutgoing } from './outgoing.js';

declare module '../../service/registries.js' {
  interface OutgoingConnections {
    zeromq(name: string): ZeromqOutgoing;
  }
}

export const zeromqOutgoingConnector: ConnectorKind<ZeromqOutgoingConfig> = {
  ...zeromqOutgoingDeclaration,
  create: (config, ctx) => new ZeromqOutgoingConnector(config, ctx),
};

export { zeromqOutgoingKind, type ZeromqOutgoingConfig } from './kind.js';
export { ZeromqOutgoingConnector, type ZeromqOutgoing, type ZeromqSendOptions } from './outgoing.js';
export { frameBytes, toFrames, type Frame, type ZeromqMessage } from './frames.js';
export { addressProblem, addressField } from '../../connectors/zeromq/address.js';
