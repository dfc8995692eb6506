/** Looks up the `definitions.mqtt` object an MQTT channel or outgoing connection names. */
import { describeIssues } from '../../config/kind.js';
import type { ConnectorContext } from '../types.js';
import { mqttDefinitionKind, type MqttDefinition } from './definition.js';

/** The definition, or why there is none usable (missing, inactive, invalid). */
export type ResolvedMqttDefinition = { def: MqttDefinition; problem: undefined } | { def: undefined; problem: string };

export function resolveMqttDefinition(ctx: Pick<ConnectorContext, 'resolve'>, name: string): ResolvedMqttDefinition {
  const raw = ctx.resolve('definitions.mqtt', name);
  if (!raw) return { def: undefined, problem: `MQTT definition \`${name}\` does not exist` };
  if (!raw.active) return { def: undefined, problem: `MQTT definition \`${name}\` is not active` };
  const parsed = mqttDefinitionKind.schema.safeParse(raw);
  if (parsed.success) return { def: parsed.data, problem: undefined };
  return {
    def: undefined,
    problem: `MQTT definition \`${name}\` is invalid: ${describeIssues(parsed.error).join('; ')}`,
  };
}
