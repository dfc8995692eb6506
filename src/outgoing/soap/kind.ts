/** The `outgoing.soap` object kind: a SOAP 1.1/1.2 endpoint a service calls by name. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { SECRET_HEADER_ENTRIES, transportFields, transportProblems } from '../http/fields.js';

export const outgoingSoapObjectKind = defineKind({
  id: 'outgoing.soap',
  title: 'SOAP outgoing connection',
  cli: ['outgoing', 'soap'],
  fields: {
    ...transportFields,
    soapVersion: z
      .enum(['1.1', '1.2'])
      .default('1.1')
      .describe('SOAP 1.1 (text/xml + SOAPAction) or 1.2 (application/soap+xml; action=...)'),
    soapAction: z
      .string()
      .trim()
      .default('')
      .refine((s) => !/["\r\n]/.test(s), { message: 'must not contain quotes or line breaks' })
      .describe('Default SOAP action of calls (each call may name its own)'),
    wsSecurity: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('Basic-auth security definition sent as a WS-Security UsernameToken (PasswordText)'),
    namespace: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('Namespace URI given to the Body element when a call passes the body as an object'),
  },
  secrets: ['tlsClientKey', SECRET_HEADER_ENTRIES],
  refs: { security: 'security.*', wsSecurity: 'security.basicAuth' },
  check: (obj) => transportProblems(obj),
});

export type OutgoingSoapConfig = z.output<typeof outgoingSoapObjectKind.schema>;

/** `this.outgoing.soap(name)`, in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const outgoingSoapDeclaration: ConnectorDeclaration<OutgoingSoapConfig> = {
  kind: outgoingSoapObjectKind,
  placement: 'worker',
  accessor: { group: 'outgoing', name: 'soap' },
};
