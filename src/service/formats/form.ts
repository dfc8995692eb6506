import { isUtf8 } from 'node:buffer';
import { WharfError } from '../../errors.js';
import type { DataFormatCodec } from './codec.js';
import { utf8Text } from './utf8.js';

const isHex = (c: number | undefined): boolean =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/** One name or value: `+` is a space, `%XX` a byte; the bytes must be UTF-8 (a bad `%XX` is kept as is, like URLSearchParams). */
function decodeComponent(s: string): string {
  const t = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!t.includes('%')) return t;
  const src = Buffer.from(t, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let j = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0x25 && isHex(src[i + 1]) && isHex(src[i + 2])) {
      out[j++] = parseInt(String.fromCharCode(src[i + 1]!, src[i + 2]!), 16);
      i += 2;
    } else out[j++] = c;
  }
  const bytes = out.subarray(0, j);
  if (!isUtf8(bytes))
    throw new WharfError('WHARF_ERR_MALFORMED_BODY', [
      'form',
      `\`${s.length > 40 ? `${s.slice(0, 40)}…` : s}\` is not valid UTF-8 once percent-decoded`,
    ]);
  return bytes.toString('utf8');
}

/** `application/x-www-form-urlencoded`; a repeated field gives a list. Percent-decoded bytes must be UTF-8 (400 otherwise). */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const v = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
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
    const form = parseForm(utf8Text(raw, 'form'));
    return { payload: form, input: form };
  },
  render(output) {
    if (output === undefined) return { body: '', contentType: 'application/json' };
    if (typeof output === 'string' || Buffer.isBuffer(output))
      return { body: output, contentType: 'text/plain; charset=utf-8' };
    return { body: JSON.stringify(output), contentType: 'application/json' };
  },
  renderError(err) {
    return { body: JSON.stringify({ error: err }), contentType: 'application/json' };
  },
};
