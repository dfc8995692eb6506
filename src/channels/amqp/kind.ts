/** `channels.amqp`: consume a queue and invoke a service per message (competing consumers in every worker). */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';

export const amqpChannelKind = defineKind({
  id: 'channels.amqp',
  title: 'AMQP channel',
  cli: ['channel', 'amqp'],
  fields: {
    definition: z
      .string()
      .min(1, 'must name an AMQP definition')
      .describe('AMQP definition (broker connection) by name'),
    queue: z
      .string()
      .min(1, 'must not be empty')
      .max(255, 'must be at most 255 characters')
      .describe('Queue to consume (it must exist)'),
    prefetch: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(10)
      .describe('Unacknowledged messages a worker holds at once (also its concurrency)'),
    consumerTagPrefix: z
      .string()
      .max(100)
      .default('wharf')
      .describe('Consumer tags start with this (server, worker and channel name follow)'),
    dataFormat: z.enum(['json', 'xml', 'plain']).default('json').describe('How message bodies are parsed'),
    service: z.string().min(1, 'must name a service').describe('Service to invoke for each message'),
    maxRedeliveries: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(5)
      .describe('Times a message whose service failed (5xx) is retried before it is dead-lettered'),
    deadLetterExchange: z
      .string()
      .max(255)
      .optional()
      .describe(
        "Exchange given messages that are dead-lettered ('' = the default exchange); unset: reject them, so the queue's own DLX (if any) takes them",
      ),
    deadLetterRoutingKey: z
      .string()
      .max(255)
      .optional()
      .describe("Routing key for dead-lettered messages (default: the message's own)"),
    retryDelayMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(1_000)
      .describe(
        'Wait before retrying a failed message, doubled with each failure up to 60 s (0 = at once); the message holds a prefetch slot meanwhile',
      ),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(24 * 3600 * 1000)
      .default(30_000)
      .describe('The service must finish within this many ms (a timeout counts as a failure)'),
    drainTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(120_000)
      .default(5_000)
      .describe('On stop or reconfigure, wait this long for messages in progress; unfinished ones return to the queue'),
  },
  refs: { definition: 'definitions.amqp' },
  check(obj) {
    const problems: string[] = [];
    if (obj.deadLetterExchange === '' && obj.deadLetterRoutingKey === undefined) {
      problems.push(
        "deadLetterRoutingKey: required when deadLetterExchange is '' (the default exchange routes by queue name)",
      );
    }
    if ((obj.deadLetterExchange ?? '') === '' && obj.deadLetterRoutingKey === obj.queue) {
      problems.push('deadLetterRoutingKey: must not be the consumed queue itself (messages would loop)');
    }
    return problems;
  },
});

export type AmqpChannelConfig = ReturnType<typeof amqpChannelKind.schema.parse>;

/** Where dead-lettered messages go: published to an exchange, or rejected (the queue's own DLX). */
export type DeadLetterTarget =
  { kind: 'publish'; exchange: string; routingKey: string | undefined } | { kind: 'reject' };

export function deadLetterTarget(
  c: Pick<AmqpChannelConfig, 'deadLetterExchange' | 'deadLetterRoutingKey'>,
): DeadLetterTarget {
  // The default exchange with the message's own routing key would route it straight back.
  if ((c.deadLetterExchange ?? '') === '' && c.deadLetterRoutingKey === undefined) return { kind: 'reject' };
  return { kind: 'publish', exchange: c.deadLetterExchange ?? '', routingKey: c.deadLetterRoutingKey };
}

/** Fields whose change needs a new consumer (cancel, drain, consume again). */
export function consumerKey(c: Pick<AmqpChannelConfig, 'queue' | 'prefetch' | 'consumerTagPrefix'>): string {
  return JSON.stringify([c.queue, c.prefetch, c.consumerTagPrefix]);
}

/** AMQP 0-9-1 channels: competing consumers in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const amqpChannelDeclaration: ConnectorDeclaration<AmqpChannelConfig> = {
  kind: amqpChannelKind,
  placement: 'worker',
};
