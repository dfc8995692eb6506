/**
 * Reads a request body up to a limit. Past it the request is answered 413 and the rest is discarded, never
 * kept: the request is marked abandoned (`bodyAbandoned`) so the listener answers with `Connection: close`
 * and the socket is destroyed shortly after the answer is flushed (see handler.ts `lingerClose`).
 */
import type { IncomingMessage } from 'node:http';
import { WharfError } from '../../errors.js';

const EMPTY: Buffer = Buffer.alloc(0);
const abandoned = new WeakSet<IncomingMessage>();

/** Whether the body of `req` was refused part-way (the connection must close after the answer). */
export function bodyAbandoned(req: IncomingMessage): boolean {
  return abandoned.has(req);
}

function abandon(req: IncomingMessage): void {
  abandoned.add(req);
  req.resume();
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    abandon(req);
    return Promise.reject(new WharfError('WHARF_ERR_BODY_TOO_LARGE', [limit]));
  }
  if (declared === '0') return Promise.resolve(EMPTY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        abandon(req);
        reject(new WharfError('WHARF_ERR_BODY_TOO_LARGE', [limit]));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed)
        resolve(chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, size));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(new WharfError('WHARF_ERR_BAD_REQUEST', ['request body could not be read'], { cause: e }));
      }
    });
  });
}
