/**
 * `cluster.loadBalancer`: the HAProxy settings of a cluster, an admin object like any other (admin
 * API, CLI `wharf lb ...`, enmasse). The load-balancer agent applies the object its lb.yaml names
 * (`default` from the quickstart) live: regenerate, `haproxy -c`, reload with -sf.
 */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';

const ms = (def: number, what: string) => z.number().int().min(1).max(86_400_000).default(def).describe(what);

export const BALANCE = ['roundrobin', 'leastconn', 'source', 'first', 'random'] as const;

export const loadBalancerKind = defineKind({
  id: 'cluster.loadBalancer',
  title: 'Load balancer',
  cli: ['lb'],
  fields: {
    frontendHost: z.string().trim().min(1).default('127.0.0.1').describe('Address the HAProxy frontend binds to'),
    frontendPort: z.number().int().min(1).max(65535).default(11223).describe('Port of the HAProxy frontend'),
    tlsPort: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('Also serve HTTPS on this port with the load balancer certificate from the CA'),
    balance: z.enum(BALANCE).default('roundrobin').describe('How requests are spread over the servers'),
    maxconn: z.number().int().min(1).max(1_000_000).default(2000).describe('Maximum concurrent client connections'),
    connectTimeoutMs: ms(5000, 'Connecting to a server'),
    clientTimeoutMs: ms(60_000, 'Client inactivity'),
    serverTimeoutMs: ms(60_000, 'Server inactivity (a service running longer is cut with a 504)'),
    httpRequestTimeoutMs: ms(10_000, 'Receiving a complete request head'),
    queueTimeoutMs: ms(10_000, 'Waiting for a free server slot'),
    checkIntervalMs: ms(2000, 'Health check of GET /wharf/ping on every server'),
    downCheckIntervalMs: ms(
      250,
      'Health check of a server that is down or changing state (a started or restarted server is admitted within it)',
    ),
    rise: z.number().int().min(1).max(100).default(2).describe('Successful checks before a server takes traffic'),
    fall: z.number().int().min(1).max(100).default(2).describe('Failed checks before a server stops taking traffic'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(3)
      .describe('Retries of a failed connection (then redispatched to another server)'),
    retryNonIdempotent: z
      .boolean()
      .default(false)
      .describe('Also replay POST/PATCH requests whose server died before answering (may run a service twice)'),
    exposeMetrics: z
      .boolean()
      .default(false)
      .describe('Let /wharf/metrics through the frontend (default: only on the servers themselves)'),
  },
});

export type LoadBalancerSettings = z.output<typeof loadBalancerKind.schema>;

/** The settings with every default, for when the ODB holds no object (or an inactive one). */
export function defaultLbSettings(overrides: Partial<LoadBalancerSettings> = {}): LoadBalancerSettings {
  return loadBalancerKind.schema.parse({ name: 'default', ...overrides });
}
