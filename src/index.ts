/**
 * Wharf's public API: what a service module imports from 'wharf-esb' (the legacy 'wharf' still resolves inside deployed services).
 */
export {
  service,
  Service,
  type AnyServiceClass,
  type ChannelInfo,
  type DataFormat,
  type Headers,
  type InputOf,
  type InvokeInputOf,
  type LockOptions,
  type ServiceLock,
  type OutputOf,
  type ServiceDeclaration,
  type ServiceLogger,
  type ServiceRequest,
  type ServiceResponse,
  type UserConfig,
} from './service/service.js';
export {
  bool,
  date,
  datetime,
  decimal,
  float,
  int,
  list,
  listOf,
  object,
  opaque,
  text,
  uuid,
  Element,
  type Infer,
  type InferOutput,
  type Json,
  type Shape,
} from './service/simpleio/elements.js';
export {
  BadRequest,
  Conflict,
  Forbidden,
  MethodNotAllowed,
  NotFound,
  TooManyRequests,
  Unauthorized,
  WharfError,
  errorRegistry,
  type ErrorCode,
} from './errors.js';
export type { CloudConnections, OutgoingConnections } from './service/registries.js';
export { xpath, jsonPointer, type XPathMatcher, type JsonPointer, type Namespaces } from './service/routing/index.js';
// The error classes come from small files of their own: the entry loads no connector code and no driver
// (src/index-graph.test.ts checks it); the types below are erased.
export { HttpStatusError } from './outgoing/http/errors.js';
export type {
  HttpOutgoing,
  HttpCallOptions,
  HttpRequestOptions,
  HttpResult,
  PassThroughRequest,
  PassThroughResult,
} from './outgoing/http/index.js';
export { SoapFaultError } from './outgoing/soap/errors.js';
export type { SoapOutgoing, SoapCallOptions, SoapResult, SoapBody } from './outgoing/soap/index.js';
export type { AmqpOutgoing, AmqpSendOptions, AmqpMessage } from './outgoing/amqp/index.js';
export type { MqttOutgoing, MqttPublishOptions, MqttPayload } from './outgoing/mqtt/index.js';
export type { PublishProperties as MqttPublishProperties } from './connectors/mqtt/publisher.js';
export type { ZeromqOutgoing, ZeromqSendOptions, ZeromqMessage } from './outgoing/zeromq/index.js';
export type { SwiftConnection, PooledSwiftClient, SwiftPoolStats } from './outgoing/swift/index.js';
export type { SwiftNotification } from './channels/swift-notifier/index.js';
export { SwiftError } from './connectors/swift/errors.js';
export type { Amqp1Outgoing, Amqp1SendOptions } from './outgoing/amqp1/index.js';
