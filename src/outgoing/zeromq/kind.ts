/** `outgoing.zeromq`: sends to a ZeroMQ PUSH or PUB socket from services (`this.outgoing.zeromq(name).send(...)`). */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { addressField, addressProblem } from '../../connectors/zeromq/address.js';

export const zeromqOutgoingKind = defineKind({
  id: 'outgoing.zeromq',
  title: 'ZeroMQ outgoing connection',
  cli: ['outgoing', 'zeromq'],
  fields: {
    address: addressField,
    socketType: z
      .enum(['PUSH', 'PUB'])
      .default('PUSH')
      .describe('PUSH: each message to one PULL peer (round robin); PUB: to every SUB peer whose prefix matches'),
    bind: z
      .boolean()
      .default(false)
      .describe('true: bind the address (only one worker of a server can); false: connect to it'),
    topic: z.string().optional().describe('PUB: topic frame sent first when a send names none'),
    sendTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(5_000)
      .describe('How long a send may wait to be queued (PUSH with no peer or a full queue) before it fails'),
    sendHighWaterMark: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .default(1_000)
      .describe('Messages queued per peer before PUSH blocks or PUB drops (0 = no limit)'),
    lingerMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(2_000)
      .describe('On stop or reconfiguration, how long queued messages may still be delivered'),
  },
  check(obj) {
    const problems: string[] = [];
    const a = addressProblem(obj.address, obj.bind);
    if (a) problems.push(`address: ${a}`);
    if (obj.topic !== undefined && obj.socketType !== 'PUB')
      problems.push('topic: only PUB sockets send a topic frame');
    return problems;
  },
});

export type ZeromqOutgoingConfig = ReturnType<typeof zeromqOutgoingKind.schema.parse>;

/** `this.outgoing.zeromq(name)`, in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const zeromqOutgoingDeclaration: ConnectorDeclaration<ZeromqOutgoingConfig> = {
  kind: zeromqOutgoingKind,
  placement: 'worker',
  accessor: { group: 'outgoing', name: 'zeromq' },
};
