/**
 * The one connector conformance suite every channel and outgoing kind runs against its real server:
 * create + start + work, live reconfiguration while working, bad config rejected with a clear
 * message, clean stop with no leaked sockets or timers. Call `runConformance` from a test file.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../../src/config/kind.js';
import type { Connector, ConnectorKind } from '../../../src/connectors/types.js';
import { createTestContext, type TestContext, type TestService } from './context.js';

export interface ConformanceCase<C extends ConfigObject> {
  /** e.g. 'channels.amqp against RabbitMQ' */
  title: string;
  kind: ConnectorKind<C>;
  /** A config that works against the real server (unique names per run). */
  config(): C | Promise<C>;
  /** A different working config to apply live (another queue, timeout, credentials...). */
  reconfigure(c: C): C | Promise<C>;
  /** Objects `ctx.resolve` returns, keyed `kind/name` (definitions, security). */
  objects?: () => Record<string, ConfigObject> | Promise<Record<string, ConfigObject>>;
  services?: Record<string, TestService>;
  /** Proves the instance works with `config`: sends/receives through the real server. */
  exercise(instance: Connector<C>, config: C, ctx: TestContext): Promise<void>;
  /** Raw inputs the kind must refuse (its schema or its `check`), each with a pattern the error message matches. */
  invalid: Array<{ input: Record<string, unknown>; message: RegExp }>;
  /** Called after each test (delete queues, containers...). */
  cleanup?(config: C): Promise<void>;
  /** How long stop() may take (default 10 s). */
  stopWithinMs?: number;
}

const COUNTED = ['TCPSocketWrap', 'TCPWRAP', 'Timeout', 'PipeWrap', 'UDPWrap'];

function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (COUNTED.includes(r)) out[r] = (out[r] ?? 0) + 1;
  return out;
}

async function settle(ms = 300): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function waitUp(instance: Connector, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const h = instance.health();
    if (h.status === 'up') return;
    await settle(100);
  }
  throw new Error(`connector not up within ${ms} ms: ${JSON.stringify(instance.health())}`);
}

export function runConformance<C extends ConfigObject>(c: ConformanceCase<C>): void {
  describe(`conformance: ${c.title}`, () => {
    async function make(): Promise<{ ctx: TestContext; config: C }> {
      const ctx = createTestContext({ services: c.services ?? {}, objects: (await c.objects?.()) ?? {} });
      const config = c.kind.kind.schema.parse(await c.config()) as C;
      return { ctx, config };
    }

    it('creates, starts, works and stops cleanly without leaking sockets or timers', async () => {
      const before = resources();
      const { ctx, config } = await make();
      const inst = c.kind.create(config, ctx);
      await inst.start();
      await waitUp(inst);
      await c.exercise(inst, config, ctx);
      const t0 = Date.now();
      await inst.stop();
      expect(Date.now() - t0).toBeLessThan(c.stopWithinMs ?? 10_000);
      expect(inst.health().status).toBe('stopped');
      await c.cleanup?.(config);
      await settle(500);
      const after = resources();
      for (const k of COUNTED) expect(after[k] ?? 0, `${k} leaked`).toBeLessThanOrEqual(before[k] ?? 0);
    });

    it('applies a new config live and keeps working', async () => {
      const { ctx, config } = await make();
      const inst = c.kind.create(config, ctx);
      await inst.start();
      await waitUp(inst);
      await c.exercise(inst, config, ctx);
      const next = c.kind.kind.schema.parse(await c.reconfigure(config)) as C;
      await inst.reconfigure(next);
      await waitUp(inst);
      await c.exercise(inst, next, ctx);
      await inst.stop();
      await c.cleanup?.(config);
      await c.cleanup?.(next);
    });

    it('rejects bad config with a clear message', () => {
      for (const bad of c.invalid) {
        const r = c.kind.kind.schema.safeParse(bad.input);
        // What the admin API refuses: the schema, then the kind's own cross-field check.
        const problems = r.success
          ? (c.kind.kind.check?.(r.data as C, { list: () => [] }) ?? [])
          : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
        expect(problems.length, `accepted ${JSON.stringify(bad.input)}`).toBeGreaterThan(0);
        expect(problems.join('; ')).toMatch(bad.message);
      }
    });

    it('stop is idempotent and a stopped connector reports stopped', async () => {
      const { ctx, config } = await make();
      const inst = c.kind.create(config, ctx);
      await inst.start();
      await waitUp(inst);
      await inst.stop();
      await inst.stop();
      expect(inst.health().status).toBe('stopped');
      await c.cleanup?.(config);
    });
  });
}
