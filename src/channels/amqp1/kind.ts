/** `channels.amqp1`: consumes a queue or topic over AMQP 1.0 and runs a service per message. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { addressProblem } from '../../connectors/amqp1/address.js';

export const amqp1ChannelObjectKind = defineKind({
  id: 'channels.amqp1',
  title: 'AMQP 1.0 channel',
  cli: ['channel', 'amqp1'],
  fields: {
    definition: z
      .string()
      .trim()
      .min(1, 'must name a definitions.amqp1 object')
      .describe('The AMQP 1.0 definition (broker) to consume from'),
    address: z
      .string()
      .superRefine((a, c) => {
        const p = addressProblem(a);
        if (p) c.addIssue({ code: 'custom', message: p });
      })
      .describe(
        'Source address: /amq/queue/Q (existing RabbitMQ queue), /queue/Q (declared), /topic/K, /exchange/X/K, or a broker queue name',
      ),
    credit: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe('Link credit = prefetch: the most unsettled messages in flight per worker (1 keeps strict order)'),
    dataFormat: z
      .enum(['json', 'xml', 'plain'])
      .default('json')
      .describe('How message bodies are parsed for the service'),
    service: z.string().trim().min(1, 'must name a service').describe('Service invoked for each message'),
    maxRedeliveries: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .default(5)
      .describe('Redeliveries after a service failure (5xx) before the message is rejected (dead-lettered)'),
    redeliveryDelayMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(500)
      .describe('Wait before releasing a failed message for redelivery (RabbitMQ redelivers at once)'),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(3_600_000)
      .optional()
      .describe('Give up on a service call after this long (counts as a failure); default none'),
  },
  refs: { definition: 'definitions.amqp1' },
});

export type Amqp1ChannelConfig = ReturnType<typeof amqp1ChannelObjectKind.schema.parse>;

/** AMQP 1.0 channels: consumers in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const amqp1ChannelDeclaration: ConnectorDeclaration<Amqp1ChannelConfig> = {
  kind: amqp1ChannelObjectKind,
  placement: 'worker',
};
