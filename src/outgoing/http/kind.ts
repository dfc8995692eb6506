/** The `outgoing.http` object kind: an HTTP connection a service calls by name. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { HTTP_METHODS, SECRET_HEADER_ENTRIES, transportFields, transportProblems } from './fields.js';
import { OUT_FORMATS } from './payload.js';

export const outgoingHttpObjectKind = defineKind({
  id: 'outgoing.http',
  title: 'HTTP outgoing connection',
  cli: ['outgoing', 'http'],
  fields: {
    ...transportFields,
    method: z.enum(HTTP_METHODS).default('GET').describe('Method of `request()` when the call names none'),
    dataFormat: z
      .enum(OUT_FORMATS)
      .default('json')
      .describe('json | xml | plain | raw: how payloads are sent and answers parsed (raw = bytes, no parsing)'),
    throwOnHttpError: z
      .boolean()
      .default(true)
      .describe(
        'Answers outside 2xx raise a 502 error carrying the upstream status and body; off = returned as results',
      ),
  },
  secrets: ['tlsClientKey', SECRET_HEADER_ENTRIES],
  refs: { security: 'security.*' },
  check: (obj) => transportProblems(obj),
});

export type OutgoingHttpConfig = z.output<typeof outgoingHttpObjectKind.schema>;

/** `this.outgoing.http(name)`, in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const outgoingHttpDeclaration: ConnectorDeclaration<OutgoingHttpConfig> = {
  kind: outgoingHttpObjectKind,
  placement: 'worker',
  accessor: { group: 'outgoing', name: 'http' },
};
