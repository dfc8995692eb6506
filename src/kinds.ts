/**
 * Every built-in object kind, registered in dependency order (what others reference comes first):
 * this order is also the order of enmasse files and imports. The core never imports a kind directly.
 */
import { userConfigKind } from './config/user-config.js';
import { registerKind } from './config/registry.js';
import type { ObjectKind } from './config/kind.js';
import { registerConnector } from './connectors/registry.js';
import { httpChannelConnector } from './channels/http/channel.js';
import { SECURITY_KINDS } from './security/kinds.js';
import { schedulerJobConnector } from './channels/scheduler/index.js';
import { loadBalancerKind } from './cluster/lb/kind.js';
import { outgoingHttp } from './outgoing/http/index.js';
import { outgoingSoap } from './outgoing/soap/index.js';
import { amqpDefinitionKind } from './connectors/amqp/index.js';
import { amqpChannelConnector } from './channels/amqp/index.js';
import { amqpOutgoingConnector } from './outgoing/amqp/index.js';
import { mqttDefinitionKind } from './connectors/mqtt/index.js';
import { mqttChannelConnector } from './channels/mqtt/index.js';
import { mqttOutgoingConnector } from './outgoing/mqtt/index.js';
import { zeromqChannelConnector } from './channels/zeromq/index.js';
import { zeromqOutgoingConnector } from './outgoing/zeromq/index.js';
import { amqp1DefinitionKind } from './connectors/amqp1/definition.js';
import { amqp1ChannelKind } from './channels/amqp1/index.js';
import { amqp1OutgoingKind } from './outgoing/amqp1/index.js';
import { swiftConnectionConnector } from './outgoing/swift/index.js';
import { swiftNotifierConnector } from './channels/swift-notifier/index.js';

let done = false;

export function registerBuiltinKinds(): void {
  if (done) return;
  done = true;
  for (const k of SECURITY_KINDS) registerKind(k as unknown as ObjectKind);
  registerKind(userConfigKind);
  registerKind(loadBalancerKind as unknown as ObjectKind);
  registerConnector(outgoingHttp);
  registerConnector(outgoingSoap);
  registerKind(amqpDefinitionKind);
  registerConnector(amqpChannelConnector);
  registerConnector(amqpOutgoingConnector);
  registerKind(mqttDefinitionKind);
  registerConnector(mqttChannelConnector);
  registerConnector(mqttOutgoingConnector);
  registerConnector(zeromqChannelConnector);
  registerConnector(zeromqOutgoingConnector);
  registerKind(amqp1DefinitionKind);
  registerConnector(amqp1OutgoingKind);
  registerConnector(amqp1ChannelKind);
  registerConnector(swiftConnectionConnector);
  registerConnector(swiftNotifierConnector);
  registerConnector(httpChannelConnector);
  registerConnector(schedulerJobConnector);
}
