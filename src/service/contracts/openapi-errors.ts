/**
 * The error answers of an operation: every status Wharf itself can answer on that channel, each with
 * the registry's error body in the channel's format (JSON `{"error": {...}}`, XML `<error>`, a SOAP
 * Fault, a text line).
 */
import type { JsonSchema } from './json-schema.js';
import type { ChannelLike } from './sources.js';

export type Target = 'service' | 'proxy' | 'routes';

/** components.schemas / components.headers shared by every document. */
export const ERROR_COMPONENTS = {
  schemas: {
    WharfError: {
      type: 'object',
      description: 'An error from the registry (docs/errors.md): code, message, correlation id, client-safe details.',
      properties: {
        code: { type: 'string', pattern: '^WHARF_ERR_[A-Z0-9_]+$', examples: ['WHARF_ERR_MISSING_ELEMENT'] },
        message: { type: 'string' },
        cid: { type: 'string', description: 'Correlation id, also in the x-wharf-cid header and the server log' },
        details: { type: 'object' },
      },
      required: ['code', 'message', 'cid'],
    },
    WharfErrorResponse: {
      type: 'object',
      properties: { error: { $ref: '#/components/schemas/WharfError' } },
      required: ['error'],
    },
    WharfErrorXml: {
      type: 'object',
      xml: { name: 'error' },
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        cid: { type: 'string' },
        details: { type: 'object' },
      },
      required: ['code', 'message', 'cid'],
    },
  },
  headers: {
    Cid: { description: 'Correlation id of the request', schema: { type: 'string' } },
  },
} as const;

const CID_HEADER = { 'x-wharf-cid': { $ref: '#/components/headers/Cid' } };

export function soapMediaType(ch: ChannelLike): string {
  return (ch.soapVersion ?? '1.1') === '1.2' ? 'application/soap+xml' : 'text/xml';
}

/** The error body of the channel's format, by media type. */
export function errorContent(ch: ChannelLike): Record<string, { schema: JsonSchema }> {
  switch (ch.dataFormat) {
    case 'xml':
      return { 'application/xml': { schema: { $ref: '#/components/schemas/WharfErrorXml' } } };
    case 'soap':
      return {
        [soapMediaType(ch)]: {
          schema: {
            type: 'string',
            description: `A SOAP ${ch.soapVersion ?? '1.1'} Fault; its detail holds <wharf:error xmlns:wharf="urn:wharf:error"> with <wharf:code> and <wharf:cid>`,
          },
        },
      };
    case 'plain':
      return { 'text/plain': { schema: { type: 'string', description: 'CODE: message (cid CID)' } } };
    default:
      return { 'application/json': { schema: { $ref: '#/components/schemas/WharfErrorResponse' } } };
  }
}

interface StatusNote {
  status: string;
  description: string;
  when: (x: { target: Target; secured: boolean; body: boolean; format: ChannelLike['dataFormat'] }) => boolean;
}

const STATUSES: readonly StatusNote[] = [
  {
    status: '400',
    description:
      'Bad input: malformed body, missing or invalid element, too deep, DTD, or refused by a routing rule or the service',
    when: (x) => x.target !== 'proxy',
  },
  {
    status: '401',
    description: "Missing or invalid credentials (the channel's security definition)",
    when: (x) => x.secured,
  },
  { status: '404', description: 'The service raised NotFound, or it is unknown', when: (x) => x.target !== 'proxy' },
  {
    status: '405',
    description: 'Method not allowed on this channel, or not handled by the service (see the Allow header)',
    when: () => true,
  },
  { status: '413', description: "Request body larger than the channel's maxBodySize", when: (x) => x.body },
  {
    status: '415',
    description: "Content-Type not accepted by the channel's data format",
    when: (x) => x.body && x.target === 'service' && x.format !== 'plain',
  },
  {
    status: '500',
    description: 'Internal error, or the service produced output that does not match its declaration',
    when: () => true,
  },
  { status: '502', description: 'The outgoing connection failed (proxy)', when: (x) => x.target !== 'service' },
  { status: '503', description: 'The service is not deployed, or the server is shutting down', when: () => true },
  {
    status: '504',
    description: 'The service (timeoutMs) or the upstream connection did not answer in time',
    when: () => true,
  },
];

export function errorResponses(
  ch: ChannelLike,
  target: Target,
  secured: boolean,
  body: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const content = errorContent(ch);
  for (const s of STATUSES) {
    if (!s.when({ target, secured, body, format: ch.dataFormat })) continue;
    out[s.status] = { description: s.description, headers: CID_HEADER, content };
  }
  return out;
}

export { CID_HEADER };
