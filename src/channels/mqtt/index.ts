/** MQTT channels: `channels.mqtt`, once per cluster (its persistent session has one owner). */
import type { ConnectorKind } from '../../connectors/types.js';
import { MqttChannel } from './channel.js';
import { mqttChannelDeclaration, type MqttChannelConfig } from './kind.js';

export const mqttChannelConnector: ConnectorKind<MqttChannelConfig> = {
  ...mqttChannelDeclaration,
  create: (config, ctx) => new MqttChannel(config, ctx),
};

export { mqttChannelKind, type MqttChannelConfig } from './kind.js';
export { MqttChannel } from './channel.js';
