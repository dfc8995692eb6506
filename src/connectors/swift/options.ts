/** Parsing of a Swift connection's `customOptions` text (headers sent with every storage request). */
import { WharfError } from '../../errors.js';

/** Parses `key=value` lines (blank lines and `#` comments are skipped) into a record. */
export function parseCustomOptions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0)
      throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`Line ${i + 1}: expected key=value, got \`${line}\``]);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return out;
}
