/**
 * `definitions.amqp1`: where and how to connect to an AMQP 1.0 broker (RabbitMQ's AMQP 1.0 plugin, IBM MQ,
 * ActiveMQ, Artemis, Azure Service Bus, Qpid). Channels and outgoing connections name one definition and
 * each opens its own connection with it; editing the definition reconnects them live.
 */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';

const pem = (what: string) =>
  z
    .string()
    .trim()
    .refine((s) => s.includes('-----BEGIN '), `must be a PEM ${what} (-----BEGIN ...)`);

export const amqp1DefinitionKind = defineKind({
  id: 'definitions.amqp1',
  title: 'AMQP 1.0 definition',
  cli: ['definition', 'amqp1'],
  fields: {
    host: z.string().trim().min(1, 'must not be empty').describe('Broker host name or IP address'),
    port: z.number().int().min(1).max(65535).default(5672).describe('Broker port (5672; 5671 for AMQPS)'),
    username: z.string().optional().describe('SASL user name (PLAIN); for ANONYMOUS an optional trace name'),
    password: z.string().optional().describe('SASL password (PLAIN); encrypted at rest'),
    saslMechanism: z
      .enum(['PLAIN', 'ANONYMOUS', 'EXTERNAL'])
      .default('PLAIN')
      .describe('SASL mechanism: PLAIN (user + password), ANONYMOUS, or EXTERNAL (TLS client certificate)'),
    tls: z.boolean().default(false).describe('Connect with TLS (AMQPS); the server certificate is always verified'),
    ca: pem('certificate').optional().describe('Extra trusted CA certificate(s), PEM, for a private broker CA'),
    cert: pem('certificate').optional().describe('TLS client certificate, PEM (for SASL EXTERNAL or mutual TLS)'),
    key: pem('private key').optional().describe('TLS client private key, PEM; encrypted at rest'),
    containerId: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe('AMQP container id sent in the open frame (JMS client id); default: a unique id per connection'),
    idleTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(30_000)
      .describe('Idle timeout announced to the broker (heartbeats at half of it); 0 disables heartbeats'),
  },
  secrets: ['password', 'key'],
  check(obj) {
    const problems: string[] = [];
    if (obj.saslMechanism === 'PLAIN') {
      if (!obj.username) problems.push('username: required with saslMechanism PLAIN');
      if (obj.password === undefined) problems.push('password: required with saslMechanism PLAIN');
    }
    if (obj.saslMechanism === 'EXTERNAL') {
      if (!obj.tls) problems.push('tls: SASL EXTERNAL authenticates with the TLS client certificate, set tls: true');
      if (!obj.cert || !obj.key) problems.push('cert: SASL EXTERNAL needs cert and key (the TLS client certificate)');
    }
    if ((obj.cert === undefined) !== (obj.key === undefined)) problems.push('key: cert and key must be given together');
    if ((obj.cert || obj.key || obj.ca) && !obj.tls)
      problems.push('tls: ca, cert and key are only used with tls: true');
    return problems.length ? problems : undefined;
  },
});

export type Amqp1Definition = ReturnType<typeof amqp1DefinitionKind.schema.parse>;
