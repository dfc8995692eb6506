/** The error every call to the web admin's /api throws: the admin API's `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
  /**
   * Every entry of `details.problems` as text: strings as they are, objects like enmasse's
   * `{ kind, name, line?, message }` as "line N: message".
   */
  get problemTexts(): string[] {
    const p = this.details?.['problems'];
    if (!Array.isArray(p)) return [];
    return p.map((x: unknown) => {
      if (typeof x === 'string') return x;
      if (x && typeof x === 'object') {
        const o = x as { line?: unknown; message?: unknown; kind?: unknown; name?: unknown };
        const msg = typeof o.message === 'string' ? o.message : JSON.stringify(x);
        return `${typeof o.line === 'number' ? `line ${o.line}: ` : ''}${msg}`;
      }
      return String(x);
    });
  }
  /** `details.problems` of a validation error (each `"<field>: <reason>"`), else []. */
  get problems(): string[] {
    const p = this.details?.['problems'];
    return Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : [];
  }
}

/** Reads a response body as JSON (undefined when empty); a body that is not JSON gives its text. */
export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The ApiError for a non-2xx response whose body was `body`. */
export function toApiError(res: Response, body: unknown): ApiError {
  const e = (body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined) as
    { code?: unknown; message?: unknown; details?: unknown } | undefined;
  if (e && typeof e === 'object') {
    const details = e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : undefined;
    return new ApiError(
      res.status,
      typeof e.code === 'string' ? e.code : 'WHARF_ERR_HTTP',
      typeof e.message === 'string' ? e.message : `HTTP ${res.status}`,
      details,
    );
  }
  const text = typeof body === 'string' && body.length < 300 ? body : '';
  return new ApiError(
    res.status,
    'WHARF_ERR_HTTP',
    `HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}${text ? ': ' + text : ''}`,
  );
}

/** A short text for any thrown value. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
