/** `outgoing.amqp1`: JMS-style sends to queues and topics over AMQP 1.0 (docs/connectors/amqp1-jms.md). */
import type { ConnectorKind } from '../../connectors/types.js';
import { amqp1OutgoingDeclaration, type Amqp1OutgoingConfig } from './kind.js';
import { Amqp1OutgoingConnector, type Amqp1Outgoing } from './outgoing.js';

declare module '../../service/registries.js' {
  interface OutgoingConnections {
    amqp1(name: string): Amqp1Outgoing;
  }
}

export const amqp1OutgoingKind: ConnectorKind<Amqp1OutgoingConfig> = {
  ...amqp1OutgoingDeclaration,
  create: (config, ctx) => new Amqp1OutgoingConnector(config, ctx),
};

export { amqp1OutgoingObjectKind, type Amqp1OutgoingConfig } from './kind.js';
export { Amqp1OutgoingConnector, type Amqp1Outgoing } from './outgoing.js';
export type { Amqp1SendOptions, Amqp1Body } from '../../connectors/amqp1/message.js';
