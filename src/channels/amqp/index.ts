/** AMQP 0-9-1 channels: `channels.amqp`. */
export { amqpChannelConnector, AmqpChannel } from './connector.js';
export { amqpChannelKind, type AmqpChannelConfig } from './kind.js';
export { ATTEMPTS_HEADER, decideOnFailure, previousFailures } from './attempts.js';
