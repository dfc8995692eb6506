/**
 * Errors of Wharf's HTTP/1.1 client, shaped like Node's and llhttp's so that `networkError()` maps
 * them exactly as it maps undici's: a `code` (HPE_* for a malformed answer, ECONNRESET for a
 * connection closed before a complete answer, ERR_INVALID_* for a request that cannot be sent).
 */

/** An error with a Node-style `code`. */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'Error';
  }
}

/** A malformed answer: `code` is llhttp's name for the problem (HPE_INVALID_CONSTANT...). */
export class HttpParseError extends CodedError {
  constructor(code: `HPE_${string}`, message: string) {
    super(code, message);
    this.name = 'HTTPParserError';
  }
}

/** The connection ended before a complete answer. */
export function closedEarly(detail = 'other side closed'): CodedError {
  return new CodedError('ECONNRESET', detail);
}

/** The pool was closed or destroyed while the request waited or ran. */
export function poolClosed(): CodedError {
  return new CodedError('ERR_POOL_CLOSED', 'the connection pool was closed');
}
