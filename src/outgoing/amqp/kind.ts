/** `outgoing.amqp`: publish messages to an exchange, used by services as `this.outgoing.amqp(name)`. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';

export const amqpOutgoingKind = defineKind({
  id: 'outgoing.amqp',
  title: 'AMQP outgoing connection',
  cli: ['outgoing', 'amqp'],
  fields: {
    definition: z
      .string()
      .min(1, 'must name an AMQP definition')
      .describe('AMQP definition (broker connection) by name'),
    exchange: z
      .string()
      .max(255)
      .default('')
      .describe("Exchange to publish to ('' = the default exchange, which routes by queue name)"),
    routingKey: z.string().max(255).default('').describe('Routing key used when send() is given none'),
    deliveryMode: z
      .union([z.literal(1), z.literal(2)], { error: 'must be 1 (transient) or 2 (persistent)' })
      .default(2)
      .describe('1 = transient, 2 = persistent (survives a broker restart on a durable queue)'),
    priority: z
      .number()
      .int()
      .min(0)
      .max(255)
      .optional()
      .describe('Message priority (0-255; queues honour it up to their x-max-priority)'),
    contentType: z
      .string()
      .max(255)
      .optional()
      .describe('Content type (default: by message: application/json, text/plain or application/octet-stream)'),
    contentEncoding: z.string().max(255).optional().describe('Content encoding, e.g. gzip'),
    expiration: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional()
      .describe('Per-message TTL in ms'),
    appId: z.string().max(255).optional().describe('Application id property'),
    userId: z
      .string()
      .max(255)
      .optional()
      .describe("User id property; RabbitMQ requires it to equal the definition's username"),
    publisherConfirms: z
      .boolean()
      .default(true)
      .describe('Wait for the broker to confirm each message (send resolves on the confirm)'),
    mandatory: z
      .boolean()
      .default(true)
      .describe(
        'Fail a send that no queue receives (unroutable) instead of letting the broker drop it (needs publisherConfirms)',
      ),
    sendTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(600_000)
      .default(10_000)
      .describe('How long send() waits for a (re)connection and the confirm before failing'),
  },
  refs: { definition: 'definitions.amqp' },
  check(obj, ctx) {
    const problems: string[] = [];
    if (obj.userId !== undefined) {
      const def = ctx.list('definitions.amqp').find((d) => d.name === obj.definition);
      if (def && typeof def['username'] === 'string' && def['username'] !== obj.userId) {
        problems.push(
          `userId: RabbitMQ rejects messages whose user id is not the connection's user (\`${def['username']}\`)`,
        );
      }
    }
    return problems;
  },
});

export type AmqpOutgoingConfig = ReturnType<typeof amqpOutgoingKind.schema.parse>;

/** `this.outgoing.amqp(name)`, in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const amqpOutgoingDeclaration: ConnectorDeclaration<AmqpOutgoingConfig> = {
  kind: amqpOutgoingKind,
  placement: 'worker',
  accessor: { group: 'outgoing', name: 'amqp' },
};
