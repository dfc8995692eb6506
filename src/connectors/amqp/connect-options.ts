/** Maps a `definitions.amqp` object to amqplib's connect arguments (pure, unit-tested). */
import { isIP } from 'node:net';
import type { Options, SocketOptions } from 'amqplib';
import { definitionPort, type AmqpDefinition } from './definition.js';

export interface AmqpConnectArgs {
  url: Options.Connect;
  socket: SocketOptions;
}

/**
 * @param clientLabel what this connection is for (`channel orders`), shown in the broker's
 *   connection list after the definition's `connectionName`.
 */
export function toConnectArgs(def: AmqpDefinition, clientLabel: string): AmqpConnectArgs {
  const url: Options.Connect = {
    protocol: def.tls ? 'amqps' : 'amqp',
    hostname: def.host,
    port: definitionPort(def),
    vhost: def.vhost,
    username: def.username,
    password: def.password,
    heartbeat: def.heartbeat,
    locale: 'en_US',
  };
  if (def.frameMax !== undefined) url.frameMax = def.frameMax;
  const base = def.connectionName ?? 'wharf';
  const socket: SocketOptions = {
    timeout: def.connectTimeoutMs,
    noDelay: true,
    keepAlive: true,
    clientProperties: { connection_name: clientLabel ? `${base} (${clientLabel})` : base },
  };
  if (def.tls) {
    if (def.ca !== undefined) socket.ca = [def.ca];
    if (!isIP(def.host)) socket.servername = def.host;
  }
  return { url, socket };
}
