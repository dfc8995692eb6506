/** Security definitions: objects of their own, attached to channels and outgoing connections by name. */
import { z } from 'zod';
import { defineKind } from '../config/kind.js';

export const basicAuthKind = defineKind({
  id: 'security.basicAuth',
  title: 'HTTP Basic Auth definition',
  cli: ['security', 'basic-auth'],
  fields: {
    username: z.string().min(1).describe('User name clients send'),
    password: z.string().min(1).describe('Password (encrypted at rest)'),
    realm: z.string().default('Wharf').describe('Realm in the WWW-Authenticate challenge'),
  },
  secrets: ['password'],
});

export const apiKeyKind = defineKind({
  id: 'security.apiKey',
  title: 'API key definition',
  cli: ['security', 'api-key'],
  fields: {
    headerName: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
      .default('X-API-Key')
      .describe('Header that carries the key'),
    key: z.string().min(8, 'must be at least 8 characters').describe('The key (encrypted at rest)'),
  },
  secrets: ['key'],
});

export const SECURITY_KINDS = [basicAuthKind, apiKeyKind] as const;
