import type { DataFormatCodec } from './codec.js';

/** The body is text for the service to read as it likes; input comes from query and path params. */
export const plainCodec: DataFormatCodec = {
  format: 'plain',
  accepts: ['*'],
  expected: 'any',
  parse(raw) {
    return { payload: raw.length === 0 ? '' : raw.toString('utf8'), input: undefined };
  },
  render(output) {
    if (output === undefined) return { body: '', contentType: 'text/plain; charset=utf-8' };
    if (typeof output === 'string' || Buffer.isBuffer(output))
      return { body: output, contentType: 'text/plain; charset=utf-8' };
    return { body: JSON.stringify(output), contentType: 'application/json' };
  },
  renderError(err) {
    return { body: `${err.code}: ${err.message} (cid ${err.cid})\n`, contentType: 'text/plain; charset=utf-8' };
  },
};
