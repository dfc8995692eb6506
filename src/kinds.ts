/**
 * Every built-in object kind, registered in dependency order (what others reference comes first):
 * this order is also the order of enmasse files and imports. The core never imports a kind directly.
 *
 * Only declarations are imported here (schemas, fields, refs, checks: each kind's `kind.ts`), so the
 * CLI, the admin API and enmasse load no connector code and no driver (amqplib, zeromq, rhea, mqtt,
 * undici...). Each connector kind comes with a loader that a server's connector manager calls when
 * the first active object of that kind starts (`loadConnector` in `connectors/registry.ts`).
 */
import { userConfigKind } from './config/user-config.js';
import { registerKind } from './config/registry.js';
import type { ObjectKind } from './config/kind.js';
import { registerConnectorKind } from './connectors/registry.js';
import { SECURITY_KINDS } from './security/kinds.js';
import { loadBalancerKind } from './cluster/lb/kind.js';
import { amqpDefinitionKind } from './connectors/amqp/definition.js';
import { mqttDefinitionKind } from './connectors/mqtt/definition.js';
import { amqp1DefinitionKind } from './connectors/amqp1/definition.js';
import { httpChannelDeclaration } from './channels/http/kind.js';
import { schedulerJobDeclaration } from './channels/scheduler/kind.js';
import { amqpChannelDeclaration } from './channels/amqp/kind.js';
import { mqttChannelDeclaration } from './channels/mqtt/kind.js';
import { zeromqChannelDeclaration } from './channels/zeromq/kind.js';
import { amqp1ChannelDeclaration } from './channels/amqp1/kind.js';
import { swiftNotifierDeclaration } from './channels/swift-notifier/kind.js';
import { outgoingHttpDeclaration } from './outgoing/http/kind.js';
import { outgoingSoapDeclaration } from './outgoing/soap/kind.js';
import { amqpOutgoingDeclaration } from './outgoing/amqp/kind.js';
import { mqttOutgoingDeclaration } from './outgoing/mqtt/kind.js';
import { zeromqOutgoingDeclaration } from './outgoing/zeromq/kind.js';
import { amqp1OutgoingDeclaration } from './outgoing/amqp1/kind.js';
import { swiftConnectionDeclaration } from './outgoing/swift/kind.js';

let done = false;

export function registerBuiltinKinds(): void {
  if (done) return;
  done = true;
  for (const k of SECURITY_KINDS) registerKind(k as unknown as ObjectKind);
  registerKind(userConfigKind);
  registerKind(loadBalancerKind as unknown as ObjectKind);
  registerConnectorKind(outgoingHttpDeclaration, () => import('./outgoing/http/index.js').then((m) => m.outgoingHttp));
  registerConnectorKind(outgoingSoapDeclaration, () => import('./outgoing/soap/index.js').then((m) => m.outgoingSoap));
  registerKind(amqpDefinitionKind);
  registerConnectorKind(amqpChannelDeclaration, () =>
    import('./channels/amqp/connector.js').then((m) => m.amqpChannelConnector),
  );
  registerConnectorKind(amqpOutgoingDeclaration, () =>
    import('./outgoing/amqp/connector.js').then((m) => m.amqpOutgoingConnector),
  );
  registerKind(mqttDefinitionKind);
  registerConnectorKind(mqttChannelDeclaration, () =>
    import('./channels/mqtt/index.js').then((m) => m.mqttChannelConnector),
  );
  registerConnectorKind(mqttOutgoingDeclaration, () =>
    import('./outgoing/mqtt/index.js').then((m) => m.mqttOutgoingConnector),
  );
  registerConnectorKind(zeromqChannelDeclaration, () =>
    import('./channels/zeromq/index.js').then((m) => m.zeromqChannelConnector),
  );
  registerConnectorKind(zeromqOutgoingDeclaration, () =>
    import('./outgoing/zeromq/index.js').then((m) => m.zeromqOutgoingConnector),
  );
  registerKind(amqp1DefinitionKind);
  registerConnectorKind(amqp1OutgoingDeclaration, () =>
    import('./outgoing/amqp1/index.js').then((m) => m.amqp1OutgoingKind),
  );
  registerConnectorKind(amqp1ChannelDeclaration, () =>
    import('./channels/amqp1/index.js').then((m) => m.amqp1ChannelKind),
  );
  registerConnectorKind(swiftConnectionDeclaration, () =>
    import('./outgoing/swift/index.js').then((m) => m.swiftConnectionConnector),
  );
  registerConnectorKind(swiftNotifierDeclaration, () =>
    import('./channels/swift-notifier/index.js').then((m) => m.swiftNotifierConnector),
  );
  registerConnectorKind(httpChannelDeclaration, () =>
    import('./channels/http/channel.js').then((m) => m.httpChannelConnector),
  );
  registerConnectorKind(schedulerJobDeclaration, () =>
    import('./channels/scheduler/index.js').then((m) => m.schedulerJobConnector),
  );
}
