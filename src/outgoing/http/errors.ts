/**
 * Turns what undici and the network report into WharfErrors whose message names the connection and
 * says what happened: refused, reset, unknown host, TLS verification, timeouts, HTTP error statuses.
 */
import { STATUS_CODES } from 'node:http';
import { WharfError, type ErrorCode } from '../../errors.js';

/** `HTTP connection `CRM`` / `SOAP connection `Billing`` — the start of every message. */
export type ConnectionLabel = string;

export function label(kind: 'HTTP' | 'SOAP', name: string): ConnectionLabel {
  return `${kind} connection \`${name}\``;
}

/** A WharfError raised by an outgoing HTTP/SOAP connection; `reason` tells retry logic what happened. */
export class UpstreamError extends WharfError {
  readonly reason: string;
  readonly errorCode: string | undefined;
  /** True when the request surely did not reach the server (connection refused, DNS, TLS handshake). */
  readonly notSent: boolean;
  /** True for failures a retry may fix (connection errors). */
  readonly transient: boolean;

  /** `details` always holds `connection` and `reason` (refused, reset, dns, tls, timeout, status, malformed, too-large, fault...). */
  constructor(
    code: ErrorCode,
    message: string,
    init: {
      connection: string;
      reason: string;
      errorCode?: string | undefined;
      notSent?: boolean;
      transient?: boolean;
      cause?: unknown;
      status?: number;
      details?: Record<string, unknown>;
    },
  ) {
    super(code, [message], {
      cause: init.cause,
      ...(init.status === undefined ? {} : { status: init.status }),
      details: {
        connection: init.connection,
        reason: init.reason,
        ...(init.errorCode ? { errorCode: init.errorCode } : {}),
        ...(init.details ?? {}),
      },
    });
    this.name = 'UpstreamError';
    this.reason = init.reason;
    this.errorCode = init.errorCode;
    this.notSent = init.notSent ?? false;
    this.transient = init.transient ?? false;
  }
}

/** `HTTP connection `CRM`: no answer within 250 ms (GET /slow)` */
export function timeoutError(lbl: ConnectionLabel, name: string, ms: number, what?: string): UpstreamError {
  return new UpstreamError(
    'WHARF_ERR_UPSTREAM_TIMEOUT',
    `${lbl}: no answer within ${ms} ms${what ? ` (${what})` : ''}`,
    {
      connection: name,
      reason: 'timeout',
      details: { timeoutMs: ms },
    },
  );
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
]);

function codeOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

function innermost(e: unknown): unknown {
  let cur = e;
  for (let i = 0; i < 5; i++) {
    const next = (cur as { cause?: unknown } | null)?.cause;
    if (!next || !codeOf(next)) break;
    cur = next;
  }
  return cur;
}

/** Maps a network/undici error of one attempt to an UpstreamError. */
export function networkError(lbl: ConnectionLabel, name: string, target: string, e: unknown): UpstreamError {
  if (e instanceof UpstreamError) return e;
  const inner = innermost(e);
  const code = codeOf(inner) ?? codeOf(e);
  const msg = (inner instanceof Error ? inner.message : String(inner)) || String(e);
  const mk = (reason: string, text: string, flags: { notSent?: boolean; transient?: boolean } = {}) =>
    new UpstreamError('WHARF_ERR_UPSTREAM', `${lbl}: ${text}`, {
      connection: name,
      reason,
      errorCode: code,
      cause: e,
      ...flags,
    });
  if (code && TLS_VERIFY_CODES.has(code))
    return mk('tls', `certificate verification failed: ${msg} (${code}) at ${target}`, { notSent: true });
  if (code && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO')) {
    return mk('tls', `TLS handshake with ${target} failed: ${msg}`, { notSent: true });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return mk('refused', `connection refused by ${target} (ECONNREFUSED)`, { notSent: true, transient: true });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return mk('dns', `host of ${target} not found (${code})`, { notSent: true, transient: code === 'EAI_AGAIN' });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return mk('unreachable', `${target} is unreachable (${code})`, { notSent: true, transient: true });
    case 'UND_ERR_CONNECT_TIMEOUT':
      return mk('connect-timeout', `could not connect to ${target} in time (${code})`, {
        notSent: true,
        transient: true,
      });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return mk('reset', `connection to ${target} was closed before a complete answer (${msg})`, { transient: true });
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
    case 'ERR_INVALID_ARG_TYPE':
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
    case 'ERR_INVALID_ARG_VALUE':
      return new UpstreamError('WHARF_ERR_OUTGOING_USAGE', `${lbl}: invalid request: ${msg}`, {
        connection: name,
        reason: 'invalid',
        errorCode: code,
        cause: e,
      });
    case 'UND_ERR_DESTROYED':
    case 'ERR_POOL_CLOSED':
      return mk('closed', 'the connection pool was closed', { notSent: true });
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return mk('malformed', `${target} sent a malformed HTTP answer (${msg})`);
    default:
      if (code?.startsWith('HPE_')) return mk('malformed', `${target} sent a malformed HTTP answer (${msg})`);
      return mk('other', `request to ${target} failed: ${msg}${code ? ` (${code})` : ''}`);
  }
}

export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/** A non-2xx answer, raised when `throwOnHttpError` is on. Carries the upstream status, headers and body. */
export class HttpStatusError extends UpstreamError {
  readonly upstreamStatus: number;
  readonly upstreamHeaders: Record<string, string | string[] | undefined>;
  /** The answer's body as received. */
  readonly upstreamBody: Buffer;

  constructor(
    lbl: ConnectionLabel,
    name: string,
    what: string,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ) {
    // Like Camel's HttpOperationFailedException: the message (which clients see) has no upstream body;
    // the body is on the error (`upstreamBody`, `bodySnippet`) for the service and the log.
    super('WHARF_ERR_UPSTREAM', `${lbl}: ${what} answered ${statusText(status)}`, {
      connection: name,
      reason: 'status',
      details: { upstreamStatus: status },
      transient: status === 502 || status === 503 || status === 504,
    });
    this.name = 'HttpStatusError';
    this.upstreamStatus = status;
    this.upstreamHeaders = headers;
    this.upstreamBody = body;
  }

  /** The first 200 characters of the body, one line. */
  get bodySnippet(): string {
    return bodySnippet(this.upstreamBody);
  }
}

export function bodySnippet(body: Buffer, max = 200): string {
  if (body.length === 0) return '';
  const text = body
    .subarray(0, max * 4)
    .toString('utf8')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A 502 for an answer that cannot be parsed in the connection's data format. */
export function malformedError(
  lbl: ConnectionLabel,
  name: string,
  what: string,
  format: string,
  reason: string,
  cause?: unknown,
): UpstreamError {
  return new UpstreamError('WHARF_ERR_UPSTREAM', `${lbl}: malformed ${format} in the answer to ${what}: ${reason}`, {
    connection: name,
    reason: 'malformed',
    cause,
    details: { format },
  });
}

/** A mistake in how a service calls the connection (missing path param, unserialisable payload...). */
export function usageError(lbl: ConnectionLabel, name: string, text: string): UpstreamError {
  return new UpstreamError('WHARF_ERR_OUTGOING_USAGE', `${lbl}: ${text}`, { connection: name, reason: 'usage' });
}
