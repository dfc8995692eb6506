/** Looks up a channel's or outgoing connection's `definitions.amqp` object, with clear errors (callers check `active`). */
import { describeIssues } from '../../config/kind.js';
import { WharfError } from '../../errors.js';
import type { ConnectorContext } from '../types.js';
import { amqpDefinitionKind, type AmqpDefinition } from './definition.js';

export function resolveDefinition(ctx: Pick<ConnectorContext, 'resolve'>, name: string, user: string): AmqpDefinition {
  const raw = ctx.resolve(amqpDefinitionKind.id, name);
  if (!raw)
    throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`${user}: AMQP definition \`${name}\` does not exist`], {
      details: { field: 'definition' },
    });
  const parsed = amqpDefinitionKind.schema.safeParse(raw);
  if (!parsed.success) {
    throw new WharfError('WHARF_ERR_CONFIG_INVALID', [
      `${user}: AMQP definition \`${name}\` is invalid: ${describeIssues(parsed.error).join('; ')}`,
    ]);
  }
  return parsed.data;
}
