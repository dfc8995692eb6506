/** `outgoing.mqtt`: publishes to an MQTT broker from services (`this.outgoing.mqtt(name).publish(...)`). */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { topicNameProblem } from '../../connectors/mqtt/topic.js';

export const mqttOutgoingKind = defineKind({
  id: 'outgoing.mqtt',
  title: 'MQTT outgoing connection',
  cli: ['outgoing', 'mqtt'],
  fields: {
    definition: z.string().min(1, 'must name an MQTT definition').describe('MQTT definition (broker) by name'),
    topic: z
      .string()
      .superRefine((s, ctx) => {
        const problem = topicNameProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe('Topic published to when a publish names none'),
    qos: z
      .union([z.literal(0), z.literal(1)], { error: 'must be 0 (at most once) or 1 (at least once)' })
      .default(1)
      .describe("Default QoS: 1 = publish resolves on the broker's PUBACK, 0 = once written to the socket"),
    retain: z
      .boolean()
      .default(false)
      .describe('Default retain flag: the broker keeps the last message of a topic for new subscribers'),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(600_000)
      .default(10_000)
      .describe('A publish fails after this many ms without a connection or a PUBACK (it is never silently dropped)'),
  },
  refs: { definition: 'definitions.mqtt' },
});

export type MqttOutgoingConfig = ReturnType<typeof mqttOutgoingKind.schema.parse>;

/** `this.outgoing.mqtt(name)`, in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const mqttOutgoingDeclaration: ConnectorDeclaration<MqttOutgoingConfig> = {
  kind: mqttOutgoingKind,
  placement: 'worker',
  accessor: { group: 'outgoing', name: 'mqtt' },
};
