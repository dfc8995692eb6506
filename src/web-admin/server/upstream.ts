/**
 * Calls to the admin API with node:http/https (keep-alive agent, no extra libraries). A call that
 * cannot connect, or gets no answer in time, is an `AdminDown`.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';

export class AdminDown extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

export interface UpstreamRequest {
  method: string;
  /** Starts with /wharf/ (checked by the caller). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | undefined;
  timeoutMs?: number;
}

export interface Upstream {
  readonly url: string;
  /** Resolves with the response (body not yet read) or rejects with AdminDown. */
  request(r: UpstreamRequest): Promise<IncomingMessage>;
  /** A whole JSON call (small answers). */
  json(r: UpstreamRequest): Promise<{ status: number; headers: IncomingHttpHeaders; body: unknown }>;
  close(): void;
}

export function readBody(res: IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        res.destroy();
        reject(new AdminDown('answer too large'));
      } else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (e) => reject(new AdminDown(e.message)));
  });
}

export function createUpstream(adminUrl: string, opts: { ca?: string | undefined; timeoutMs?: number } = {}): Upstream {
  const url = new URL(adminUrl);
  const secure = url.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        maxSockets: 64,
        maxFreeSockets: 4,
        ...(opts.ca ? { ca: readFileSync(opts.ca) } : {}),
      })
    : new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 4 });
  const lib = secure ? https : http;
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');

  function request(r: UpstreamRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json', ...r.headers };
      if (r.body) headers['content-length'] = String(r.body.length);
      let req: http.ClientRequest;
      try {
        req = lib.request({ hostname, port, method: r.method, path: r.path, headers, agent });
      } catch (e) {
        reject(new AdminDown((e as Error).message));
        return;
      }
      req.setTimeout(r.timeoutMs ?? opts.timeoutMs ?? 120_000, () => req.destroy(new Error('no answer in time')));
      req.on('response', resolve);
      req.on('error', (e: NodeJS.ErrnoException) =>
        reject(new AdminDown(e.code ? `${e.code}: ${e.message}` : e.message)),
      );
      req.end(r.body);
    });
  }

  return {
    url: url.origin,
    request,
    async json(r) {
      const res = await request(r);
      const buf = await readBody(res);
      let body: unknown;
      try {
        body = buf.length ? JSON.parse(buf.toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.statusCode ?? 502, headers: res.headers, body };
    },
    close() {
      agent.destroy();
    },
  };
}
