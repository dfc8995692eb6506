/**
 * Bodies of the text formats (JSON, XML, SOAP, form, plain text) must be valid UTF-8: a bad byte is
 * refused (400) instead of being silently turned into U+FFFD.
 */
import { isUtf8 } from 'node:buffer';
import { WharfError } from '../../errors.js';

/** Offset of the first byte that does not start (or continue) a valid UTF-8 sequence; -1 when valid. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/** The body as text; `what` names the format in the 400 for a body that is not UTF-8. */
export function utf8Text(raw: Buffer, what: string): string {
  if (!isUtf8(raw)) {
    const at = firstInvalidUtf8(raw);
    throw new WharfError(
      'WHARF_ERR_MALFORMED_BODY',
      [what, `not valid UTF-8 (byte 0x${(raw[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at})`],
      { details: { offset: at } },
    );
  }
  return raw.toString('utf8');
}
