import { WharfError } from '../../errors.js';
import type { DataFormatCodec } from './codec.js';
import { checkDepth } from './depth.js';
import { utf8Text } from './utf8.js';

export const jsonCodec: DataFormatCodec = {
  format: 'json',
  accepts: ['application/json', 'application/*+json'],
  expected: 'application/json or application/*+json',
  parse(raw, opts) {
    if (raw.length === 0) return { payload: undefined, input: undefined };
    const text = utf8Text(raw, 'JSON');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['JSON', e instanceof Error ? e.message : String(e)]);
    }
    checkDepth(value, opts.maxDepth, raw.length);
    return { payload: value, input: value };
  },
  render(output, opts) {
    if (output === undefined) return { body: '', contentType: 'application/json' };
    if (typeof output === 'string' || Buffer.isBuffer(output)) return { body: output, contentType: 'application/json' };
    const v = opts.responseElement ? { [opts.responseElement]: output } : output;
    return { body: JSON.stringify(v), contentType: 'application/json' };
  },
  renderError(err) {
    return { body: JSON.stringify({ error: err }), contentType: 'application/json' };
  },
};
