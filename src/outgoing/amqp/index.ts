/** AMQP 0-9-1 outgoing connections: `outgoing.amqp`, reached by services as `this.outgoing.amqp(name)`. */
import type { AmqpOutgoing } from './connector.js';

export { amqpOutgoingConnector, AmqpOutgoingConnector, type AmqpOutgoing } from './connector.js';
export { amqpOutgoingKind, type AmqpOutgoingConfig } from './kind.js';
export type { AmqpMessage, AmqpSendOptions } from './encode.js';

declare module '../../service/registries.js' {
  interface OutgoingConnections {
    amqp(name: string): AmqpOutgoing;
  }
}
