/**
 * AMQP faults against the real RabbitMQ: connections closed by the broker while a stream of 600
 * messages flows (channel and outgoing reconnect, nothing lost), and the broker application
 * restarted (`rabbitmqctl stop_app; start_app`) with durable messages queued and sends under way.
 * The connection-closing test runs in its own vhost, so `close_all_connections --vhost` touches no
 * one else's connections; the restart test always leaves RabbitMQ running (start_app in finally).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpChannelConnector, amqpChannelKind } from '../../src/channels/amqp/index.js';
import { acquireBrokerLock, RawBroker, testDefinition, uniqueName } from '../support/amqp.js';
import { createTestContext } from '../support/connectors/context.js';
import type { Connector } from '../../src/connectors/types.js';
import { WharfError } from '../../src/errors.js';
import { amqpOutgoingConnector, amqpOutgoingKind, type AmqpOutgoing } from '../../src/outgoing/amqp/index.js';

const RABBITMQCTL = process.env['RABBITMQCTL'] ?? '/usr/sbin/rabbitmqctl';
const VHOST = 'wharf-test-faults';
const run = promisify(execFile);

async function ctl(...args: string[]): Promise<string> {
  const { stdout } = await run(RABBITMQCTL, args, { timeout: 90_000 });
  return stdout;
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitUp(c: Connector, timeoutMs = 30_000): Promise<void> {
  await waitFor(() => c.health().status === 'up', timeoutMs, `connector up (${JSON.stringify(c.health())})`);
}

/** Waits until the broker answers AMQP again (after start_app). */
async function brokerBack(vhost: string): Promise<void> {
  await (await RawBroker.openWhenReady(vhost, 60_000)).close();
}

let release: (() => void) | undefined;

beforeAll(async () => {
  release = await acquireBrokerLock();
  await (await RawBroker.openWhenReady()).close(); // fails here when RabbitMQ is not running
  await ctl('add_vhost', VHOST); // idempotent
  await ctl('set_permissions', '-p', VHOST, 'guest', '.*', '.*', '.*');
});

afterAll(async () => {
  try {
    await ctl('delete_vhost', VHOST).catch(() => undefined);
  } finally {
    release?.();
  }
});

const definition = () =>
  testDefinition('faults', {
    vhost: VHOST,
    connectionName: 'wharf-faults',
    reconnectDelayMs: 100,
    reconnectMaxDelayMs: 1000,
  });

describe('AMQP under broker faults', () => {
  it('loses nothing when the broker closes every connection while 600 messages flow', async () => {
    let raw = await RawBroker.open(VHOST);
    const q = await raw.queue(uniqueName('wharf.test.flow'));
    const seen = new Map<string, number>();
    const ctx = createTestContext({
      objects: { 'definitions.amqp/faults': definition() },
      services: {
        svc: async (call) => {
          await new Promise((r) => setTimeout(r, 2));
          const id = String((call.payload as { id: string }).id);
          seen.set(id, (seen.get(id) ?? 0) + 1);
        },
      },
    });
    const channel = amqpChannelConnector.create(
      amqpChannelKind.schema.parse({ name: 'flow', definition: 'faults', queue: q, service: 'svc', prefetch: 20 }),
      ctx,
    );
    const outgoing = amqpOutgoingConnector.create(
      amqpOutgoingKind.schema.parse({ name: 'flow-out', definition: 'faults', routingKey: q, sendTimeoutMs: 30_000 }),
      ctx,
    );
    await channel.start();
    await outgoing.start();
    try {
      await waitUp(channel);
      await waitUp(outgoing);
      const out = outgoing.handle?.() as AmqpOutgoing;
      const total = 600;
      const failures: unknown[] = [];
      let next = 0;
      // 8 concurrent senders; a send interrupted by the fault waits for the reconnect and is confirmed then.
      const senders = Array.from({ length: 8 }, async () => {
        while (next < total) {
          const id = `m${next++}`;
          await out.send({ id }).catch((e: unknown) => failures.push(e));
          await new Promise((r) => setTimeout(r, 1));
        }
      });
      await waitFor(() => seen.size >= 150, 30_000, '150 messages processed');
      const closed1 = ctl('close_all_connections', '--vhost', VHOST, 'wharf fault test 1');
      await closed1;
      await waitFor(() => seen.size >= 350, 30_000, '350 messages processed after the first close');
      await ctl('close_all_connections', '--vhost', VHOST, 'wharf fault test 2');
      await Promise.all(senders);
      expect(failures).toEqual([]);
      await waitFor(() => seen.size === total, 45_000, `all ${total} distinct messages (have ${seen.size})`);
      const dupes = [...seen.values()].filter((n) => n > 1).length;
      // At least once: redeliveries after the cut are allowed, losses are not.
      expect(seen.size).toBe(total);
      expect(dupes).toBeLessThan(total);
      expect(ctx.logs.some((l) => /retrying/.test(l.msg))).toBe(true);
      await waitUp(channel);
      await raw.close().catch(() => undefined);
      raw = await RawBroker.open(VHOST);
      await waitFor(async () => (await raw.ready(q)) === 0, 10_000, 'queue drained');
    } finally {
      await channel.stop();
      await outgoing.stop();
      await raw.delete(q).catch(() => undefined);
      await raw.close();
    }
  }, 120_000);

  it('processes durable messages after a broker restart; sends while it is down fail clearly or are confirmed after it is back', async () => {
    let raw = await RawBroker.open(VHOST);
    const q = await raw.queue(uniqueName('wharf.test.restart'), { durable: true });
    const queued = Array.from({ length: 50 }, (_, i) => ({ id: `d${i}` }));
    await raw.publishMany(q, queued, { deliveryMode: 2 });
    await raw.close();

    const seen = new Set<string>();
    const ctx = createTestContext({
      objects: { 'definitions.amqp/faults': definition() },
      services: { svc: (call) => void seen.add(String((call.payload as { id: string }).id)) },
    });
    const patient = amqpOutgoingConnector.create(
      amqpOutgoingKind.schema.parse({ name: 'patient', definition: 'faults', routingKey: q, sendTimeoutMs: 90_000 }),
      ctx,
    );
    const hasty = amqpOutgoingConnector.create(
      amqpOutgoingKind.schema.parse({ name: 'hasty', definition: 'faults', routingKey: q, sendTimeoutMs: 1_500 }),
      ctx,
    );
    const channel = amqpChannelConnector.create(
      amqpChannelKind.schema.parse({ name: 'after-restart', definition: 'faults', queue: q, service: 'svc' }),
      ctx,
    );
    await patient.start();
    await hasty.start();
    await waitUp(patient);
    await waitUp(hasty);

    try {
      await ctl('stop_app');
      await waitFor(() => patient.health().status === 'down', 20_000, 'outgoing notices the broker is gone');

      // The channel starts while the broker is away and keeps retrying.
      await channel.start();
      const hastyErr = (await (hasty.handle?.() as AmqpOutgoing)
        .send({ id: 'lost?' })
        .catch((e: unknown) => e)) as WharfError;
      expect(hastyErr).toBeInstanceOf(WharfError);
      expect(hastyErr.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
      expect(hastyErr.message).toMatch(
        /AMQP outgoing hasty: .*not confirmed by amqp:\/\/guest@127\.0\.0\.1:5672\/wharf-test-faults within 1500 ms: not connected/,
      );
      const patientSend = (patient.handle?.() as AmqpOutgoing).send({ id: 'during-outage' });
      let patientDone = false;
      void patientSend.then(
        () => (patientDone = true),
        () => undefined,
      );
      expect(channel.health().status).not.toBe('up');

      await new Promise((r) => setTimeout(r, 1_000));
      expect(patientDone).toBe(false);
      await ctl('start_app');
      await patientSend; // confirmed after the broker came back
      await waitFor(() => seen.size === 51, 60_000, `51 messages after the restart (have ${seen.size})`);
      for (const m of queued) expect(seen.has(m.id)).toBe(true);
      expect(seen.has('during-outage')).toBe(true);
      expect(seen.has('lost?')).toBe(false);
      expect(channel.health().status).toBe('up');
    } finally {
      await ctl('start_app'); // always leave RabbitMQ running (a no-op when it is)
      await brokerBack(VHOST);
      await channel.stop();
      await patient.stop();
      await hasty.stop();
      raw = await RawBroker.open(VHOST);
      await raw.delete(q);
      await raw.close();
    }
  }, 180_000);
});
