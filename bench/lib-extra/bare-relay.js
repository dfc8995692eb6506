/**
 * Scenario M's bare references, one process pinned to the server core, doing by hand what Wharf's
 * channel → service → outgoing does: consume, JSON.parse, publish (waiting for the broker's confirm
 * / accepted outcome), then ack / accept.
 *   node bench/lib-extra/bare-relay.js '<json options>'
 * modes:
 *   amqp    amqplib: consumer connection (prefetch) on `in`, publisher connection with a confirm
 *           channel; publish to `out` (default exchange, persistent, mandatory, messageId) → on the
 *           confirm, ack the delivery.
 *   amqp1   rhea: receiver on /amq/queue/`in` (credit, manual settlement), sender on /amq/queue/`out`
 *           (durable, one data section); on `accepted` of the sent message, accept the delivery.
 *   zeromq  zeromq.js: PULL bound on `pullAddress`, PUSH connected to `pushAddress`; each message parsed
 *           and sent on, one at a time.
 * Prints `ready` once consuming; stops on SIGTERM.
 */
import { randomUUID } from 'node:crypto';

const o = JSON.parse(process.argv[2] ?? '{}');
const ready = () => process.stdout.write('ready\n');
let stop = async () => {};
process.on('SIGTERM', () => void stop().finally(() => process.exit(0)));

if (o.mode === 'amqp') {
  const amqp = await import('amqplib');
  const url = o.url ?? 'amqp://guest:guest@127.0.0.1:5672';
  const cConn = await amqp.connect(url);
  const pConn = await amqp.connect(url);
  const ch = await cConn.createChannel();
  const pub = await pConn.createConfirmChannel();
  pub.on('return', (m) => process.stderr.write(`returned: ${m.fields.replyText}\n`));
  await ch.prefetch(o.prefetch ?? 100);
  await ch.consume(o.in, (msg) => {
    if (!msg) return;
    let obj;
    try {
      obj = JSON.parse(msg.content.toString('utf8'));
    } catch {
      ch.nack(msg, false, false);
      return;
    }
    pub.publish(
      '',
      o.out,
      Buffer.from(JSON.stringify(obj)),
      {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId: randomUUID(),
        timestamp: Date.now(),
      },
      (err) => {
        if (err) ch.nack(msg, false, true);
        else ch.ack(msg);
      },
    );
  });
  stop = async () => {
    await cConn.close().catch(() => {});
    await pConn.close().catch(() => {});
  };
  ready();
} else if (o.mode === 'amqp1') {
  const rhea = (await import('rhea')).default;
  const container = rhea.create_container();
  const opts = { host: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', reconnect: false };
  const rConn = container.connect(opts);
  const sConn = container.connect(opts);
  const sender = sConn.open_sender({ target: { address: `/amq/queue/${o.out}` } });
  // Same flow control as Wharf's channel (and as AMQP 0-9-1's prefetch): credit + unsettled ≤ window,
  // topped up in quarters as deliveries are settled — not rhea's credit_window, which re-grants credit
  // on arrival and so leaves the number of unsettled messages unbounded.
  const window = o.credit ?? 100;
  let unsettled = 0;
  const receiver = rConn.open_receiver({
    source: { address: `/amq/queue/${o.in}` },
    autoaccept: false,
    credit_window: 0,
  });
  const topUp = (force) => {
    const want = window - receiver.credit - unsettled;
    if (want > 0 && (force || want >= Math.max(1, Math.floor(window / 4)))) receiver.add_credit(want);
  };
  const settle = (d, how) => {
    d[how]();
    unsettled--;
    topUp(false);
  };
  receiver.once('receiver_open', () => topUp(true));
  receiver.on('message', (ctx) => {
    unsettled++;
    const d = ctx.delivery;
    let obj;
    try {
      const body = ctx.message.body;
      const buf =
        body && body.typecode === 0x75
          ? body.content
          : Buffer.isBuffer(body)
            ? body
            : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      obj = JSON.parse(buf.toString('utf8'));
    } catch {
      settle(d, 'reject');
      return;
    }
    const sent = sender.send({
      message_id: randomUUID(),
      durable: true,
      content_type: 'application/json',
      body: rhea.message.data_section(Buffer.from(JSON.stringify(obj))),
    });
    sent.__in = d;
  });
  const relay = (how) => (ctx) => ctx.delivery.__in && settle(ctx.delivery.__in, how);
  sConn.on('accepted', relay('accept'));
  sConn.on('rejected', relay('release'));
  sConn.on('released', relay('release'));
  let n = 0;
  const both = () => ++n === 2 && ready();
  receiver.once('receiver_open', both);
  sender.once('sendable', both);
  stop = async () => {
    rConn.close();
    sConn.close();
  };
} else if (o.mode === 'zeromq') {
  const zmq = await import('zeromq');
  const pull = new zmq.Pull({ receiveHighWaterMark: 1000 });
  const push = new zmq.Push({ sendHighWaterMark: 1000 });
  await pull.bind(o.pullAddress);
  push.connect(o.pushAddress);
  if (process.env.BENCH_M_BARE_IO_NICE) {
    // The same scheduling as Wharf's default (its I/O thread niced), to compare like with like.
    const { lowerIoThreadPriority } = await import('../../dist/connectors/zeromq/io-threads.js');
    lowerIoThreadPriority({ WHARF_ZMQ_IO_NICE: process.env.BENCH_M_BARE_IO_NICE });
  }
  ready();
  stop = async () => {
    pull.close();
    push.linger = 2000;
    push.close();
  };
  for await (const [msg] of pull) {
    const obj = JSON.parse(msg.toString('utf8'));
    await push.send(JSON.stringify(obj));
  }
} else {
  throw new Error(`unknown mode ${o.mode}`);
}
