/** MQTT channels: `channels.mqtt`, once per cluster (its persistent session has one owner). */
import type { ConnectorKind } from '../../connectors/types.js';
import { MqttChannel } from './channel.js';
import { mqttChannelKind, type MqttChannelConfig } from './kind.js';

export const mqttChannelConnector: ConnectorKind<MqttChannelConfig> = {
  kind: mqttChannelKind,
  // One session per channel (a fixed client id): two holders would take the session from each other
  // in a loop, so the channel runs in one worker of the cluster, under the manager's lease.
  placement: 'cluster',
  create: (config, ctx) => new MqttChannel(config, ctx),
};

export { mqttChannelKind, type MqttChannelConfig } from './kind.js';
export { MqttChannel } from './channel.js';
