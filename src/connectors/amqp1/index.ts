/** AMQP 1.0 building blocks shared by `channels.amqp1` and `outgoing.amqp1`. */
export { amqp1DefinitionKind, type Amqp1Definition } from './definition.js';
export { Amqp1Connection, type Amqp1ConnectionOptions, type AttachedLink, type ConnectionState } from './connection.js';
export { parseAddress, terminus, addressProblem, type ParsedAddress, type AddressForm } from './address.js';
export { connectionOptions, resolveDefinition, definitionKey, plainResponse } from './options.js';
export { describeAmqpError, conditionOf } from './errors.js';
export {
  buildMessage,
  encodeBody,
  rawBody,
  messageHeaders,
  redeliveryKey,
  idText,
  type Amqp1SendOptions,
  type Amqp1Body,
  type MessageDefaults,
} from './message.js';
