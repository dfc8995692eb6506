/**
 * The one error registry: every error Wharf raises has a code (`WHARF_ERR_*`), an HTTP status and a
 * message template. Channels render these in their own format; clients see the code, the message and
 * the correlation id, never a stack trace.
 */

export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  /** True when retrying the same operation later may succeed (connection errors, timeouts). */
  readonly retryable?: boolean;
}

export const errorRegistry = {
  // ---- client errors, raised by services or by the pipeline
  WHARF_ERR_BAD_REQUEST: { status: 400, message: '%s' },
  WHARF_ERR_UNAUTHORIZED: { status: 401, message: '%s' },
  WHARF_ERR_FORBIDDEN: { status: 403, message: '%s' },
  WHARF_ERR_NOT_FOUND: { status: 404, message: '%s' },
  WHARF_ERR_METHOD_NOT_ALLOWED: { status: 405, message: '%s' },
  WHARF_ERR_CONFLICT: { status: 409, message: '%s' },
  WHARF_ERR_TOO_MANY_REQUESTS: { status: 429, message: '%s' },
  // ---- request parsing and SimpleIO
  WHARF_ERR_MALFORMED_BODY: { status: 400, message: 'Malformed %s body: %s' },
  WHARF_ERR_MISSING_ELEMENT: { status: 400, message: 'Missing required element `%s`' },
  WHARF_ERR_INVALID_ELEMENT: { status: 400, message: 'Invalid value for `%s`: expected %s' },
  WHARF_ERR_BODY_TOO_LARGE: { status: 413, message: 'Request body exceeds the limit of %s bytes' },
  WHARF_ERR_HEADERS_TOO_LARGE: { status: 431, message: 'Request headers exceed the limit of %s bytes' },
  WHARF_ERR_REQUEST_TIMEOUT: { status: 408, message: 'Request %s was too slow: %s' },
  WHARF_ERR_HTTP_VERSION: { status: 505, message: 'HTTP version `%s` is not supported (HTTP/1.0 and HTTP/1.1 are)' },
  WHARF_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Content-Type `%s` is not accepted here; expected %s' },
  WHARF_ERR_TOO_DEEP: { status: 400, message: 'Request nesting exceeds the limit of %s levels' },
  WHARF_ERR_DTD_FORBIDDEN: { status: 400, message: 'DTDs and entity declarations are not allowed' },
  WHARF_ERR_SOAP_NO_BODY: { status: 400, message: 'SOAP envelope has no Body' },
  // ---- channels and routing
  WHARF_ERR_ROUTE_NOT_FOUND: { status: 404, message: 'No channel at %s' },
  WHARF_ERR_ROUTE_REJECTED: { status: 400, message: '%s' },
  WHARF_ERR_SERVICE_NOT_DEPLOYED: { status: 503, message: 'Service `%s` is not deployed' },
  WHARF_ERR_SERVICE_UNKNOWN: { status: 404, message: 'No such service `%s`' },
  WHARF_ERR_TIMEOUT: { status: 504, message: 'Service `%s` did not answer within %s ms', retryable: true },
  WHARF_ERR_INTERNAL: { status: 500, message: 'Internal error; correlation id %s' },
  WHARF_ERR_OUTPUT_INVALID: { status: 500, message: 'Service `%s` produced invalid output: %s' },
  WHARF_ERR_SHUTTING_DOWN: { status: 503, message: 'Server is shutting down', retryable: true },
  // ---- outgoing connections
  WHARF_ERR_NO_SUCH_CONNECTION: { status: 500, message: 'No %s named `%s`' },
  WHARF_ERR_CONNECTION_INACTIVE: { status: 503, message: 'Connection `%s` is not active' },
  WHARF_ERR_NO_FREE_CONNECTION: { status: 503, message: 'No free connection to `%s` within %s ms', retryable: true },
  WHARF_ERR_UPSTREAM: { status: 502, message: '%s' },
  WHARF_ERR_UPSTREAM_TIMEOUT: { status: 504, message: '%s', retryable: true },
  WHARF_ERR_SOAP_FAULT: { status: 502, message: '%s' },
  WHARF_ERR_OUTGOING_USAGE: { status: 500, message: '%s' },
  // ---- admin / config
  WHARF_ERR_CONFIG_INVALID: { status: 400, message: '%s' },
  WHARF_ERR_OBJECT_EXISTS: { status: 409, message: '%s `%s` already exists' },
  WHARF_ERR_OBJECT_NOT_FOUND: { status: 404, message: '%s `%s` does not exist' },
  WHARF_ERR_OBJECT_IN_USE: { status: 409, message: '%s `%s` is used by %s' },
  WHARF_ERR_UNKNOWN_KIND: { status: 404, message: 'Unknown object kind `%s`' },
  WHARF_ERR_DEPLOY_FAILED: { status: 400, message: '%s' },
  WHARF_ERR_SECRET: { status: 500, message: 'Cannot decrypt a secret: %s' },
  // ---- admin auth and the web admin
  WHARF_ERR_SESSION_EXPIRED: { status: 401, message: '%s' },
  WHARF_ERR_CSRF: { status: 403, message: '%s' },
  WHARF_ERR_ADMIN_DOWN: { status: 502, message: '%s' },
  // ---- contracts (OpenAPI, WSDL) generated from SimpleIO declarations
  WHARF_ERR_CONTRACT: { status: 500, message: 'Cannot describe %s: %s' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorRegistry;

function format(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/%s/g, () => (i < args.length ? String(args[i++]) : '%s'));
}

export interface WharfErrorOptions {
  cause?: unknown;
  /** Extra, client-safe facts (element name, expected type, ...). */
  details?: Record<string, unknown>;
  /** Overrides the registry's status (e.g. a service that wants a specific code). */
  status?: number;
  headers?: Record<string, string>;
}

export class WharfError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, args: readonly unknown[] = [], options: WharfErrorOptions = {}) {
    const spec: ErrorSpec = errorRegistry[code];
    super(format(spec.message, args), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WharfError';
    this.code = code;
    this.status = options.status ?? spec.status;
    this.retryable = spec.retryable ?? false;
    if (options.details) this.details = options.details;
    if (options.headers) this.headers = options.headers;
  }
}

export function wharfError(code: ErrorCode, ...args: unknown[]): WharfError {
  return new WharfError(code, args);
}

/** Errors a service raises on purpose; each maps to its HTTP status and is shown to the client. */
export class BadRequest extends WharfError {
  constructor(message = 'Bad request', details?: Record<string, unknown>) {
    super('WHARF_ERR_BAD_REQUEST', [message], details ? { details } : {});
    this.name = 'BadRequest';
  }
}
export class Unauthorized extends WharfError {
  constructor(message = 'Unauthorized', challenge?: string) {
    super('WHARF_ERR_UNAUTHORIZED', [message], challenge ? { headers: { 'www-authenticate': challenge } } : {});
    this.name = 'Unauthorized';
  }
}
export class Forbidden extends WharfError {
  constructor(message = 'Forbidden') {
    super('WHARF_ERR_FORBIDDEN', [message]);
    this.name = 'Forbidden';
  }
}
export class NotFound extends WharfError {
  constructor(message = 'Not found') {
    super('WHARF_ERR_NOT_FOUND', [message]);
    this.name = 'NotFound';
  }
}
export class MethodNotAllowed extends WharfError {
  constructor(message = 'Method not allowed', allow?: readonly string[]) {
    super('WHARF_ERR_METHOD_NOT_ALLOWED', [message], allow ? { headers: { allow: allow.join(', ') } } : {});
    this.name = 'MethodNotAllowed';
  }
}
export class Conflict extends WharfError {
  constructor(message = 'Conflict') {
    super('WHARF_ERR_CONFLICT', [message]);
    this.name = 'Conflict';
  }
}
export class TooManyRequests extends WharfError {
  constructor(message = 'Too many requests', retryAfterSeconds?: number) {
    super(
      'WHARF_ERR_TOO_MANY_REQUESTS',
      [message],
      retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } },
    );
    this.name = 'TooManyRequests';
  }
}

export function isWharfError(e: unknown): e is WharfError {
  return e instanceof WharfError;
}

/** The client-facing view of an error; never contains a stack trace. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  cid: string;
  details?: Record<string, unknown>;
}

export function toErrorBody(err: WharfError, cid: string): ErrorBody {
  const body: ErrorBody = { code: err.code, message: err.message, cid };
  if (err.details) body.details = err.details;
  return body;
}

/** Anything not raised on purpose becomes a 500 that names only the correlation id. */
export function normalizeError(e: unknown, cid: string): WharfError {
  if (e instanceof WharfError) return e;
  return new WharfError('WHARF_ERR_INTERNAL', [cid], { cause: e });
}
