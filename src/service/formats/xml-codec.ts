import { WharfError } from '../../errors.js';
import type { DataFormatCodec } from './codec.js';
import { utf8Text } from './utf8.js';
import { childrenOf, parseXml, writeElement, XML_DECL } from './xml.js';

/** Finds the request element: the root, or the first element named `name` below it (breadth first). */
export function findElement(
  root: string,
  value: unknown,
  name: string | undefined,
): { name: string; value: unknown } | undefined {
  if (!name || name === root) return { name: root, value };
  const queue: unknown[] = [value];
  while (queue.length > 0) {
    const v = queue.shift();
    const kids = childrenOf(v);
    if (name in kids) {
      const found = kids[name];
      return { name, value: Array.isArray(found) ? found[0] : found };
    }
    for (const k of Object.values(kids)) queue.push(...(Array.isArray(k) ? k : [k]));
  }
  return undefined;
}

/** A list output becomes one root element holding an `<item>` per entry. */
export function asDocument(output: unknown): unknown {
  return Array.isArray(output) ? { item: output } : output;
}

export const xmlCodec: DataFormatCodec = {
  format: 'xml',
  accepts: ['application/xml', 'text/xml', 'application/*+xml'],
  expected: 'application/xml, text/xml or application/*+xml',
  parse(raw, opts) {
    if (raw.length === 0) return { payload: undefined, input: undefined };
    const { root, value } = parseXml(utf8Text(raw, 'XML'), opts.maxDepth);
    const el = findElement(root, value, opts.requestElement);
    if (!el) throw new WharfError('WHARF_ERR_BAD_REQUEST', [`XML has no <${opts.requestElement}> element`]);
    return { payload: { [root]: value }, input: childrenOf(el.value), element: el.name };
  },
  render(output, opts) {
    if (output === undefined) return { body: '', contentType: 'application/xml' };
    if (typeof output === 'string' || Buffer.isBuffer(output)) return { body: output, contentType: 'application/xml' };
    return {
      body: XML_DECL + writeElement(opts.responseElement ?? 'response', asDocument(output)),
      contentType: 'application/xml',
    };
  },
  renderError(err) {
    return { body: XML_DECL + writeElement('error', err), contentType: 'application/xml' };
  },
};
