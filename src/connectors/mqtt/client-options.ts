/** Maps a `definitions.mqtt` object to mqtt.js client options (pure, unit-tested). */
import { isIP } from 'node:net';
import type { IClientOptions } from 'mqtt';
import { definitionPort, type MqttDefinition } from './definition.js';

export interface SessionOptions {
  clientId: string;
  /** Persistent session (clean = false) or not; MQTT 5 adds the session expiry interval. */
  persistent: boolean;
  /** Automatic reconnects by mqtt.js; false when the owner reconnects itself. */
  autoReconnect?: boolean;
}

export function toClientOptions(def: MqttDefinition, session: SessionOptions): IClientOptions {
  const opts: IClientOptions = {
    protocol: def.tls ? 'mqtts' : 'mqtt',
    host: def.host,
    port: definitionPort(def),
    clientId: session.clientId,
    protocolVersion: def.protocolVersion,
    clean: !session.persistent,
    keepalive: def.keepalive,
    connectTimeout: def.connectTimeoutMs,
    reconnectPeriod: session.autoReconnect === false ? 0 : def.reconnectMs,
    // Keep trying after a refused CONNACK (bad credentials, ACL): the broker side may be fixed.
    reconnectOnConnackError: session.autoReconnect !== false,
    // Subscriptions are (re)made by the channel itself, knowing whether the broker kept the session.
    resubscribe: false,
    // A QoS 0 publish while offline fails instead of waiting in memory for an unknown time.
    queueQoSZero: false,
    manualConnect: true,
  };
  if (def.username !== undefined) opts.username = def.username;
  if (def.password !== undefined) opts.password = def.password;
  if (def.protocolVersion === 5 && session.persistent)
    opts.properties = { sessionExpiryInterval: def.sessionExpirySeconds };
  if (def.tls) {
    opts.rejectUnauthorized = true;
    if (def.ca !== undefined) opts.ca = def.ca;
    if (!isIP(def.host)) opts.servername = def.host;
  }
  return opts;
}
