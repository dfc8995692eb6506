/**
 * Test helpers against the local RabbitMQ (tests only): queue admin over AMQP 0-9-1 (independent of the
 * AMQP 1.0 code under test), a raw rhea receiver/sender for checking what arrived, broker restarts and
 * clean-up of the server-named queues that /topic and /exchange receivers leave behind.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import rhea from 'rhea';
import type { ConfigObject } from '../../src/config/kind.js';
import { rawBody } from '../../src/connectors/amqp1/message.js';

const run = promisify(execFile);
export const RABBIT_URL = process.env['WHARF_RABBIT_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A `definitions.amqp1` object for the local broker. */
export function localDefinition(name: string, extra: Record<string, unknown> = {}): ConfigObject {
  return {
    name,
    active: true,
    host: '127.0.0.1',
    port: 5672,
    username: 'guest',
    password: 'guest',
    saslMechanism: 'PLAIN',
    tls: false,
    idleTimeoutMs: 30_000,
    ...extra,
  };
}

type Channel = Awaited<ReturnType<Awaited<ReturnType<typeof amqplib.connect>>['createChannel']>>;

/** Runs `fn` on a fresh 0-9-1 channel (fresh connection each time: survives broker restarts). */
export async function withChannel<T>(fn: (ch: Channel) => Promise<T>): Promise<T> {
  const conn = await amqplib.connect(RABBIT_URL);
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    return await fn(ch);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

export interface QueueSpec {
  durable?: boolean;
  /** Dead-letter into this queue (through the default exchange). */
  deadLetterQueue?: string;
  maxPriority?: number;
}

export async function declareQueue(name: string, spec: QueueSpec = {}): Promise<void> {
  const args: Record<string, unknown> = {};
  if (spec.deadLetterQueue) {
    args['x-dead-letter-exchange'] = '';
    args['x-dead-letter-routing-key'] = spec.deadLetterQueue;
  }
  if (spec.maxPriority) args['x-max-priority'] = spec.maxPriority;
  await withChannel((ch) => ch.assertQueue(name, { durable: spec.durable ?? true, arguments: args }));
}

export async function deleteQueues(...names: string[]): Promise<void> {
  await withChannel(async (ch) => {
    for (const n of names) await ch.deleteQueue(n);
  });
}

/** Ready (not unacknowledged) messages in a queue. */
export async function countReady(name: string): Promise<number> {
  return withChannel(async (ch) => (await ch.checkQueue(name)).messageCount);
}

export async function queueExists(name: string): Promise<boolean> {
  try {
    await withChannel((ch) => ch.checkQueue(name));
    return true;
  } catch {
    return false;
  }
}

export interface Got {
  body: string;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
}

/** Takes every ready message (0-9-1 basic.get, auto-ack). */
export async function drain(name: string): Promise<Got[]> {
  return withChannel(async (ch) => {
    const out: Got[] = [];
    for (;;) {
      const m = await ch.get(name, { noAck: true });
      if (!m) return out;
      out.push({
        body: m.content.toString('utf8'),
        headers: (m.properties.headers ?? {}) as Record<string, unknown>,
        properties: m.properties as unknown as Record<string, unknown>,
      });
    }
  });
}

/** Publishes over 0-9-1 (persistent by default) and waits for the broker's confirms. */
export async function publish(
  queue: string,
  bodies: Array<string | Buffer>,
  opts: { messageIds?: boolean; persistent?: boolean } = {},
): Promise<void> {
  const conn = await amqplib.connect(RABBIT_URL);
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => undefined);
    bodies.forEach((b, i) => {
      ch.sendToQueue(queue, Buffer.isBuffer(b) ? b : Buffer.from(b), {
        persistent: opts.persistent ?? true,
        ...(opts.messageIds === false ? {} : { messageId: `${queue}-${i}-${randomUUID()}` }),
      });
    });
    await ch.waitForConfirms();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 120_000 });
  return stdout;
}

/** `rabbitmqctl stop_app`; always pair with {@link startApp} in a finally. */
export async function stopApp(): Promise<void> {
  await rabbitmqctl('stop_app');
}

/**
 * Waits until the broker answers AMQP (the broker is shared: another suite may be restarting it).
 * Throws after `ms` — a missing broker fails the test, it never skips it.
 */
export async function waitForBroker(ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await withChannel(async () => undefined);
      return;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(
          `RabbitMQ does not answer on ${RABBIT_URL.replace(/\/\/.*@/, '//')} (run scripts/rabbitmq-amqp1.sh): ${(e as Error).message}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** `rabbitmqctl start_app` and wait until AMQP answers again. */
export async function startApp(): Promise<void> {
  await rabbitmqctl('start_app');
  await rabbitmqctl('await_startup');
  await waitForBroker();
}

/** Deletes the server-named queues (amq.gen-*) bound with one of `routingKeys` (left by /topic receivers). */
export async function deleteTempQueues(routingKeys: string[]): Promise<string[]> {
  const out = await rabbitmqctl(
    'list_bindings',
    '-q',
    '--no-table-headers',
    'source_name',
    'destination_name',
    'routing_key',
  );
  const victims = new Set<string>();
  for (const line of out.split('\n')) {
    const [, dest, key] = line.split('\t');
    if (dest?.startsWith('amq.gen-') && key !== undefined && routingKeys.includes(key.trim())) victims.add(dest);
  }
  if (victims.size) await deleteQueues(...victims);
  return [...victims];
}

/** Sends raw AMQP 1.0 messages with rhea (for bodies Wharf itself never sends: amqp-value maps, sequences). */
export async function sendRaw(address: string, messages: Array<Record<string, unknown>>): Promise<void> {
  const container = rhea.create_container();
  const conn = container.connect({
    host: '127.0.0.1',
    port: 5672,
    username: 'guest',
    password: 'guest',
    reconnect: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const sender = conn.open_sender({ target: { address } });
      let sent = false;
      let settled = 0;
      sender.on('sendable', () => {
        if (sent) return;
        sent = true;
        for (const m of messages) sender.send(m as unknown as Parameters<typeof sender.send>[0]);
      });
      sender.on('accepted', () => {
        if (++settled === messages.length) resolve();
      });
      sender.on('rejected', (c) => reject(new Error(`rejected: ${JSON.stringify(c.delivery?.remote_state)}`)));
      conn.on('disconnected', (c) => reject(c.error ?? new Error('disconnected')));
      conn.on('connection_error', (c) => reject(c.connection.error ?? new Error('connection error')));
    });
  } finally {
    await new Promise<void>((r) => {
      const t = setTimeout(r, 1000);
      conn.once('connection_close', () => {
        clearTimeout(t);
        r();
      });
      conn.close();
    });
  }
}

export interface RawReceived {
  message: Record<string, unknown>;
  body: Buffer;
}

/**
 * Receives (and accepts) everything in `address` over AMQP 1.0 until no message came for `idleMs`.
 * The queue must exist (`/amq/queue/Q`).
 */
export async function receiveRaw(address: string, idleMs = 700): Promise<RawReceived[]> {
  const container = rhea.create_container();
  const conn = container.connect({
    host: '127.0.0.1',
    port: 5672,
    username: 'guest',
    password: 'guest',
    reconnect: false,
  });
  const got: RawReceived[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let t = setTimeout(resolve, idleMs * 3);
      const receiver = conn.open_receiver({ source: { address }, credit_window: 500 });
      receiver.on('message', (c) => {
        const m = c.message as unknown as Record<string, unknown>;
        got.push({ message: m, body: rawBody(m['body']) });
        clearTimeout(t);
        t = setTimeout(resolve, idleMs);
      });
      conn.on('disconnected', (c) => reject(c.error ?? new Error('disconnected')));
      conn.on('session_error', (c) => reject(new Error(String(c.session?.error?.description ?? 'session error'))));
    });
  } finally {
    await new Promise<void>((r) => {
      const t = setTimeout(r, 1000);
      conn.once('connection_close', () => {
        clearTimeout(t);
        r();
      });
      conn.close();
    });
  }
  return got;
}
