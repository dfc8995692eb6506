/**
 * Test helpers that talk to the real broker with plain amqplib (no Wharf code in between), for the
 * AMQP integration tests: declare and delete queues, publish with confirms, count and drain.
 */
import { randomUUID } from 'node:crypto';
import { openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import type { ConfigObject } from '../../src/config/kind.js';

export const BROKER_HOST = process.env['WHARF_TEST_AMQP_HOST'] ?? '127.0.0.1';
export const BROKER_PORT = Number(process.env['WHARF_TEST_AMQP_PORT'] ?? 5672);

/** A `definitions.amqp` object for the local test broker (guest/guest), with fast reconnects. */
export function testDefinition(name: string, extra: Record<string, unknown> = {}): ConfigObject {
  return {
    name,
    active: true,
    host: BROKER_HOST,
    port: BROKER_PORT,
    username: 'guest',
    password: 'guest',
    heartbeat: 5,
    reconnectDelayMs: 100,
    reconnectMaxDelayMs: 1000,
    connectionName: 'wharf-test',
    ...extra,
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}.${randomUUID().slice(0, 8)}`;
}

export class RawBroker {
  private constructor(
    readonly model: ChannelModel,
    readonly ch: ConfirmChannel,
  ) {}

  static async open(vhost = '/'): Promise<RawBroker> {
    const model = await connect(
      { hostname: BROKER_HOST, port: BROKER_PORT, username: 'guest', password: 'guest', heartbeat: 0, vhost },
      { clientProperties: { connection_name: 'wharf-test-raw' } },
    );
    model.on('error', () => undefined);
    const ch = await model.createConfirmChannel();
    ch.on('error', () => undefined);
    return new RawBroker(model, ch);
  }

  /** Opens, retrying for up to `timeoutMs` while the broker is (re)starting; then fails with its error. */
  static async openWhenReady(vhost = '/', timeoutMs = 30_000): Promise<RawBroker> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await RawBroker.open(vhost);
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async queue(name: string, opts: Options.AssertQueue = { durable: false }): Promise<string> {
    await this.ch.assertQueue(name, opts);
    return name;
  }

  async publish(queue: string, body: string | Buffer | object, props: Options.Publish = {}): Promise<void> {
    const buf =
      typeof body === 'string' ? Buffer.from(body) : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    await new Promise<void>((resolve, reject) => {
      this.ch.sendToQueue(queue, buf, props, (err: unknown) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      );
    });
  }

  async publishMany(queue: string, bodies: Array<string | object>, props: Options.Publish = {}): Promise<void> {
    for (const b of bodies) {
      const buf = typeof b === 'string' ? Buffer.from(b) : Buffer.from(JSON.stringify(b));
      this.ch.sendToQueue(queue, buf, props);
    }
    await this.ch.waitForConfirms();
  }

  /** Ready messages (not counting those delivered and unacked). */
  async ready(queue: string): Promise<number> {
    return (await this.ch.checkQueue(queue)).messageCount;
  }

  /** Takes every ready message off `queue` (acking them) with a plain consumer. */
  async drain(queue: string, idleMs = 500): Promise<ConsumeMessage[]> {
    const ch = await this.model.createChannel();
    const got: ConsumeMessage[] = [];
    let last = Date.now();
    const { consumerTag } = await ch.consume(queue, (m) => {
      if (!m) return;
      got.push(m);
      last = Date.now();
      ch.ack(m);
    });
    while (Date.now() - last < idleMs) await new Promise((r) => setTimeout(r, 50));
    await ch.cancel(consumerTag);
    await ch.close();
    return got;
  }

  /** Waits until `queue` has `n` ready messages (or throws after `timeoutMs`). */
  async waitReady(queue: string, n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.ready(queue);
      if (c >= n) return;
      if (Date.now() > deadline) throw new Error(`queue ${queue}: ${c} ready messages, expected ${n}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async delete(...queues: string[]): Promise<void> {
    for (const q of queues) await this.ch.deleteQueue(q).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }
}

/**
 * A cross-process lock around tests that disturb the broker (restarting it, closing connections) and
 * tests that need it undisturbed: vitest runs test files in parallel worker processes. Returns the
 * release function. A lock left by a dead process is taken over.
 */
export async function acquireBrokerLock(timeoutMs = 110_000): Promise<() => void> {
  const path = join(tmpdir(), 'wharf-test-rabbitmq.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(path, 'utf8'));
    } catch {
      continue;
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      try {
        unlinkSync(path);
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`broker test lock ${path} still held by pid ${holder} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
