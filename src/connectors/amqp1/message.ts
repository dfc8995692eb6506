/**
 * AMQP 1.0 message mapping, both ways, as pure functions.
 *
 * Outgoing bodies are always ONE data section (raw bytes) with a content type: that is what RabbitMQ hands
 * to AMQP 0-9-1 consumers unchanged and what Qpid JMS turns into a TextMessage (text / JSON / XML content
 * types) or a BytesMessage. Objects and arrays are JSON-encoded: a JS array given to rhea as the body would
 * become an AMQP list and crash the session on RabbitMQ. Multiple data sections are never sent (RabbitMQ
 * 3.10 hands them back in reverse order).
 *
 * Incoming bodies of every shape (data sections, amqp-value strings/binaries/maps/lists, sequences) become
 * the raw bytes a data-format codec parses; message properties become headers (see {@link messageHeaders}).
 */
import { createHash } from 'node:crypto';
import rhea from 'rhea';
import { WharfError } from '../../errors.js';
import type { Headers } from '../../service/service.js';

/** What a service may set per send; JMS names in brackets. */
export interface Amqp1SendOptions {
  /** [JMSMessageID] message-id; default a random UUID. Kept on resends so consumers can de-duplicate. */
  messageId?: string;
  /** [JMSCorrelationID] correlation-id. */
  correlationId?: string;
  /** [JMSReplyTo] reply-to address. */
  replyTo?: string;
  /** [JMSType] subject; also the routing key for `/exchange/X` addresses on RabbitMQ. */
  subject?: string;
  /** [JMSPriority] header.priority, 0-9 in JMS (AMQP allows 0-255); RabbitMQ needs x-max-priority on the queue. */
  priority?: number;
  /** [JMSExpiration] header.ttl in ms (absolute-expiry-time is set to creation-time + ttl). */
  ttlMs?: number;
  /** [JMSDeliveryMode] header.durable: true = PERSISTENT. */
  durable?: boolean;
  /** [JMS properties] application-properties: string, number, boolean or null values only. */
  applicationProperties?: Record<string, string | number | boolean | null>;
  /** Overrides the content type chosen from the body (e.g. `application/xml` for an XML string). */
  contentType?: string;
}

export type Amqp1Body = string | Buffer | Uint8Array | object;

/** Defaults from the outgoing connection's config. */
export interface MessageDefaults {
  durable: boolean;
  priority?: number | undefined;
  ttlMs?: number | undefined;
  subject?: string | undefined;
  applicationProperties?: Record<string, string | number | boolean | null> | undefined;
}

/** Qpid JMS's `x-opt-jms-msg-type` annotation values. */
const JMS_BYTES_MESSAGE = 3;
const JMS_TEXT_MESSAGE = 5;

export interface EncodedBody {
  bytes: Buffer;
  contentType: string;
  jmsType: number;
}

/** A service passed something `send` cannot send: a bug in the service (500), not bad client input. */
function bad(connection: string, what: string): WharfError {
  return new WharfError('WHARF_ERR_OUTGOING_USAGE', [`AMQP 1.0 outgoing \`${connection}\`: ${what}`]);
}

export function encodeBody(connection: string, body: unknown, contentType?: string): EncodedBody {
  if (typeof body === 'string')
    return {
      bytes: Buffer.from(body, 'utf8'),
      contentType: contentType ?? 'text/plain; charset=utf-8',
      jmsType: JMS_TEXT_MESSAGE,
    };
  if (Buffer.isBuffer(body))
    return { bytes: body, contentType: contentType ?? 'application/octet-stream', jmsType: JMS_BYTES_MESSAGE };
  if (body instanceof Uint8Array)
    return {
      bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      contentType: contentType ?? 'application/octet-stream',
      jmsType: JMS_BYTES_MESSAGE,
    };
  if (body === undefined || typeof body === 'function' || typeof body === 'symbol') {
    throw bad(connection, `body must be a string, a Buffer or a JSON-serialisable value, got ${typeof body}`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch (e) {
    throw bad(connection, `body cannot be JSON-encoded: ${(e as Error).message}`);
  }
  if (text === undefined) throw bad(connection, 'body cannot be JSON-encoded');
  return {
    bytes: Buffer.from(text, 'utf8'),
    contentType: contentType ?? 'application/json',
    jmsType: JMS_TEXT_MESSAGE,
  };
}

function checkProperties(connection: string, props: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(props)) {
    if (k === '') throw bad(connection, 'application property names must not be empty');
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number' && Number.isFinite(v)) continue;
    throw bad(
      connection,
      `application property \`${k}\` must be a string, a finite number, a boolean or null (AMQP simple types), got ${Array.isArray(v) ? 'array' : typeof v}`,
    );
  }
}

/** The rhea message for one send. `now` and `messageId` come from the caller (tests pass fixed ones). */
export function buildMessage(
  connection: string,
  defaults: MessageDefaults,
  body: unknown,
  opts: Amqp1SendOptions,
  messageId: string,
  now: number,
): Record<string, unknown> {
  const enc = encodeBody(connection, body, opts.contentType);
  const priority = opts.priority ?? defaults.priority;
  if (priority !== undefined && (!Number.isInteger(priority) || priority < 0 || priority > 255))
    throw bad(connection, `priority must be an integer 0-255, got ${priority}`);
  const ttl = opts.ttlMs ?? defaults.ttlMs;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0 || ttl > 0xffffffff))
    throw bad(connection, `ttlMs must be a positive integer (ms), got ${ttl}`);
  for (const [k, v] of Object.entries({
    messageId,
    correlationId: opts.correlationId,
    replyTo: opts.replyTo,
    subject: opts.subject,
    contentType: opts.contentType,
  })) {
    if (v !== undefined && (typeof v !== 'string' || v === ''))
      throw bad(connection, `${k} must be a non-empty string`);
  }
  const props = { ...(defaults.applicationProperties ?? {}), ...(opts.applicationProperties ?? {}) };
  checkProperties(connection, props);
  const subject = opts.subject ?? defaults.subject;
  const msg: Record<string, unknown> = {
    durable: opts.durable ?? defaults.durable,
    message_id: messageId,
    creation_time: new Date(now),
    content_type: enc.contentType,
    message_annotations: { 'x-opt-jms-msg-type': rhea.types.wrap_byte(enc.jmsType) },
    body: rhea.message.data_section(enc.bytes),
  };
  if (priority !== undefined) msg['priority'] = priority;
  if (ttl !== undefined) {
    msg['ttl'] = ttl;
    msg['absolute_expiry_time'] = new Date(now + ttl);
  }
  if (subject !== undefined) msg['subject'] = subject;
  if (opts.correlationId !== undefined) msg['correlation_id'] = opts.correlationId;
  if (opts.replyTo !== undefined) msg['reply_to'] = opts.replyTo;
  if (Object.keys(props).length) msg['application_properties'] = props;
  return msg;
}

// ---------------------------------------------------------------------------------------------------------
// Incoming

interface SectionLike {
  typecode: number;
  content: unknown;
  multiple?: boolean;
}

function isSection(v: unknown): v is SectionLike {
  return typeof v === 'object' && v !== null && typeof (v as SectionLike).typecode === 'number' && 'content' in v;
}

function jsonText(v: unknown): string {
  return (
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return x.toString();
      if (
        x &&
        typeof x === 'object' &&
        (x as { type?: unknown }).type === 'Buffer' &&
        Array.isArray((x as { data?: unknown }).data)
      ) {
        return Buffer.from((x as { data: number[] }).data).toString('base64');
      }
      return x;
    }) ?? 'null'
  );
}

const DATA = 0x75;
const SEQUENCE = 0x76;

/** The body as the bytes a codec parses. */
export function rawBody(body: unknown): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (isSection(body)) {
    if (body.typecode === DATA) {
      const parts = Array.isArray(body.content) ? (body.content as unknown[]) : [body.content];
      return Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(String(p ?? ''), 'utf8'))));
    }
    if (body.typecode === SEQUENCE) {
      const c = body.content;
      return Buffer.from(jsonText(body.multiple && Array.isArray(c) ? (c as unknown[]).flat() : c), 'utf8');
    }
    return rawBody(body.content);
  }
  return Buffer.from(jsonText(body), 'utf8');
}

/** message-id / correlation-id as text: strings as they are, binary ids (and UUIDs) as hex. */
export function idText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (typeof v === 'object' && Buffer.isBuffer((v as { value?: unknown }).value))
    return (v as { value: Buffer }).value.toString('hex');
  return jsonText(v);
}

function headerText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return jsonText(v);
}

export interface IncomingMessageLike {
  [field: string]: unknown;
}

/** AMQP header and properties fields → header names, in the order they are applied. */
const FIELD_HEADERS: ReadonlyArray<readonly [string, string, (v: unknown) => string | undefined]> = [
  ['message_id', 'message-id', idText],
  ['correlation_id', 'correlation-id', idText],
  ['user_id', 'user-id', (v) => (Buffer.isBuffer(v) ? v.toString('utf8') : headerText(v))],
  ['to', 'to', headerText],
  ['reply_to', 'reply-to', headerText],
  ['subject', 'subject', headerText],
  ['content_type', 'content-type', headerText],
  ['content_encoding', 'content-encoding', headerText],
  ['creation_time', 'creation-time', headerText],
  ['absolute_expiry_time', 'absolute-expiry-time', headerText],
  ['group_id', 'group-id', headerText],
  ['group_sequence', 'group-sequence', headerText],
  ['reply_to_group_id', 'reply-to-group-id', headerText],
  ['durable', 'durable', headerText],
  ['priority', 'priority', headerText],
  ['ttl', 'ttl', headerText],
  ['first_acquirer', 'first-acquirer', headerText],
  ['delivery_count', 'delivery-count', headerText],
];

/**
 * Headers a service sees (`this.request.headers`): application properties under their own names, message
 * annotations (`x-opt-*`, `x-death`...) under theirs, then the AMQP header and properties fields under
 * their AMQP names (`message-id`, `correlation-id`, `reply-to`, `subject`, `priority`, `durable`, `ttl`,
 * `creation-time`, ...), which win over an application property of the same name.
 */
export function messageHeaders(msg: IncomingMessageLike): Headers {
  const out: Record<string, string | undefined> = {};
  const app = msg['application_properties'];
  if (app && typeof app === 'object') for (const [k, v] of Object.entries(app)) out[k] = headerText(v);
  const ann = msg['message_annotations'];
  if (ann && typeof ann === 'object') for (const [k, v] of Object.entries(ann)) out[k] = headerText(v);
  for (const [field, name, fmt] of FIELD_HEADERS) {
    const v = fmt(msg[field]);
    if (v !== undefined) out[name] = v;
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * What identifies a message across redeliveries: its message-id, or else a hash of its body (the broker
 * gives no delivery count: RabbitMQ never sets delivery-count).
 */
export function redeliveryKey(msg: IncomingMessageLike, raw: Buffer): string {
  const id = idText(msg['message_id']);
  if (id !== undefined && id !== '') return `id:${id}`;
  return `sha256:${createHash('sha256').update(raw).digest('base64')}`;
}
