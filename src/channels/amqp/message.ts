/** How an AMQP message looks to a service, and how it is copied when republished (pure). */
import type { Message, MessageProperties, Options } from 'amqplib';
import type { Headers } from '../../service/service.js';
import { DELIVERY_COUNT_HEADER } from './attempts.js';
import { PUBLISH_ID_HEADER } from '../../connectors/amqp/publisher.js';

function headerValue(v: unknown): string | string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : (JSON.stringify(x) ?? String(x))));
  // amqplib gives typed values as { '!': type, value }
  if (typeof v === 'object' && '!' in v && 'value' in v) return headerValue((v as { value: unknown }).value);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

const PROPERTIES: ReadonlyArray<[keyof MessageProperties, string]> = [
  ['correlationId', 'amqp-correlation-id'],
  ['replyTo', 'amqp-reply-to'],
  ['messageId', 'amqp-message-id'],
  ['contentType', 'amqp-content-type'],
  ['contentEncoding', 'amqp-content-encoding'],
  ['type', 'amqp-type'],
  ['appId', 'amqp-app-id'],
  ['userId', 'amqp-user-id'],
  ['timestamp', 'amqp-timestamp'],
  ['priority', 'amqp-priority'],
  ['deliveryMode', 'amqp-delivery-mode'],
  ['expiration', 'amqp-expiration'],
];

/**
 * `request.headers` for a message: its AMQP headers (names lower-cased, values as strings, nested
 * values as JSON), then its properties and delivery facts under `amqp-*` names, which win on clashes.
 */
export function requestHeaders(msg: Message, queue: string, attempt: number): Headers {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(msg.properties.headers ?? {})) {
    if (k === PUBLISH_ID_HEADER) continue;
    const hv = headerValue(v);
    if (hv !== undefined) out[k.toLowerCase()] = hv;
  }
  for (const [prop, name] of PROPERTIES) {
    const hv = headerValue(msg.properties[prop]);
    if (hv !== undefined) out[name] = hv;
  }
  out['amqp-exchange'] = msg.fields.exchange;
  out['amqp-routing-key'] = msg.fields.routingKey;
  out['amqp-redelivered'] = String(msg.fields.redelivered);
  out['amqp-queue'] = queue;
  out['amqp-attempt'] = String(attempt);
  return out;
}

/** The message's properties as publish options, minus broker-managed headers (and user-id), plus `extraHeaders`. */
export function copyProperties(msg: Message, extraHeaders: Record<string, unknown>): Options.Publish {
  const p = msg.properties;
  const headers: Record<string, unknown> = { ...(p.headers ?? {}) };
  delete headers[DELIVERY_COUNT_HEADER];
  delete headers[PUBLISH_ID_HEADER];
  Object.assign(headers, extraHeaders);
  const out: Options.Publish = { headers };
  const copy = <K extends keyof Options.Publish & keyof MessageProperties>(k: K): void => {
    if (p[k] !== undefined && p[k] !== null) (out as Record<string, unknown>)[k] = p[k];
  };
  copy('contentType');
  copy('contentEncoding');
  copy('deliveryMode');
  copy('priority');
  copy('correlationId');
  copy('replyTo');
  copy('expiration');
  copy('messageId');
  copy('timestamp');
  copy('type');
  copy('appId');
  // The broker checks user-id against the publishing connection's user, which may differ: keep it as a header.
  if (p.userId !== undefined && p.userId !== null) headers['x-wharf-user-id'] ??= p.userId;
  return out;
}

/** A short id for logs: the message id, else the correlation id, else the delivery tag. */
export function messageLabel(msg: Message): string {
  const p = msg.properties;
  if (p.messageId !== undefined && p.messageId !== null) return `message ${String(p.messageId)}`;
  if (p.correlationId !== undefined && p.correlationId !== null)
    return `message with correlation id ${String(p.correlationId)}`;
  return `delivery ${msg.fields.deliveryTag}`;
}
