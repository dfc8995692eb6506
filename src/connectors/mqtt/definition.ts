/**
 * `definitions.mqtt`: how to reach an MQTT broker. It has no connector of its own; MQTT channels and
 * outgoing connections name it in their `definition` field and resolve it at run time (an edit of a
 * definition reconnects every dependent live).
 */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';

export const mqttDefinitionKind = defineKind({
  id: 'definitions.mqtt',
  title: 'MQTT definition',
  cli: ['definition', 'mqtt'],
  fields: {
    host: z.string().trim().min(1, 'must not be empty').describe('Broker host name or IP address'),
    port: z.number().int().min(1).max(65535).optional().describe('Broker port; default 1883, or 8883 with tls'),
    username: z.string().min(1, 'must not be empty').optional().describe('User name (omit for anonymous access)'),
    password: z.string().optional().describe('Password (encrypted at rest)'),
    clientIdPrefix: z
      .string()
      .max(100)
      .regex(/^[A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : -')
      .default('wharf-')
      .describe(
        'Prefix of every client id Wharf uses with this broker; give each Wharf cluster sharing a broker its own',
      ),
    keepalive: z.number().int().min(0).max(65535).default(60).describe('Keepalive interval in seconds (0 disables it)'),
    tls: z.boolean().default(false).describe('Connect with TLS (mqtts)'),
    ca: z
      .string()
      .refine(
        (s) => s.includes('-----BEGIN CERTIFICATE-----'),
        'must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)',
      )
      .optional()
      .describe('PEM CA certificate(s) to verify the broker with (tls only); default: the system CAs'),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)], { error: 'must be 4 (MQTT 3.1.1) or 5 (MQTT 5)' })
      .default(5)
      .describe('MQTT protocol: 4 = 3.1.1, 5 = MQTT 5 (message properties reach services)'),
    cleanSession: z
      .boolean()
      .default(false)
      .describe('false: channels keep a persistent session, so QoS 1 messages sent while they are away wait for them'),
    sessionExpirySeconds: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(7 * 24 * 3600)
      .describe(
        'MQTT 5: how long the broker keeps a channel session (and its queued messages) while the channel is away',
      ),
    connectTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(300_000)
      .default(10_000)
      .describe('Give up a connection attempt after this many ms'),
    reconnectMs: z.number().int().min(10).max(600_000).default(1_000).describe('Delay between reconnect attempts'),
  },
  secrets: ['password'],
  check(obj) {
    const problems: string[] = [];
    if (obj.ca !== undefined && !obj.tls) problems.push('ca: only used with tls: true');
    if (obj.password !== undefined && obj.username === undefined) problems.push('password: needs a username');
    return problems;
  },
});

export type MqttDefinition = ReturnType<typeof mqttDefinitionKind.schema.parse>;

/** The effective port: the configured one, else the protocol's default. */
export function definitionPort(def: Pick<MqttDefinition, 'port' | 'tls'>): number {
  return def.port ?? (def.tls ? 8883 : 1883);
}

/** `mqtt://user@host:port` — for logs and error messages (never the password). */
export function describeDefinition(def: MqttDefinition): string {
  const user = def.username === undefined ? '' : `${encodeURIComponent(def.username)}@`;
  return `${def.tls ? 'mqtts' : 'mqtt'}://${user}${def.host}:${definitionPort(def)}`;
}

/** A key that changes whenever anything about the connection itself changes. */
export function definitionKey(def: MqttDefinition): string {
  const { name: _name, active: _active, ...rest } = def;
  return JSON.stringify(
    Object.keys(rest)
      .sort()
      .map((k) => [k, (rest as Record<string, unknown>)[k]]),
  );
}
