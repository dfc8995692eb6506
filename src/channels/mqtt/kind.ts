/** `channels.mqtt`: subscribes to a topic filter on an MQTT broker and invokes a service per message. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { serviceTimeLimitMs } from '../../connectors/mqtt/keepalive.js';
import { topicFilterProblem, topicMatches, topicNameProblem } from '../../connectors/mqtt/topic.js';

export const mqttChannelKind = defineKind({
  id: 'channels.mqtt',
  title: 'MQTT channel',
  cli: ['channel', 'mqtt'],
  fields: {
    definition: z.string().min(1, 'must name an MQTT definition').describe('MQTT definition (broker) by name'),
    topicFilter: z
      .string()
      .superRefine((s, ctx) => {
        const problem = topicFilterProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('Topic filter to subscribe to, with + and # wildcards: sensors/+/temperature, orders/#'),
    qos: z
      .union([z.literal(0), z.literal(1)], { error: 'must be 0 (at most once) or 1 (at least once)' })
      .default(1)
      .describe('Subscription QoS: 1 = at least once (acked after the service succeeded), 0 = at most once'),
    dataFormat: z.enum(['json', 'xml', 'plain']).default('json').describe('How message payloads are parsed'),
    service: z.string().min(1, 'must name a service').describe('Service to invoke for each message'),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(3_600_000)
      .default(20_000)
      .describe(
        'The service must finish within this many ms (a failure after); at most 40 % of the definition keepalive',
      ),
    maxDeliveries: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe(
        'QoS 1: attempts of a message whose service fails before it is given up (dead-lettered or dropped with an error)',
      ),
    retryDelayMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(1_000)
      .describe(
        'QoS 1: delay before the broker is asked to redeliver after a failure; doubles per attempt, at most 60 s',
      ),
    deadLetterTopic: z
      .string()
      .superRefine((s, ctx) => {
        const problem = topicNameProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe(
        'Topic that rejected messages (bad input, or maxDeliveries reached) are published to (QoS 1); default: drop with a logged error',
      ),
  },
  refs: { definition: 'definitions.mqtt' },
  check(obj, ctx) {
    const problems: string[] = [];
    const def = ctx.list('definitions.mqtt').find((d) => d.name === obj.definition);
    const keepalive = typeof def?.['keepalive'] === 'number' ? def['keepalive'] : 0;
    const limit = serviceTimeLimitMs(keepalive);
    if (obj.timeoutMs > limit) {
      problems.push(
        `timeoutMs: must be at most ${limit} ms, 40 % of the keepalive of definition \`${obj.definition}\` (${keepalive} s): messages are handled one at a time, and a longer wait would stall the connection; raise the keepalive for slower services`,
      );
    }
    if (obj.deadLetterTopic !== undefined && topicMatches(obj.topicFilter, obj.deadLetterTopic)) {
      problems.push(
        `deadLetterTopic: ${obj.deadLetterTopic} matches topicFilter ${obj.topicFilter}, so dead letters would come back to this channel`,
      );
    }
    return problems;
  },
});

export type MqttChannelConfig = ReturnType<typeof mqttChannelKind.schema.parse>;

/** MQTT channels: once per cluster (the persistent session has one owner). The code: see `src/kinds.ts` (loaded when the first object starts). */
export const mqttChannelDeclaration: ConnectorDeclaration<MqttChannelConfig> = {
  kind: mqttChannelKind,
  // One session per channel (a fixed client id): two holders would take the session from each other
  // in a loop, so the channel runs in one worker of the cluster, under the manager's lease.
  placement: 'cluster',
};
