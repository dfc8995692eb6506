/** AMQP 0-9-1 shared pieces: the `definitions.amqp` kind and connection management for channels and outgoing. */
export {
  amqpDefinitionKind,
  definitionKey,
  definitionPort,
  describeDefinition,
  type AmqpDefinition,
} from './definition.js';
export { AmqpConnection, type AmqpConnectionState } from './connection.js';
export { Publisher, PublishError, PUBLISH_ID_HEADER, type PublishFailure } from './publisher.js';
export { resolveDefinition } from './resolve.js';
export { toConnectArgs, type AmqpConnectArgs } from './connect-options.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
