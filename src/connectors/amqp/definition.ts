/**
 * `definitions.amqp`: how to reach an AMQP 0-9-1 broker. It has no connector of its own; AMQP
 * channels and outgoing connections name it in their `definition` field and resolve it at run time
 * (edits of a definition reconfigure every dependent live).
 */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';

export const amqpDefinitionKind = defineKind({
  id: 'definitions.amqp',
  title: 'AMQP definition',
  cli: ['definition', 'amqp'],
  fields: {
    host: z.string().trim().min(1, 'must not be empty').describe('Broker host name or IP address'),
    port: z.number().int().min(1).max(65535).optional().describe('Broker port; default 5672, or 5671 with tls'),
    vhost: z.string().min(1, 'must not be empty (the default vhost is /)').default('/').describe('Virtual host'),
    username: z.string().min(1, 'must not be empty').describe('User name'),
    password: z.string().default('').describe('Password (encrypted at rest)'),
    heartbeat: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(30)
      .describe('Heartbeat interval in seconds (0 disables heartbeats)'),
    frameMax: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .refine((n) => n === 0 || n >= 4096, 'must be 0 (no limit) or at least 4096 bytes')
      .optional()
      .describe('Largest frame in bytes the client proposes (0 = no limit; default 131072)'),
    tls: z.boolean().default(false).describe('Connect with TLS (amqps)'),
    ca: z
      .string()
      .refine(
        (s) => s.includes('-----BEGIN CERTIFICATE-----'),
        'must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)',
      )
      .optional()
      .describe('PEM CA certificate(s) to verify the broker with (tls only); default: the system CAs'),
    connectionName: z
      .string()
      .max(200)
      .optional()
      .describe('Name shown for the connection in the RabbitMQ management UI'),
    connectTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(300_000)
      .default(10_000)
      .describe('Give up a connection attempt after this many ms'),
    reconnectDelayMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(500)
      .describe('First delay before reconnecting after a lost connection'),
    reconnectMaxDelayMs: z
      .number()
      .int()
      .min(10)
      .max(600_000)
      .default(30_000)
      .describe('Longest delay between reconnect attempts (exponential backoff)'),
  },
  secrets: ['password'],
  check(obj) {
    const problems: string[] = [];
    if (obj.ca !== undefined && !obj.tls) problems.push('ca: only used with tls: true');
    if (obj.reconnectMaxDelayMs < obj.reconnectDelayMs)
      problems.push('reconnectMaxDelayMs: must not be smaller than reconnectDelayMs');
    return problems;
  },
});

export type AmqpDefinition = ReturnType<typeof amqpDefinitionKind.schema.parse>;

/** The effective port: the configured one, else the protocol's default. */
export function definitionPort(def: Pick<AmqpDefinition, 'port' | 'tls'>): number {
  return def.port ?? (def.tls ? 5671 : 5672);
}

/** `amqp://user@host:port/vhost` — for logs and error messages (never the password). */
export function describeDefinition(def: AmqpDefinition): string {
  const vhost = def.vhost === '/' ? '' : encodeURIComponent(def.vhost);
  return `${def.tls ? 'amqps' : 'amqp'}://${def.username}@${def.host}:${definitionPort(def)}/${vhost}`;
}

/** A key that changes whenever anything about the connection itself changes. */
export function definitionKey(def: AmqpDefinition): string {
  const { name: _name, ...rest } = def;
  return JSON.stringify(
    Object.keys(rest)
      .sort()
      .map((k) => [k, (rest as Record<string, unknown>)[k]]),
  );
}
