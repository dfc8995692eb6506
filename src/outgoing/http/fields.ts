/**
 * Config fields shared by every HTTP-based outgoing kind (`outgoing.http`, `outgoing.soap`): where to
 * connect, how (TLS, pool), security, and the live-editable limits (timeout, retries, size).
 */
import { z } from 'zod';
import type { ConfigObject } from '../../config/kind.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Request headers undici refuses or that only the transport may set. */
export const FORBIDDEN_HEADERS = new Set([
  'connection',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
]);

const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers whose values are secrets unless a connection says otherwise. */
export const DEFAULT_SECRET_HEADERS = ['authorization', 'proxy-authorization'] as const;

/** The `secrets` entry of the HTTP-based outgoing kinds: the `headers` named in `secretHeaders`. */
export const SECRET_HEADER_ENTRIES = {
  field: 'headers',
  keysField: 'secretHeaders',
  defaultKeys: DEFAULT_SECRET_HEADERS,
} as const;

/** A problem with a base URL, or undefined when it is usable. */
export function addressProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `\`${value}\` is not a URL (expected e.g. https://crm.example.com:8443/api)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `must be an http:// or https:// URL, not ${url.protocol}//`;
  if (url.search || url.hash) return 'must not contain a query string or fragment (put them in `path` or in the call)';
  if (url.username || url.password) return 'must not contain credentials (use a `security` definition)';
  return undefined;
}

const pem = (what: string) =>
  z
    .string()
    .trim()
    .refine((s) => s.includes('-----BEGIN '), { message: `${what} must be PEM text (-----BEGIN ...)` });

export const headerRecord = z.record(z.string(), z.string()).check((ctx) => {
  for (const [k, v] of Object.entries(ctx.value)) {
    if (!TOKEN_RE.test(k))
      ctx.issues.push({ code: 'custom', message: `\`${k}\` is not a valid header name`, input: ctx.value, path: [k] });
    else if (FORBIDDEN_HEADERS.has(k.toLowerCase()))
      ctx.issues.push({
        code: 'custom',
        message: `\`${k}\` is set by the transport and cannot be configured`,
        input: ctx.value,
        path: [k],
      });
    if (/[\r\n\0]/.test(v))
      ctx.issues.push({
        code: 'custom',
        message: `value of \`${k}\` contains a line break`,
        input: ctx.value,
        path: [k],
      });
  }
});

/** Fields of every HTTP-based outgoing connection. */
export const transportFields = {
  address: z
    .string()
    .trim()
    .check((ctx) => {
      const p = addressProblem(ctx.value);
      if (p) ctx.issues.push({ code: 'custom', message: p, input: ctx.value });
    })
    .describe('Base URL: http(s)://host[:port][/path prefix], e.g. https://crm.example.com:8443/api'),
  path: z
    .string()
    .trim()
    .default('/')
    .refine((s) => !/[\s#]/.test(s), { message: 'must not contain spaces or #' })
    .describe('Path appended to the address; `{name}` placeholders are filled from the call params'),
  headers: headerRecord.default({}).describe('Headers sent with every request'),
  secretHeaders: z
    .array(z.string().trim().regex(TOKEN_RE, 'must be a header name'))
    .default(() => [...DEFAULT_SECRET_HEADERS])
    .describe(
      'Header names (any case) whose values are secrets: encrypted at rest, masked by the admin API, exported as ${ENV_VAR} placeholders, sent in clear',
    ),
  security: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('Security definition (basic auth or API key) whose credentials are sent'),
  tlsClientCert: pem('tlsClientCert').optional().describe('Client certificate (PEM) for mutual TLS'),
  tlsClientKey: pem('tlsClientKey').optional().describe('Private key (PEM) of the client certificate'),
  ca: pem('ca').optional().describe('Extra CA certificate(s) (PEM) to validate the server with'),
  validateCert: z.boolean().default(true).describe('Verify the server certificate (turn off only for tests)'),
  poolSize: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(10)
    .describe('Maximum open connections (undici Pool connections)'),
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .max(3_600_000)
    .default(10_000)
    .describe('Per attempt: time to connect, send and read the whole answer; editable live'),
  retries: z
    .number()
    .int()
    .min(0)
    .max(10)
    .default(0)
    .describe('Retries of idempotent requests after connection errors and 502/503/504'),
  retryBackoffMs: z
    .number()
    .int()
    .min(1)
    .max(60_000)
    .default(100)
    .describe('First retry delay; it doubles on each retry (with jitter)'),
  maxResponseBytes: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(16 * 1024 * 1024)
    .describe('Larger answers are refused with a 502 error'),
};

export interface TransportConfig extends ConfigObject {
  address: string;
  path: string;
  headers: Record<string, string>;
  secretHeaders: string[];
  security?: string | undefined;
  tlsClientCert?: string | undefined;
  tlsClientKey?: string | undefined;
  ca?: string | undefined;
  validateCert: boolean;
  poolSize: number;
  timeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  maxResponseBytes: number;
}

/** Cross-field checks shared by the kinds. */
export function transportProblems(c: TransportConfig): string[] {
  const out: string[] = [];
  if (c.tlsClientCert && !c.tlsClientKey) out.push('tlsClientKey: required with tlsClientCert');
  if (c.tlsClientKey && !c.tlsClientCert) out.push('tlsClientCert: required with tlsClientKey');
  return out;
}
