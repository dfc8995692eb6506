/**
 * The countable AMQP flow of the chaos run: our own publisher puts numbered persistent messages
 * `{ "id": n }` (messageId n) on the durable queue `chaos.in` at a steady rate with publisher
 * confirms; Wharf's AMQP channel consumes it into a service that forwards `{ id }` through an
 * outgoing AMQP connection to the durable queue `chaos.out`; our own sink consumes `chaos.out` and
 * counts each id. A message confirmed by the broker that never reaches the sink is lost; an id seen
 * twice is duplicated. Publisher and sink reconnect by themselves (the broker is restarted during the
 * run); a publish whose confirm never came is published again (counted in `resent`: a message the
 * broker had taken before the cut may then reach the sink twice — the table says how many).
 */
import amqp from 'amqplib';
import { sleep } from '../lib/proc.js';

export const IN_QUEUE = 'chaos.in';
export const OUT_QUEUE = 'chaos.out';

async function connectRetry(url, stopped) {
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    if (stopped()) return undefined;
    try {
      return await amqp.connect(url);
    } catch {
      await sleep(delay);
    }
  }
}

export async function declareQueues(url, q = { in: IN_QUEUE, out: OUT_QUEUE }) {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  await ch.assertQueue(q.in, { durable: true });
  await ch.assertQueue(q.out, { durable: true });
  await ch.purgeQueue(q.in);
  await ch.purgeQueue(q.out);
  await conn.close();
}

export async function deleteQueues(url, q) {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  await ch.deleteQueue(q.in);
  await ch.deleteQueue(q.out);
  await conn.close();
}

/** The sink: counts every id that reaches chaos.out. */
export function startSink(url, queue = OUT_QUEUE) {
  const counts = new Map();
  let stopped = false;
  let conn;
  let redeliveredSkipped = 0;
  const lastAt = { t: 0 };
  (async () => {
    while (!stopped) {
      conn = await connectRetry(url, () => stopped);
      if (!conn) return;
      const closed = new Promise((r) => {
        conn.on('close', r);
        conn.on('error', () => undefined);
      });
      try {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        await ch.prefetch(200);
        await ch.consume(queue, (m) => {
          if (!m) return;
          let id;
          try {
            id = JSON.parse(m.content.toString('utf8')).id;
          } catch {
            id = `bad:${m.content.toString('utf8').slice(0, 40)}`;
          }
          const seen = counts.get(id) ?? 0;
          // Our own consumer's redelivery (the sink's connection dropped before its ack) is not Wharf's duplicate.
          if (m.fields.redelivered && seen > 0) redeliveredSkipped++;
          else counts.set(id, seen + 1);
          lastAt.t = Date.now();
          ch.ack(m);
        });
      } catch {
        /* broker going away: wait for the close */
      }
      await closed;
    }
  })();
  return {
    counts,
    lastReceivedAt: () => lastAt.t,
    redeliveredSkipped: () => redeliveredSkipped,
    async stop() {
      stopped = true;
      await conn?.close().catch(() => undefined);
    },
  };
}

/** The publisher: `rate` messages per second, ids 1, 2, 3 ... */
export function startPublisher(url, rate, queue = IN_QUEUE) {
  let next = 1;
  let stopped = false;
  let paused = false;
  const confirmed = new Set();
  const confirmedAt = new Map();
  const pending = new Map(); // id → first publish time
  let resent = 0;
  let conn;
  let ch;
  const publishOne = (id) =>
    new Promise((resolve) => {
      try {
        ch.publish(
          '',
          queue,
          Buffer.from(JSON.stringify({ id })),
          { persistent: true, messageId: String(id), contentType: 'application/json' },
          (err) => {
            if (!err) {
              confirmed.add(id);
              confirmedAt.set(id, Date.now());
              pending.delete(id);
            }
            resolve(!err);
          },
        );
      } catch {
        resolve(false);
      }
    });
  (async () => {
    while (!stopped) {
      conn = await connectRetry(url, () => stopped);
      if (!conn) return;
      let alive = true;
      conn.on('error', () => undefined);
      conn.on('close', () => (alive = false));
      try {
        ch = await conn.createConfirmChannel();
        ch.on('error', () => undefined);
        // Everything published on a connection that died without its confirm goes again.
        for (const id of [...pending.keys()].sort((a, b) => a - b)) {
          resent++;
          void publishOne(id);
        }
        const gap = 1000 / rate;
        let t = performance.now();
        while (alive && !stopped) {
          if (!paused) {
            const id = next++;
            pending.set(id, Date.now());
            void publishOne(id);
          }
          t += gap;
          const wait = t - performance.now();
          if (wait > 0) await sleep(wait);
          else t = performance.now();
        }
      } catch {
        /* the connection went away while opening the channel */
      }
      await sleep(50);
    }
  })();
  return {
    confirmed,
    confirmedAt,
    pending,
    lastId: () => next - 1,
    resent: () => resent,
    pause: () => (paused = true),
    resume: () => (paused = false),
    async stop() {
      stopped = true;
      await conn?.close().catch(() => undefined);
    },
  };
}

/**
 * Figures for the ids in [from, to]: confirmed by the broker, received by the sink, lost (confirmed,
 * never received), duplicated (extra copies), unconfirmed (published, no confirm yet).
 */
export function tally(pub, sink, from, to) {
  let sent = 0;
  let received = 0;
  let lost = 0;
  let dup = 0;
  let unconfirmed = 0;
  for (let id = from; id <= to; id++) {
    const n = sink.counts.get(id) ?? 0;
    if (pub.confirmed.has(id)) sent++;
    else if (pub.pending.has(id)) unconfirmed++;
    if (n > 0) received++;
    if (n > 1) dup += n - 1;
    if (pub.confirmed.has(id) && n === 0) lost++;
  }
  return { sent, received, lost, duplicated: dup, unconfirmed };
}

/** Waits (up to timeoutMs) until every confirmed id in [from, to] reached the sink; resolves the ms waited. */
export async function drain(pub, sink, from, to, timeoutMs) {
  const t0 = Date.now();
  for (;;) {
    let missing = 0;
    for (let id = from; id <= to; id++)
      if ((pub.confirmed.has(id) || pub.pending.has(id)) && !sink.counts.has(id)) missing++;
    if (missing === 0 || Date.now() - t0 > timeoutMs) return { waitedMs: Date.now() - t0, missing };
    await sleep(200);
  }
}
