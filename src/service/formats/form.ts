import type { DataFormatCodec } from './codec.js';

/** `application/x-www-form-urlencoded`; a repeated field gives a list. Output is sent as JSON. */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

export const formCodec: DataFormatCodec = {
  format: 'form',
  accepts: ['application/x-www-form-urlencoded'],
  expected: 'application/x-www-form-urlencoded',
  parse(raw) {
    if (raw.length === 0) return { payload: {}, input: {} };
    const form = parseForm(raw.toString('utf8'));
    return { payload: form, input: form };
  },
  render(output) {
    if (output === undefined) return { body: '', contentType: 'application/json' };
    if (typeof output === 'string' || Buffer.isBuffer(output)) return { body: output, contentType: 'text/plain; charset=utf-8' };
    return { body: JSON.stringify(output), contentType: 'application/json' };
  },
  renderError(err) {
    return { body: JSON.stringify({ error: err }), contentType: 'application/json' };
  },
};
