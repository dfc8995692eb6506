/**
 * AMQP 1.0 node addresses. RabbitMQ's plugin gives meaning to four forms; every other broker (IBM MQ,
 * ActiveMQ, Artemis, Azure Service Bus, Qpid) takes its own queue/topic names, which pass through untouched.
 *
 *   /amq/queue/Q    an existing queue Q; never declares. Receiving from a missing Q fails (not-found);
 *                   sending to a missing Q is accepted and DROPPED by RabbitMQ, so senders probe it first.
 *   /queue/Q        declares Q (durable: we set the terminus durable) then uses it; fails with
 *                   precondition-failed if Q exists non-durable or with arguments (DLX, max-priority...).
 *   /topic/K        publishes to amq.topic with routing key K; a receiver gets a new server-named queue
 *                   (amq.gen-*) bound with K, which RabbitMQ 3.10 does not delete when the link closes.
 *   /exchange/X/K   publishes to exchange X with routing key K (`/exchange/X`: the message subject is the key);
 *                   a receiver gets a server-named queue bound to X with K, like /topic.
 */

export type AddressForm = 'amq-queue' | 'queue' | 'topic' | 'exchange' | 'name';

export interface ParsedAddress {
  readonly address: string;
  readonly form: AddressForm;
  readonly queue?: string;
  readonly exchange?: string;
  readonly routingKey?: string;
  /** Sending there may be silently dropped by RabbitMQ when the queue is missing: probe before sending. */
  readonly probeBeforeSend: boolean;
  /** A receiver there makes a new server-named queue (RabbitMQ). */
  readonly temporaryQueue: boolean;
}

export type AddressResult = { ok: true; value: ParsedAddress } | { ok: false; reason: string };

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function parseAddress(address: string): AddressResult {
  if (typeof address !== 'string' || address.trim() === '') return { ok: false, reason: 'must not be empty' };
  if (address !== address.trim()) return { ok: false, reason: 'must not start or end with spaces' };
  if (Buffer.byteLength(address, 'utf8') > 1024) return { ok: false, reason: 'must be at most 1024 bytes' };
  const base = { address, probeBeforeSend: false, temporaryQueue: false };
  const m = /^\/(amq\/queue|queue|topic|exchange)(?:\/(.*))?$/.exec(address);
  if (!m) return { ok: true, value: { ...base, form: 'name' } };
  const rest = m[2];
  switch (m[1]) {
    case 'amq/queue':
      if (!rest || rest.includes('/')) return { ok: false, reason: '`/amq/queue/NAME` needs exactly one queue name' };
      return { ok: true, value: { ...base, form: 'amq-queue', queue: decode(rest), probeBeforeSend: true } };
    case 'queue':
      if (!rest || rest.includes('/')) return { ok: false, reason: '`/queue/NAME` needs exactly one queue name' };
      return { ok: true, value: { ...base, form: 'queue', queue: decode(rest) } };
    case 'topic':
      if (!rest) return { ok: false, reason: '`/topic/KEY` needs a routing key' };
      return {
        ok: true,
        value: { ...base, form: 'topic', exchange: 'amq.topic', routingKey: decode(rest), temporaryQueue: true },
      };
    default: {
      if (!rest) return { ok: false, reason: '`/exchange/NAME[/KEY]` needs an exchange name' };
      const slash = rest.indexOf('/');
      const exchange = decode(slash < 0 ? rest : rest.slice(0, slash));
      if (!exchange) return { ok: false, reason: '`/exchange/NAME[/KEY]` needs an exchange name' };
      const routingKey = slash < 0 ? '' : decode(rest.slice(slash + 1));
      return { ok: true, value: { ...base, form: 'exchange', exchange, routingKey, temporaryQueue: true } };
    }
  }
}

/** The terminus for a link to `address`: `/queue/Q` asks for a durable queue (RabbitMQ declares it durable). */
export function terminus(address: string): { address: string; durable?: number } {
  const p = parseAddress(address);
  if (p.ok && p.value.form === 'queue') return { address, durable: 2 };
  return { address };
}

/** A zod refinement helper: `undefined` when fine, else the reason. */
export function addressProblem(address: string): string | undefined {
  const r = parseAddress(address);
  return r.ok ? undefined : r.reason;
}
