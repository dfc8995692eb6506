/**
 * Fake AMQP 0-9-1, AMQP 1.0, MQTT and ZeroMQ outgoing connections for `testService`: each records what
 * the service sends. `onSend` may throw (or reject) to play a broker that refuses the message.
 */
import type { AmqpMessage, AmqpSendOptions } from '../../outgoing/amqp/encode.js';
import type { AmqpOutgoing } from '../../outgoing/amqp/connector.js';
import type { Amqp1Outgoing } from '../../outgoing/amqp1/outgoing.js';
import type { Amqp1Body, Amqp1SendOptions } from '../../connectors/amqp1/message.js';
import type { MqttOutgoing, MqttPublishOptions } from '../../outgoing/mqtt/outgoing.js';
import type { MqttPayload } from '../../outgoing/mqtt/payload.js';
import type { ZeromqOutgoing, ZeromqSendOptions } from '../../outgoing/zeromq/outgoing.js';
import type { ZeromqMessage } from '../../outgoing/zeromq/frames.js';

export interface SentMessage<M, O> {
  /** The connection name the service asked for. */
  readonly connection: string;
  readonly message: M;
  readonly options: O | undefined;
}

export interface FakeSenderOptions<M, O> {
  /** Called for each message before it is recorded; throw to make the send fail. */
  onSend?: (message: M, options: O | undefined) => void | Promise<void>;
}

export interface FakeSender<K extends string, M, O, H> {
  readonly kind: K;
  /** Every message sent (only those `onSend` accepted), in order. */
  readonly sent: readonly SentMessage<M, O>[];
  /** @internal what the service sees */
  connection(name: string): H;
}

function recorder<M, O>(name: string, sent: SentMessage<M, O>[], opts: FakeSenderOptions<M, O>) {
  return async (message: M, options: O | undefined): Promise<void> => {
    if (opts.onSend) await opts.onSend(message, options);
    sent.push({ connection: name, message, options });
  };
}

export type FakeAmqp = FakeSender<'amqp', AmqpMessage, AmqpSendOptions, AmqpOutgoing>;
export type FakeAmqp1 = FakeSender<'amqp1', Amqp1Body, Amqp1SendOptions, Amqp1Outgoing>;
export type FakeMqtt = FakeSender<'mqtt', MqttPayload, MqttPublishOptions, MqttOutgoing>;
export type FakeZeromq = FakeSender<'zeromq', ZeromqMessage, ZeromqSendOptions, ZeromqOutgoing>;

/** `outgoing: { amqp: { orders: fakeAmqp() } }`; `this.outgoing.amqp('orders').send(msg)` is recorded. */
export function fakeAmqp(opts: FakeSenderOptions<AmqpMessage, AmqpSendOptions> = {}): FakeAmqp {
  const sent: SentMessage<AmqpMessage, AmqpSendOptions>[] = [];
  return {
    kind: 'amqp',
    sent,
    connection: (name) => ({ name, send: recorder(name, sent, opts) }),
  };
}

/** `outgoing: { amqp1: { orders: fakeAmqp1({ address: 'orders' }) } }`. */
export function fakeAmqp1(
  opts: FakeSenderOptions<Amqp1Body, Amqp1SendOptions> & {
    address?: string;
  } = {},
): FakeAmqp1 {
  const sent: SentMessage<Amqp1Body, Amqp1SendOptions>[] = [];
  return {
    kind: 'amqp1',
    sent,
    connection: (name) => ({
      address: opts.address ?? name,
      send: recorder(name, sent, opts),
    }),
  };
}

/** `outgoing: { mqtt: { sensors: fakeMqtt() } }`; `publish(payload, opts)` is recorded. */
export function fakeMqtt(opts: FakeSenderOptions<MqttPayload, MqttPublishOptions> = {}): FakeMqtt {
  const sent: SentMessage<MqttPayload, MqttPublishOptions>[] = [];
  return {
    kind: 'mqtt',
    sent,
    connection: (name) => ({ publish: recorder(name, sent, opts) }),
  };
}

/** `outgoing: { zeromq: { feed: fakeZeromq() } }`. */
export function fakeZeromq(opts: FakeSenderOptions<ZeromqMessage, ZeromqSendOptions> = {}): FakeZeromq {
  const sent: SentMessage<ZeromqMessage, ZeromqSendOptions>[] = [];
  return {
    kind: 'zeromq',
    sent,
    connection: (name) => ({ send: recorder(name, sent, opts) }),
  };
}
