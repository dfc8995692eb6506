/** `outgoing.amqp1`: sends to a queue or topic over AMQP 1.0; `send` resolves once the broker accepted. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { addressProblem } from '../../connectors/amqp1/address.js';

export const amqp1OutgoingObjectKind = defineKind({
  id: 'outgoing.amqp1',
  title: 'AMQP 1.0 outgoing connection',
  cli: ['outgoing', 'amqp1'],
  fields: {
    definition: z
      .string()
      .trim()
      .min(1, 'must name a definitions.amqp1 object')
      .describe('The AMQP 1.0 definition (broker) to send through'),
    address: z
      .string()
      .superRefine((a, c) => {
        const p = addressProblem(a);
        if (p) c.addIssue({ code: 'custom', message: p });
      })
      .describe(
        'Target address: /amq/queue/Q (existing RabbitMQ queue, checked on connect), /queue/Q (declared), /topic/K, /exchange/X/K, or a broker queue/topic name',
      ),
    durable: z
      .boolean()
      .default(true)
      .describe('Persistent messages (JMSDeliveryMode PERSISTENT) unless a send says otherwise'),
    priority: z
      .number()
      .int()
      .min(0)
      .max(255)
      .optional()
      .describe('Default message priority (JMS 0-9); RabbitMQ needs x-max-priority on the queue'),
    ttlMs: z
      .number()
      .int()
      .min(1)
      .max(0xffffffff)
      .optional()
      .describe('Default time to live in ms (JMSExpiration); none by default'),
    subject: z
      .string()
      .min(1)
      .optional()
      .describe('Default subject (JMSType); the routing key for /exchange/X addresses'),
    applicationProperties: z
      .record(
        z.string().min(1),
        z.union([z.string(), z.number().refine(Number.isFinite, 'must be finite'), z.boolean(), z.null()]),
      )
      .optional()
      .describe('Application properties (JMS message properties) added to every message'),
    sendTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(10_000)
      .describe('How long a send may wait for the broker to accept (incl. reconnecting)'),
  },
  refs: { definition: 'definitions.amqp1' },
});

export type Amqp1OutgoingConfig = ReturnType<typeof amqp1OutgoingObjectKind.schema.parse>;

/** `this.outgoing.amqp1(name)`, in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const amqp1OutgoingDeclaration: ConnectorDeclaration<Amqp1OutgoingConfig> = {
  kind: amqp1OutgoingObjectKind,
  placement: 'worker',
  accessor: { group: 'outgoing', name: 'amqp1' },
};
