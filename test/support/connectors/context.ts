/**
 * An in-process ConnectorContext for connector tests: services are plain functions, leases are
 * local, `resolve` reads a map. Real brokers and servers are still used by the connectors themselves.
 */
import { randomUUID } from 'node:crypto';
import { normalizeError, WharfError } from '../../../src/errors.js';
import type { ConfigObject } from '../../../src/config/kind.js';
import { codecs } from '../../../src/service/formats/index.js';
import type { InvocationResult } from '../../../src/service/pipeline.js';
import type { ServiceLogger } from '../../../src/service/service.js';
import type { ConnectorContext, Lease, MessageInvocation } from '../../../src/connectors/types.js';

export interface TestInvocation {
  service: string;
  cid: string;
  payload: unknown;
  input: unknown;
  raw: Buffer;
  inv: MessageInvocation;
}

export type TestService = (call: TestInvocation) => unknown | Promise<unknown>;

export interface TestContext extends ConnectorContext {
  readonly calls: TestInvocation[];
  readonly logs: Array<{ level: string; msg: string; args: unknown[] }>;
  services: Record<string, TestService>;
  objects: Map<string, ConfigObject>;
  /** Resolves when `calls.length >= n` (or rejects after `timeoutMs`). */
  waitForCalls(n: number, timeoutMs?: number): Promise<void>;
}

export function createTestContext(
  opts: { services?: Record<string, TestService>; objects?: Record<string, ConfigObject>; workerId?: number } = {},
): TestContext {
  const calls: TestInvocation[] = [];
  const logs: TestContext['logs'] = [];
  const waiters: Array<() => void> = [];
  const log =
    (level: string) =>
    (msg: string, ...args: unknown[]): void => {
      logs.push({ level, msg, args });
      if (process.env['WHARF_TEST_LOG']) console.log(level, msg, ...args);
    };
  const logger: ServiceLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const heldLeases = new Set<string>();
  const stateMap = new Map<string, unknown>();
  const ctx: TestContext = {
    calls,
    logs,
    services: { ...(opts.services ?? {}) },
    objects: new Map(Object.entries(opts.objects ?? {})),
    logger,
    server: { name: 'test-server', workerId: opts.workerId ?? 1, dataDir: process.cwd() },
    async invoke(inv: MessageInvocation): Promise<InvocationResult> {
      const cid = inv.cid ?? randomUUID();
      const fn = ctx.services[inv.service];
      if (!fn) throw new WharfError('WHARF_ERR_SERVICE_NOT_DEPLOYED', [inv.service]);
      const parsed = inv.parsed ?? codecs[inv.dataFormat].parse(inv.raw, { maxDepth: 64, ...(inv.codec ?? {}) });
      const call: TestInvocation = {
        service: inv.service,
        cid,
        payload: parsed.payload,
        input: parsed.input,
        raw: inv.raw,
        inv,
      };
      calls.push(call);
      for (const w of waiters.splice(0)) w();
      try {
        const output = await fn(call);
        return { statusCode: 200, headers: {}, contentType: undefined, output, value: output };
      } catch (e) {
        throw normalizeError(e, cid);
      }
    },
    state: {
      async get(key: string) {
        return stateMap.get(key);
      },
      async set(key: string, value: unknown) {
        if (value === undefined) stateMap.delete(key);
        else stateMap.set(key, structuredClone(value));
      },
      async list() {
        return [...stateMap.entries()].map(([key, value]) => ({ key, value }));
      },
    },
    resolve(kindId: string, name: string): ConfigObject | undefined {
      return ctx.objects.get(`${kindId}/${name}`);
    },
    async lease(name: string): Promise<Lease> {
      const ac = new AbortController();
      heldLeases.add(name);
      return {
        name,
        get held() {
          return heldLeases.has(name);
        },
        signal: ac.signal,
        async release() {
          heldLeases.delete(name);
          ac.abort();
        },
      };
    },
    async waitForCalls(n: number, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (calls.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} service calls, saw ${calls.length} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
  return ctx;
}
