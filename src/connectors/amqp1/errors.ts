/** Readable text for the many shapes of error rhea hands out (AMQP error frames, socket errors, strings). */

export interface AmqpErrorLike {
  condition?: unknown;
  description?: unknown;
  message?: unknown;
  code?: unknown;
}

/** `amqp:not-found: no queue 'x' in vhost '/'`, `ECONNREFUSED 127.0.0.1:5672`, ... */
export function describeAmqpError(e: unknown): string {
  if (e === undefined || e === null) return 'no reason given';
  if (typeof e === 'string') return e;
  if (e instanceof AggregateError && e.errors.length) return e.errors.map(describeAmqpError).join('; ');
  if (typeof e === 'object') {
    const o = e as AmqpErrorLike;
    const condition =
      typeof o.condition === 'string'
        ? o.condition
        : typeof o.condition === 'object' && o.condition
          ? String((o.condition as { value?: unknown }).value ?? '')
          : '';
    const text =
      typeof o.description === 'string' && o.description
        ? o.description
        : typeof o.message === 'string'
          ? o.message
          : '';
    const code = typeof o.code === 'string' && !text.includes(o.code) ? o.code : '';
    const parts = [condition, code, text].filter((p) => p);
    if (parts.length) return parts.join(': ');
  }
  return String(e);
}

/** The AMQP condition (`amqp:not-found`), if any. */
export function conditionOf(e: unknown): string | undefined {
  if (e && typeof e === 'object' && typeof (e as AmqpErrorLike).condition === 'string')
    return (e as AmqpErrorLike).condition as string;
  return undefined;
}
