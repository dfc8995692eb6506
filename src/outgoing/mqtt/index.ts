/** MQTT outgoing connections: `outgoing.mqtt`, in every worker; services call `this.outgoing.mqtt(name)`. */
import type { ConnectorKind } from '../../connectors/types.js';
import { mqttOutgoingDeclaration, type MqttOutgoingConfig } from './kind.js';
import { MqttOutgoingConnector, type MqttOutgoing } from './outgoing.js';

declare module '../../service/registries.js' {
  interface OutgoingConnections {
    mqtt(name: string): MqttOutgoing;
  }
}

export const mqttOutgoingConnector: ConnectorKind<MqttOutgoingConfig> = {
  ...mqttOutgoingDeclaration,
  create: (config, ctx) => new MqttOutgoingConnector(config, ctx),
};

export { mqttOutgoingKind, type MqttOutgoingConfig } from './kind.js';
export { MqttOutgoingConnector, type MqttOutgoing, type MqttPublishOptions } from './outgoing.js';
export { encodePayload, type MqttPayload } from './payload.js';
