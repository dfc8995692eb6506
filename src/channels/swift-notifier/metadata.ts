/** Swift limits a metadata value to 256 bytes (max_meta_value_length) on one header line. */
export const MAX_META_VALUE_BYTES = 256;

/** One line, at most 256 bytes of UTF-8 (cut on a character boundary, marked with `…`). */
export function metadataValue(text: string): string {
  const line = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\x00-\x1f\x7f]/g, '')
    .trim();
  if (Buffer.byteLength(line, 'utf8') <= MAX_META_VALUE_BYTES) return line;
  const budget = MAX_META_VALUE_BYTES - Buffer.byteLength('…', 'utf8');
  let out = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > budget) break;
    out += ch;
    bytes += n;
  }
  return `${out}…`;
}
