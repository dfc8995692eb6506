/**
 * `notifications.openstackSwift` ("cloud notifications"): watch Swift containers and hand each new object
 * to a service; once per cluster.
 */
import { z } from 'zod';
import { defineKind } from '../../config/kind.js';
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { globProblem } from './glob.js';

const containerName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .refine((v) => !v.includes('/'), 'cannot contain `/`');

const glob = (what: string) =>
  z
    .string()
    .superRefine((v, ctx) => {
      const problem = globProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `invalid glob: ${problem}` });
    })
    .describe(what);

/** One watched place: `container` or `container:path/prefix`. */
export interface Watch {
  container: string;
  prefix: string;
}

export function parseWatch(entry: string): Watch {
  const i = entry.indexOf(':');
  return i < 0
    ? { container: entry.trim(), prefix: '' }
    : { container: entry.slice(0, i).trim(), prefix: entry.slice(i + 1) };
}

function watchProblem(entry: string): string | undefined {
  const { container } = parseWatch(entry);
  const r = containerName.safeParse(container);
  return r.success ? undefined : `\`${entry}\`: container name ${r.error.issues[0]?.message ?? 'is invalid'}`;
}

export const AFTER_SUCCESS = ['delete', 'move', 'keep'] as const;

export const swiftNotifierKind = defineKind({
  id: 'notifications.openstackSwift',
  title: 'OpenStack Swift notifier',
  cli: ['notification', 'swift'],
  fields: {
    connection: z
      .string()
      .trim()
      .min(1, 'must name an OpenStack Swift connection')
      .describe('The Swift connection (cloud.openstackSwift) by name'),
    containers: z
      .array(
        z.string().superRefine((v, ctx) => {
          const problem = watchProblem(v);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .min(1, 'must list at least one container')
      .describe('Containers to watch, each `container` or `container:path/prefix`'),
    intervalMs: z
      .number()
      .int()
      .min(100, 'must be at least 100')
      .max(86_400_000)
      .default(5000)
      .describe('Time between the end of one check and the start of the next (ms)'),
    namePattern: glob('Only objects whose full name matches this glob (`*`, `?`, `[a-z]`, `{a,b}`)').default('*'),
    negatePattern: z.boolean().default(false).describe('Take the objects that do NOT match namePattern instead'),
    excludePattern: glob('Skip objects whose name matches this glob').optional(),
    fetchData: z
      .boolean()
      .default(true)
      .describe('Download each object and give its data to the service (else metadata only)'),
    maxObjectSize: z
      .number()
      .int()
      .positive()
      .max(1024 * 1024 * 1024)
      .default(10 * 1024 * 1024)
      .describe('With fetchData: larger objects go to the error container instead of the service (bytes)'),
    dataFormat: z
      .enum(['plain', 'json'])
      .default('plain')
      .describe('With fetchData: `payload` is the data as text (plain) or parsed JSON (json)'),
    service: z.string().trim().min(1, 'must name a service').describe('Service to invoke for each object'),
    afterSuccess: z
      .enum(AFTER_SUCCESS)
      .default('delete')
      .describe(
        'What happens to an object once the service succeeded: delete, move (to moveTo) or keep (remembered as processed)',
      ),
    moveTo: containerName
      .optional()
      .describe('With afterSuccess `move`: the container objects are moved to (created if missing)'),
    maxFailures: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe('After this many failed invocations an object goes to the error container'),
    errorContainer: containerName
      .optional()
      .describe('Where failed objects go (created if missing); default `<container>-errors`'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(86_400_000)
      .default(60_000)
      .describe('The service must finish within this many ms (a timeout counts as a failure)'),
    drainTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(120_000)
      .default(5000)
      .describe('On stop, wait this long for the object in progress'),
  },
  refs: { connection: 'cloud.openstackSwift' },
  check: (obj) => notifierProblems(obj),
});

export type SwiftNotifierConfig = z.output<typeof swiftNotifierKind.schema>;

export function errorContainerOf(c: { errorContainer?: string | undefined }, container: string): string {
  return c.errorContainer ?? `${container}-errors`;
}

interface Targets {
  containers: readonly string[];
  afterSuccess: (typeof AFTER_SUCCESS)[number];
  moveTo?: string | undefined;
  errorContainer?: string | undefined;
}

/** Cross-field problems: a missing moveTo, or a target container that is itself watched (a loop). */
export function notifierProblems(c: Targets): string[] {
  const problems: string[] = [];
  const watched = new Set(c.containers.map((e) => parseWatch(e).container));
  if (c.afterSuccess === 'move' && !c.moveTo) problems.push('moveTo: required when afterSuccess is `move`');
  if (c.afterSuccess === 'move' && c.moveTo && watched.has(c.moveTo))
    problems.push(`moveTo: \`${c.moveTo}\` is a watched container (objects would loop)`);
  for (const w of watched) {
    const ec = errorContainerOf(c, w);
    if (watched.has(ec)) problems.push(`errorContainer: \`${ec}\` is a watched container (failed objects would loop)`);
  }
  return problems;
}

/** Swift notifiers: once per cluster. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const swiftNotifierDeclaration: ConnectorDeclaration<SwiftNotifierConfig> = {
  kind: swiftNotifierKind,
  placement: 'cluster',
};
