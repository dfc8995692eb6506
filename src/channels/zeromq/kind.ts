/** `channels.zeromq`: receives on a ZeroMQ PULL or SUB socket and invokes a service per message. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { addressField, addressProblem } from '../../connectors/zeromq/address.js';

export const zeromqChannelKind = defineKind({
  id: 'channels.zeromq',
  title: 'ZeroMQ channel',
  cli: ['channel', 'zeromq'],
  fields: {
    address: addressField,
    socketType: z
      .enum(['PULL', 'SUB'])
      .default('PULL')
      .describe('PULL: messages from PUSH peers; SUB: messages from PUB peers, filtered by subPrefixes'),
    bind: z
      .boolean()
      .default(true)
      .describe('true: bind the address (once per cluster, under a lease); false: connect to it'),
    subPrefixes: z
      .array(z.string())
      .max(1000)
      .default([])
      .describe('SUB: topic prefixes to receive (matched against the first frame); empty = every message'),
    dataFormat: z.enum(['json', 'xml', 'plain']).default('json').describe('How message bodies are parsed'),
    service: z.string().min(1, 'must name a service').describe('Service to invoke for each message'),
    multipart: z
      .enum(['join', 'list'])
      .default('join')
      .describe(
        'Body frames of a multipart message: join = concatenated into one body; list = a JSON array of the frames as UTF-8 strings (dataFormat json)',
      ),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(3_600_000)
      .default(30_000)
      .describe('The service must finish within this many ms'),
    concurrency: z.number().int().min(1).max(256).default(1).describe('Messages handled at once (1 keeps their order)'),
    receiveHighWaterMark: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .default(1_000)
      .describe('Messages ZeroMQ queues per peer before PUSH peers block or PUB peers drop (0 = no limit)'),
  },
  check(obj) {
    const problems: string[] = [];
    const a = addressProblem(obj.address, obj.bind);
    if (a) problems.push(`address: ${a}`);
    if (obj.subPrefixes.length > 0 && obj.socketType !== 'SUB')
      problems.push('subPrefixes: only SUB sockets filter by prefix');
    if (obj.multipart === 'list' && obj.dataFormat !== 'json')
      problems.push('multipart: list makes a JSON body; use dataFormat json');
    return problems;
  },
});

export type ZeromqChannelConfig = ReturnType<typeof zeromqChannelKind.schema.parse>;

/** Whether the channel must run once per cluster: a bound address, or SUB (every SUB gets a copy). */
export function needsLease(cfg: Pick<ZeromqChannelConfig, 'bind' | 'socketType'>): boolean {
  return cfg.bind || cfg.socketType === 'SUB';
}

/** ZeroMQ channels. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const zeromqChannelDeclaration: ConnectorDeclaration<ZeromqChannelConfig> = {
  kind: zeromqChannelKind,
  // Per worker; an instance whose socket must exist once per cluster (bind, or SUB) takes a lease
  // itself (see needsLease), so connecting PULL sockets still spread over every worker.
  placement: 'worker',
};
