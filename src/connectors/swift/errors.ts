/** Swift client failures: {@link SwiftError} and how transport errors and replies are classified and worded. */
import { WharfError, type ErrorCode } from '../../errors.js';

export interface SwiftErrorInit {
  connectionName: string;
  /** `put_object`, `get_object`, ..., or `auth`. */
  operation: string;
  container?: string;
  object?: string;
  /** Swift's HTTP status; undefined for network errors and timeouts. */
  httpStatus?: number;
  /** Swift's response body, trimmed. */
  swiftMessage?: string;
  /** The message after "Swift connection `<name>`: ". */
  summary: string;
  timeout?: boolean;
  retryable?: boolean;
  cause?: unknown;
}

/** Any failure of a {@link SwiftClient} call: HTTP 502 (404 for Swift's 404), 504 for timeouts. */
export class SwiftError extends WharfError {
  readonly connectionName: string;
  readonly operation: string;
  readonly container?: string;
  readonly object?: string;
  readonly httpStatus?: number;
  readonly swiftMessage?: string;
  override readonly retryable: boolean;

  constructor(init: SwiftErrorInit) {
    const code: ErrorCode = init.timeout ? 'WHARF_ERR_UPSTREAM_TIMEOUT' : 'WHARF_ERR_UPSTREAM';
    super(code, [`Swift connection \`${init.connectionName}\`: ${init.summary}`], {
      cause: init.cause,
      ...(init.httpStatus === 404 ? { status: 404 } : {}),
      details: {
        connection: init.connectionName,
        operation: init.operation,
        ...(init.container === undefined ? {} : { container: init.container }),
        ...(init.object === undefined ? {} : { object: init.object }),
        ...(init.httpStatus === undefined ? {} : { httpStatus: init.httpStatus }),
      },
    });
    this.name = 'SwiftError';
    this.connectionName = init.connectionName;
    this.operation = init.operation;
    this.retryable = init.retryable ?? init.timeout ?? false;
    if (init.container !== undefined) this.container = init.container;
    if (init.object !== undefined) this.object = init.object;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.swiftMessage !== undefined) this.swiftMessage = init.swiftMessage;
  }
}

export const RETRYABLE_STATUS = new Set([429, 498]);
export const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
export const NOT_REPLAYABLE = 'not retried: the request body is a stream and cannot be replayed';
export const MESSAGE_LIMIT = 500;

export function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, cause } = e as { code?: unknown; cause?: unknown };
  return typeof code === 'string' ? code : cause === undefined ? undefined : errorCode(cause);
}

export function isConnectionError(e: unknown): boolean {
  const code = errorCode(e);
  return code !== undefined && CONNECTION_ERROR_CODES.has(code);
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = errorCode(e);
  const msg = e.message || e.name;
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

/** Swift's error bodies are short text or a bit of HTML; reduce them to one trimmed line. */
export function responseMessage(data: Buffer): string {
  const text = data
    .subarray(0, 8192)
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}

/** One attempt got no (complete) response in time. */
export class AttemptTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no response within ${ms} ms`);
  }
}
