/** Reads a request body up to a limit; past it the request is answered 413 and the rest drained. */
import type { IncomingMessage } from 'node:http';
import { WharfError } from '../../errors.js';

const EMPTY: Buffer = Buffer.alloc(0);

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
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
        reject(new WharfError('WHARF_ERR_BODY_TOO_LARGE', [limit]));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, size));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(new WharfError('WHARF_ERR_BAD_REQUEST', ['request body could not be read'], { cause: e }));
      }
    });
  });
}
