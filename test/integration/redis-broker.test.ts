/**
 * The cluster broker against the machine's Redis: a config version whose publish failed while the
 * publisher was disconnected is published again as soon as it reconnects (before this, the other
 * servers only saw it at their next ODB poll, up to syncIntervalMs later).
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisBroker } from '../../src/cluster/broker/redis.js';
import { eventually } from '../helpers/env.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers.splice(0)) await c().catch(() => undefined);
});

/** The publisher's own client, reached for the test only. */
function publisherOf(broker: RedisBroker): EventEmitter {
  return (broker as unknown as { pub: EventEmitter }).pub;
}

describe('Redis broker', () => {
  it('a version published while the publisher is disconnected reaches subscribers once it reconnects', async () => {
    const prefix = `wharf:test-${randomUUID()}:`;
    const broker = await RedisBroker.connect({ ...REDIS, prefix });
    closers.push(() => broker.close());
    const seen: number[] = [];
    const listener = createClient({ socket: REDIS });
    await listener.connect();
    closers.push(() => listener.close());
    await listener.subscribe(broker.channel, (m) => void seen.push(Number(m)));

    await broker.publish(1);
    await eventually(() => seen.includes(1), 10_000, 'version 1 delivered');

    // Cut the publisher's connection from the server side, and publish while it is down.
    const admin = createClient({ socket: REDIS });
    await admin.connect();
    closers.push(() => admin.close());
    const pub = publisherOf(broker);
    const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
    const mine = String(await admin.sendCommand(['CLIENT', 'ID']));
    // The publisher is the connection that last ran PUBLISH (cmd=publish), other than ours.
    const pubId = list
      .split('\n')
      .find((l) => / cmd=publish/.test(l) && !l.startsWith(`id=${mine} `))
      ?.match(/^id=(\d+)/)?.[1];
    expect(pubId, list).toBeDefined();
    // While the publisher is reconnecting, publishes fail at once (fail-fast client) and are kept.
    const published = new Promise<void>((resolve) =>
      pub.once(
        'reconnecting',
        () =>
          void broker
            .publish(2)
            .then(() => broker.publish(3))
            .then(resolve),
      ),
    );
    await admin.sendCommand(['CLIENT', 'KILL', 'ID', pubId!]);
    await published;

    await eventually(() => seen.includes(3), 10_000, 'version 3 delivered after the reconnect');
    expect(seen).not.toContain(2); // only the latest version is published again
  });
});
