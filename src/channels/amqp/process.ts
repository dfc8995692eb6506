/**
 * What happens to one delivered message. The service runs; only when it succeeded (and its reply,
 * if the message has `replyTo`, was confirmed) is the message acked. Bad input (a WharfError with
 * status < 500: malformed JSON/XML, a missing element) is dead-lettered at once with the reason
 * logged; a failed service (5xx, timeout) is republished with its failure count until the limit,
 * then dead-lettered. Everything the broker must do is confirmed before the original is acked, so a
 * crash at any point loses nothing (at worst a message is processed again).
 */
import { randomUUID } from 'node:crypto';
import type { Message, Options } from 'amqplib';
import { normalizeError, toErrorBody, WharfError } from '../../errors.js';
import { PublishError } from '../../connectors/amqp/publisher.js';
import { sleep } from '../../connectors/amqp/time.js';
import type { MessageInvocation } from '../../connectors/types.js';
import { codecs, type CodecOptions } from '../../service/formats/index.js';
import type { InvocationResult } from '../../service/pipeline.js';
import type { ServiceLogger } from '../../service/service.js';
import { ATTEMPTS_HEADER, decideOnFailure, previousFailures } from './attempts.js';
import { deadLetterTarget, type AmqpChannelConfig } from './kind.js';
import { copyProperties, messageLabel, requestHeaders } from './message.js';

/** Operations on the channel the message arrived on. */
export interface DeliveryIO {
  /** False when the channel is gone (the broker redelivers the message). */
  ack(): boolean;
  nack(requeue: boolean): boolean;
  publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish,
    mandatory: boolean,
  ): Promise<void>;
  /** Aborted when the consumer starts draining; cuts retry and requeue waits short. */
  readonly signal: AbortSignal;
}

export interface DeliveryContext {
  /** The channel's config when the message arrived (a reconfigure mid-message does not change it). */
  readonly config: AmqpChannelConfig;
  readonly queue: string;
  invoke(inv: MessageInvocation): Promise<InvocationResult>;
  readonly logger: ServiceLogger;
}

export type DeliveryOutcome =
  | { outcome: 'acked' }
  | { outcome: 'retried'; failures: number }
  | { outcome: 'dead-lettered'; failures: number; reason: string; via: 'exchange' | 'reject' }
  /** The channel went away first; the broker will deliver the message again. */
  | { outcome: 'abandoned'; reason: string }
  /** A republish or dead-letter publish failed; the message was put back as it was. */
  | { outcome: 'requeued'; reason: string };

const CODEC_OPTS: CodecOptions = { maxDepth: 64 };
const REQUEUE_HOLD_MS = 1_000;
const HEADER_TEXT_MAX = 1_000;

const clip = (s: string): string => (s.length > HEADER_TEXT_MAX ? `${s.slice(0, HEADER_TEXT_MAX - 1)}…` : s);

export async function processDelivery(msg: Message, ctx: DeliveryContext, io: DeliveryIO): Promise<DeliveryOutcome> {
  const { config, queue, logger } = ctx;
  const cid = randomUUID();
  const previous = previousFailures(msg.properties.headers);
  const where = `AMQP channel ${config.name}`;
  const label = messageLabel(msg);

  let err: WharfError;
  try {
    const result = await ctx.invoke({
      service: config.service,
      raw: msg.content,
      dataFormat: config.dataFormat,
      channel: { name: config.name, kind: 'amqp', dataFormat: config.dataFormat },
      cid,
      headers: requestHeaders(msg, queue, previous + 1),
      timeoutMs: config.timeoutMs,
    });
    const replyTo = msg.properties.replyTo as unknown;
    if (typeof replyTo === 'string' && replyTo !== '') {
      const rendered = renderOutput(config, result);
      await io.publish(
        '',
        replyTo,
        rendered.body,
        replyProperties(msg, cid, rendered.contentType, { 'x-wharf-status': result.statusCode }),
        false,
      );
    }
    if (!io.ack()) return { outcome: 'abandoned', reason: 'channel closed before the ack' };
    return { outcome: 'acked' };
  } catch (e) {
    if (e instanceof PublishError) {
      if (e.failure === 'closed' || e.failure === 'channel-error') return { outcome: 'abandoned', reason: e.message };
      err = new WharfError(
        'WHARF_ERR_UPSTREAM',
        [`reply to \`${String(msg.properties.replyTo)}\` not published: ${e.message}`],
        { cause: e },
      );
    } else {
      err = normalizeError(e, cid);
    }
  }

  const decision = decideOnFailure(previous, config.maxRedeliveries, {
    status: err.status,
    code: err.code,
    message: err.message,
  });
  if (decision.action === 'retry') {
    logger.info(`${where}: ${label} from queue ${queue} failed; retrying`, {
      cid,
      failures: decision.failures,
      maxRedeliveries: config.maxRedeliveries,
      code: err.code,
      error: err.message,
      cause: causeOf(err),
    });
    // Back off before the retry (cut short when the consumer drains: the copy is then published at once).
    await sleep(retryDelay(config.retryDelayMs, decision.failures), io.signal);
    const props = copyProperties(msg, {
      [ATTEMPTS_HEADER]: decision.failures,
      'x-wharf-last-error': clip(`${err.code}: ${err.message}`),
    });
    const done = await settle(
      io.publish('', queue, msg.content, props, true),
      io,
      where,
      label,
      `cannot republish it to queue ${queue}`,
      logger,
      decision.failures,
    );
    if (done) return done;
    if (!io.ack()) return { outcome: 'abandoned', reason: 'channel closed before the ack' };
    return { outcome: 'retried', failures: decision.failures };
  }

  // Dead-letter: tell a waiting requester first (best effort), then hand the message over.
  const replyTo = msg.properties.replyTo as unknown;
  if (typeof replyTo === 'string' && replyTo !== '') {
    const rendered = codecs[config.dataFormat].renderError(toErrorBody(err, cid), CODEC_OPTS, err.status);
    const body = typeof rendered.body === 'string' ? Buffer.from(rendered.body) : rendered.body;
    try {
      await io.publish(
        '',
        replyTo,
        body,
        replyProperties(msg, cid, rendered.contentType, {
          'x-wharf-status': err.status,
          'x-wharf-error-code': err.code,
        }),
        false,
      );
    } catch (e) {
      logger.warn(`${where}: error reply to ${replyTo} not published`, {
        cid,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  const target = deadLetterTarget(config);
  const facts = {
    cid,
    queue,
    failures: decision.failures,
    code: err.code,
    reason: decision.reason,
    cause: causeOf(err),
  };
  if (target.kind === 'reject') {
    if (!io.nack(false)) return { outcome: 'abandoned', reason: 'channel closed before the reject' };
    logger.warn(
      `${where}: ${label} dead-lettered (rejected: the queue's own dead-letter exchange takes it, if it has one)`,
      facts,
    );
    return { outcome: 'dead-lettered', failures: decision.failures, reason: decision.reason, via: 'reject' };
  }
  const props = copyProperties(msg, {
    [ATTEMPTS_HEADER]: decision.failures,
    'x-wharf-death-reason': clip(decision.reason),
    'x-wharf-error-code': err.code,
    'x-wharf-source-queue': queue,
    'x-wharf-source-exchange': msg.fields.exchange,
    'x-wharf-source-routing-key': msg.fields.routingKey,
  });
  const routingKey = target.routingKey ?? msg.fields.routingKey;
  const sent = io.publish(target.exchange, routingKey, msg.content, props, true);
  const done = await settle(
    sent,
    io,
    where,
    label,
    `cannot dead-letter it to exchange \`${target.exchange || '(default)'}\` with routing key \`${routingKey}\``,
    logger,
    decision.failures,
  );
  if (done) return done;
  if (!io.ack()) return { outcome: 'abandoned', reason: 'channel closed before the ack' };
  logger.warn(
    `${where}: ${label} dead-lettered to exchange \`${target.exchange || '(default)'}\` with routing key \`${routingKey}\``,
    facts,
  );
  return { outcome: 'dead-lettered', failures: decision.failures, reason: decision.reason, via: 'exchange' };
}

/** Waits for a confirm; on failure decides what to do with the original and returns that outcome. */
async function settle(
  p: Promise<void>,
  io: DeliveryIO,
  where: string,
  label: string,
  what: string,
  logger: ServiceLogger,
  failures: number,
): Promise<DeliveryOutcome | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    const pe = e instanceof PublishError ? e : new PublishError('closed', e instanceof Error ? e.message : String(e));
    if (pe.failure === 'closed' || pe.failure === 'channel-error') return { outcome: 'abandoned', reason: pe.message };
    if (pe.failure === 'invalid') {
      logger.error(
        `${where}: ${label}: ${what}: ${pe.message}; rejecting it (the queue's dead-letter exchange takes it, if it has one)`,
      );
      io.nack(false);
      return { outcome: 'dead-lettered', failures, reason: pe.message, via: 'reject' };
    }
    logger.error(`${where}: ${label}: ${what}: ${pe.message}; putting it back on the queue`);
    // Hold it a moment so a misrouted dead-letter setup does not spin at full speed.
    await sleep(REQUEUE_HOLD_MS, io.signal);
    io.nack(true);
    return { outcome: 'requeued', reason: pe.message };
  }
}

const RETRY_DELAY_MAX_MS = 60_000;

/** retryDelayMs · 2^(failures-1), at most 60 s. */
export function retryDelay(baseMs: number, failures: number): number {
  if (baseMs <= 0) return 0;
  return Math.min(RETRY_DELAY_MAX_MS, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
}

/** The underlying error of a normalised 500, for the log only (never in a message or reply). */
function causeOf(err: WharfError): string | undefined {
  const c = err.cause;
  if (c === undefined) return undefined;
  return c instanceof Error ? (c.stack ?? c.message) : String(c);
}

function renderOutput(config: AmqpChannelConfig, result: InvocationResult): { body: Buffer; contentType: string } {
  const out = result.output;
  // As on every channel, a string or Buffer output is sent as it is.
  if (Buffer.isBuffer(out)) return { body: out, contentType: result.contentType ?? 'application/octet-stream' };
  if (typeof out === 'string')
    return { body: Buffer.from(out), contentType: result.contentType ?? 'text/plain; charset=utf-8' };
  const r = codecs[config.dataFormat].render(out, CODEC_OPTS, undefined);
  return {
    body: typeof r.body === 'string' ? Buffer.from(r.body) : r.body,
    contentType: result.contentType ?? r.contentType,
  };
}

function replyProperties(
  msg: Message,
  cid: string,
  contentType: string,
  headers: Record<string, unknown>,
): Options.Publish {
  const p: Options.Publish = { contentType, headers: { 'x-wharf-cid': cid, ...headers } };
  if (msg.properties.correlationId !== undefined && msg.properties.correlationId !== null)
    p.correlationId = String(msg.properties.correlationId);
  return p;
}
