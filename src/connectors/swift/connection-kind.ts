/** The `cloud.openstackSwift` object kind: a Swift connection services borrow clients from by name. */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import { WharfError } from '../../errors.js';
import { parseCustomOptions } from './options.js';
import type { SwiftClientOptions } from './types.js';

const optionalText = (what: string) =>
  z.string().trim().min(1, 'must not be empty when given').max(255).optional().describe(what);

function customOptionsProblem(text: string): string | undefined {
  try {
    parseCustomOptions(text);
    return undefined;
  } catch (e) {
    return e instanceof WharfError ? e.message : String(e);
  }
}

export const swiftConnectionKind = defineKind({
  id: 'cloud.openstackSwift',
  title: 'OpenStack Swift connection',
  cli: ['cloud', 'swift'],
  fields: {
    authUrl: z
      .string()
      .trim()
      .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http:// or https:// URL')
      .describe('Authentication URL: tempauth `http://host:8080/auth/v1.0`, Keystone `https://keystone:5000/v3`'),
    authVersion: z
      .number()
      .int('must be 1, 2 or 3')
      .min(1, 'must be 1, 2 or 3')
      .max(3, 'must be 1, 2 or 3')
      .default(1)
      .describe('1 = tempauth/swauth v1.0, 2 = Keystone v2.0, 3 = Keystone v3 (project, domain, region)'),
    user: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(255)
      .describe('v1: `account:user`; Keystone: the user name'),
    key: z.string().min(1, 'must not be empty').max(1024).describe('v1: the key; Keystone: the password'),
    tenantName: optionalText('Keystone v2 tenant name (same as `project`)'),
    project: optionalText('Keystone project name (same as `tenantName`)'),
    domain: optionalText('Keystone v3 domain of the user and the project (default `Default`)'),
    region: optionalText('Keystone region whose object-store endpoint is used (default: the first one in the catalog)'),
    poolSize: z
      .number()
      .int()
      .min(1, 'must be at least 1')
      .max(1000)
      .default(5)
      .describe('Clients per worker process; a borrow waits when all are in use'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(5)
      .describe('Retries of a request after connection errors, 5xx, 429 and 498'),
    startingBackoffMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(1000)
      .describe('First retry delay in ms; it doubles on every retry'),
    maxBackoffMs: z.number().int().min(0).max(3_600_000).default(64_000).describe('Cap of the retry delay in ms'),
    timeoutMs: z
      .number()
      .int()
      .positive('must be > 0')
      .max(3_600_000)
      .default(30_000)
      .describe('Per request attempt: time until the response (and its body, unless streamed) arrives'),
    borrowTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(5000)
      .describe('How long `client()` waits for a free client before failing with WHARF_ERR_NO_FREE_CONNECTION'),
    validateCert: z.boolean().default(true).describe('Verify the TLS certificates of Keystone and Swift'),
    ca: z
      .string()
      .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM text with -----BEGIN CERTIFICATE-----')
      .optional()
      .describe('Extra trusted CA certificate(s), PEM'),
    customOptions: z
      .union([
        z.record(z.string().min(1), z.string()),
        z.string().superRefine((v, ctx) => {
          const problem = customOptionsProblem(v);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      ])
      .optional()
      .describe('Headers sent with every storage request: a map or `key=value` lines'),
    createMissingContainers: z
      .boolean()
      .default(false)
      .describe('putObject into a missing container creates it and retries; off = a 404 error'),
  },
  secrets: ['key'],
  check(obj) {
    const problems: string[] = [];
    if (obj.authVersion !== 1 && !(obj.project ?? obj.tenantName))
      problems.push('project: required for Keystone (authVersion 2 or 3)');
    if (obj.maxBackoffMs < obj.startingBackoffMs) problems.push('maxBackoffMs: must be >= startingBackoffMs');
    return problems;
  },
});

export type SwiftConnectionConfig = z.output<typeof swiftConnectionKind.schema>;

/** The SwiftClient settings of a connection (everything but pool and borrow settings). */
export function clientOptionsOf(c: SwiftConnectionConfig): SwiftClientOptions {
  const custom = typeof c.customOptions === 'string' ? parseCustomOptions(c.customOptions) : c.customOptions;
  return {
    connectionName: c.name,
    authUrl: c.authUrl,
    authVersion: c.authVersion as 1 | 2 | 3,
    user: c.user,
    key: c.key,
    ...(c.tenantName === undefined ? {} : { tenantName: c.tenantName }),
    ...(c.project === undefined ? {} : { project: c.project }),
    ...(c.domain === undefined ? {} : { domain: c.domain }),
    ...(c.region === undefined ? {} : { region: c.region }),
    retries: c.retries,
    startingBackoffMs: c.startingBackoffMs,
    maxBackoffMs: c.maxBackoffMs,
    timeoutMs: c.timeoutMs,
    validateCert: c.validateCert,
    ...(c.ca === undefined ? {} : { ca: c.ca }),
    ...(custom && Object.keys(custom).length > 0 ? { customHeaders: custom } : {}),
  };
}

/** Changes of these fields need new clients (a new pool); the others apply to the current one. */
export function poolKey(c: SwiftConnectionConfig): string {
  return JSON.stringify([clientOptionsOf(c), c.poolSize]);
}
