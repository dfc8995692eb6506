/** `channels.amqp1`: JMS-style queue and topic consumers over AMQP 1.0 (docs/connectors/amqp1-jms.md). */
import type { ConnectorKind } from '../../connectors/types.js';
import { Amqp1Channel } from './channel.js';
import { amqp1ChannelDeclaration, type Amqp1ChannelConfig } from './kind.js';

export const amqp1ChannelKind: ConnectorKind<Amqp1ChannelConfig> = {
  ...amqp1ChannelDeclaration,
  create: (config, ctx) => new Amqp1Channel(config, ctx),
};

export { amqp1ChannelObjectKind, type Amqp1ChannelConfig } from './kind.js';
export { Amqp1Channel } from './channel.js';
export { RedeliveryTracker, decide, type Decision } from './redelivery.js';
export { Settler } from './settler.js';
