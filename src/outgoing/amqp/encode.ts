/** Turns a `send(message, opts)` call into what is published (pure, unit-tested). */
import { randomUUID } from 'node:crypto';
import type { Options } from 'amqplib';
import { z } from 'zod';
import { describeIssues } from '../../config/kind.js';
import { WharfError } from '../../errors.js';
import type { AmqpOutgoingConfig } from './kind.js';

/** A message: text (UTF-8), bytes as they are, or anything else JSON-encoded. */
export type AmqpMessage = string | Buffer | Uint8Array | object;

const shortStr = z.string().max(255, 'must be at most 255 characters');

export const sendOptionsSchema = z.strictObject({
  routingKey: shortStr.optional(),
  exchange: shortStr.optional(),
  headers: z.record(z.string(), z.unknown()).optional(),
  correlationId: shortStr.optional(),
  messageId: shortStr.optional(),
  replyTo: shortStr.optional(),
  priority: z.number().int().min(0).max(255).optional(),
  expiration: z.union([z.number().int().min(0), z.string().regex(/^\d+$/, 'must be a number of ms')]).optional(),
  contentType: shortStr.optional(),
  contentEncoding: shortStr.optional(),
  type: shortStr.optional(),
  deliveryMode: z.union([z.literal(1), z.literal(2)]).optional(),
});

export interface AmqpSendOptions {
  /** Default: the connection's `routingKey`. */
  routingKey?: string;
  /** Default: the connection's `exchange`. */
  exchange?: string;
  headers?: Record<string, unknown>;
  correlationId?: string;
  /** Default: a new UUID. */
  messageId?: string;
  replyTo?: string;
  priority?: number;
  /** Per-message TTL in ms. */
  expiration?: number | string;
  contentType?: string;
  contentEncoding?: string;
  type?: string;
  /** 1 transient, 2 persistent; default the connection's `deliveryMode`. */
  deliveryMode?: 1 | 2;
}

export interface Encoded {
  body: Buffer;
  contentType: string;
}

export interface PreparedPublish {
  exchange: string;
  routingKey: string;
  body: Buffer;
  options: Options.Publish;
}

function bad(name: string, what: string): WharfError {
  return new WharfError('WHARF_ERR_BAD_REQUEST', [`AMQP outgoing \`${name}\`: ${what}`]);
}

export function encodeMessage(name: string, message: unknown): Encoded {
  if (typeof message === 'string')
    return { body: Buffer.from(message, 'utf8'), contentType: 'text/plain; charset=utf-8' };
  if (Buffer.isBuffer(message)) return { body: message, contentType: 'application/octet-stream' };
  if (message instanceof Uint8Array)
    return {
      body: Buffer.from(message.buffer, message.byteOffset, message.byteLength),
      contentType: 'application/octet-stream',
    };
  if (message === undefined) throw bad(name, 'send() needs a message (string, Buffer or a JSON-encodable value)');
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (e) {
    throw bad(name, `the message cannot be JSON-encoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (json === undefined)
    throw bad(name, `a ${typeof message} cannot be JSON-encoded; send a string, a Buffer or an object`);
  return { body: Buffer.from(json, 'utf8'), contentType: 'application/json' };
}

export function preparePublish(config: AmqpOutgoingConfig, message: unknown, rawOpts: unknown): PreparedPublish {
  const parsed = sendOptionsSchema.safeParse(rawOpts ?? {});
  if (!parsed.success) throw bad(config.name, `invalid send options: ${describeIssues(parsed.error).join('; ')}`);
  const opts = parsed.data;
  const encoded = encodeMessage(config.name, message);
  const exchange = opts.exchange ?? config.exchange;
  const routingKey = opts.routingKey ?? config.routingKey;
  if (exchange === '' && routingKey === '') {
    throw bad(
      config.name,
      'no routing key: the default exchange routes by queue name, so pass { routingKey } or set routingKey on the connection',
    );
  }
  const options: Options.Publish = {
    deliveryMode: opts.deliveryMode ?? config.deliveryMode,
    contentType: opts.contentType ?? config.contentType ?? encoded.contentType,
    messageId: opts.messageId ?? randomUUID(),
    timestamp: Math.floor(Date.now() / 1000),
  };
  const set = <K extends keyof Options.Publish>(k: K, v: Options.Publish[K] | undefined): void => {
    if (v !== undefined) options[k] = v;
  };
  set('contentEncoding', opts.contentEncoding ?? config.contentEncoding);
  set('priority', opts.priority ?? config.priority);
  const exp = opts.expiration ?? config.expiration;
  set('expiration', exp === undefined ? undefined : String(exp));
  set('appId', config.appId);
  set('userId', config.userId);
  set('headers', opts.headers);
  set('correlationId', opts.correlationId);
  set('replyTo', opts.replyTo);
  set('type', opts.type);
  return { exchange, routingKey, body: encoded.body, options };
}
