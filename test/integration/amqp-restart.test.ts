/**
 * A channel that refers to a definition keeps working after a server restart: objects load in kind
 * order (definitions before channels), so the AMQP channel starts consuming again.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, type TestEnv } from '../helpers/env.js';

const QUEUE = `wharf-restart-${Date.now().toString(36)}`;
const OUT = join(mkdtempSync(join(tmpdir(), 'wharf-amqp-restart-')), 'seen.txt');

const SERVICE = `import { appendFileSync } from 'node:fs';
import { service, text } from 'wharf';
export class Seen extends service({ name: 'restart.seen', input: { id: text() } }) {
  async handle() { appendFileSync(${JSON.stringify(OUT)}, this.input.id + '\\n'); }
}
`;

async function publish(id: string): Promise<void> {
  const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const ch = await conn.createConfirmChannel();
  ch.sendToQueue(QUEUE, Buffer.from(JSON.stringify({ id })), { persistent: true });
  await ch.waitForConfirms();
  await conn.close();
}

const seen = (): string[] => {
  try {
    return readFileSync(OUT, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe('AMQP channel across a server restart', () => {
  let env: TestEnv;
  beforeAll(async () => {
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.assertQueue(QUEUE, { durable: true });
    await conn.close();
    env = await createEnv({ workers: 1 });
    await env.deploy('seen.ts', SERVICE);
    await env.importYaml(
      [
        'definitions:',
        '  amqp:',
        '    - { name: rabbit, host: 127.0.0.1, username: guest, password: guest }',
        'channels:',
        '  amqp:',
        `    - { name: seen, definition: rabbit, queue: ${QUEUE}, service: restart.seen }`,
        '',
      ].join('\n'),
      [],
    );
  });
  afterAll(async () => {
    await env?.destroy();
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.deleteQueue(QUEUE);
    await conn.close();
  });

  it('consumes before and after a restart', async () => {
    await publish('before');
    await eventually(() => seen().includes('before'), 15_000, 'message before the restart');
    await env.stop();
    await publish('while-down');
    await env.start();
    await publish('after');
    await eventually(
      () => seen().includes('after') && seen().includes('while-down'),
      20_000,
      'messages after the restart',
    );
    expect(seen().filter((s) => s === 'before')).toHaveLength(1);
  });
});
