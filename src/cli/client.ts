/**
 * The CLI's client of the admin API. Every admin command goes through it. Given the environment's
 * path (not an opened Env), it reads only the admin address and credentials (src/cli/api-env.ts).
 * Requests go through node:http, not fetch: fetch loads undici (~50 ms) for a CLI that sends one request.
 */
import { request } from 'node:http';
import { apiTarget, apiTargetOfEnv, credentials, type ApiTarget } from './api-env.js';
import type { Env } from './env.js';
import { CliError, EXIT } from './exit.js';

export { pickServer } from './api-env.js';

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

const TIMEOUT_MS = 120_000;

function baseOf(t: ApiTarget): string {
  const host = t.server.host === '0.0.0.0' ? '127.0.0.1' : t.server.host;
  return `http://${host}:${t.server.port}`;
}

function authOf(t: ApiTarget): string {
  const c = credentials(t);
  return `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;
}

/** One HTTP exchange: status and body text; a connection failure or `timeoutMs` without a byte rejects. */
export function exchange(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
  timeoutMs = TIMEOUT_MS,
): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error(`no answer in ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `exchange` with a connection failure worded for the CLI (EXIT.UNREACHABLE). */
async function adminExchange(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  try {
    return await exchange(base, method, path, headers, body);
  } catch (e) {
    const cause = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new CliError(
      `cannot reach the server's admin API at ${base} (${cause}); is it running? (wharf start ENV)`,
      EXIT.UNREACHABLE,
    );
  }
}

export class AdminClient {
  private target: ApiTarget | undefined;
  private readonly path: string | undefined;
  private readonly serverName: string | undefined;

  /** `env`: an opened environment, or the path of one (then only its admin address and credentials are read). */
  constructor(env: Env | string, serverName?: string) {
    this.serverName = serverName;
    if (typeof env === 'string') this.path = env;
    else this.target = apiTargetOfEnv(env, serverName);
  }

  private async resolved(): Promise<ApiTarget> {
    this.target ??= await apiTarget(this.path!, this.serverName);
    return this.target;
  }

  /** The admin API's base URL (`http://host:port`). */
  async base(): Promise<string> {
    return baseOf(await this.resolved());
  }

  /** A request whose answer is not JSON (the WSDL): the body text; errors as `call`'s. */
  async text(method: string, path: string): Promise<string> {
    const t = await this.resolved();
    const res = await adminExchange(baseOf(t), method, path, { authorization: authOf(t) });
    if (res.status < 200 || res.status > 299) {
      let err: ApiError = { code: 'WHARF_ERR_INTERNAL', message: `HTTP ${res.status}` };
      try {
        err = (JSON.parse(res.text) as { error?: ApiError }).error ?? err;
      } catch {
        /* not JSON: the status says it */
      }
      throw new AdminApiError(res.status, err);
    }
    return res.text;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const t = await this.resolved();
    const auth = authOf(t);
    const res = await adminExchange(
      baseOf(t),
      method,
      path,
      body === undefined ? { authorization: auth } : { authorization: auth, 'content-type': 'application/json' },
      body === undefined ? undefined : JSON.stringify(body),
    );
    let json: unknown;
    try {
      json = res.text ? JSON.parse(res.text) : {};
    } catch {
      throw new CliError(`admin API answered ${res.status} with non-JSON: ${res.text.slice(0, 200)}`);
    }
    if (res.status < 200 || res.status > 299) {
      const err = (json as { error?: ApiError }).error ?? { code: 'WHARF_ERR_INTERNAL', message: `HTTP ${res.status}` };
      throw new AdminApiError(res.status, err);
    }
    return json as T;
  }
}

export const enc = encodeURIComponent;
