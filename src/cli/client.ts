/** The CLI's client of the admin API. Every admin command goes through it. */
import { CliError, EXIT } from './exit.js';
import { credentials, pickServer, type Env } from './env.js';

export interface ApiError {
  code: string;
  message: string;
  cid?: string;
  details?: Record<string, unknown>;
}

export class AdminApiError extends CliError {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(
      error.message,
      status === 400 || status === 413 || status === 409 ? EXIT.INVALID : status === 404 ? EXIT.NOT_FOUND : EXIT.ERROR,
    );
  }
}

export class AdminClient {
  readonly base: string;
  private readonly auth: string;

  constructor(env: Env, serverName?: string) {
    const s = pickServer(env, serverName);
    const host = s.host === '0.0.0.0' ? '127.0.0.1' : s.host;
    this.base = `http://${host}:${s.port}`;
    const c = credentials(env);
    this.auth = `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(120_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e instanceof Error ? e.message : String(e));
      throw new CliError(
        `cannot reach the server's admin API at ${this.base} (${cause}); is it running? (wharf start ENV)`,
        EXIT.UNREACHABLE,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new CliError(`admin API answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const err = (json as { error?: ApiError }).error ?? { code: 'WHARF_ERR_INTERNAL', message: `HTTP ${res.status}` };
      throw new AdminApiError(res.status, err);
    }
    return json as T;
  }
}

export const enc = encodeURIComponent;
