/** Small answers and request bodies for the web admin's handlers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../../errors.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(buf.length),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(buf);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  extra: { details?: Record<string, unknown>; headers?: Record<string, string | string[]> } = {},
): void {
  sendJson(
    res,
    status,
    { error: { code, message, ...(extra.details ? { details: extra.details } : {}) } },
    extra.headers,
  );
}

export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the whole body up to `limit` bytes (413 beyond, checked against Content-Length first). */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      req.resume();
      reject(new BodyError(413, 'WHARF_ERR_BODY_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      n += c.length;
      if (n > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyError(413, 'WHARF_ERR_BODY_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(new BodyError(400, 'WHARF_ERR_BAD_REQUEST', `Request body could not be read: ${e.message}`));
    });
  });
}

export function isJsonType(ct: string | undefined): boolean {
  if (!ct) return false;
  const base = ct.split(';')[0]!.trim().toLowerCase();
  return base === 'application/json' || (base.startsWith('application/') && base.endsWith('+json'));
}
