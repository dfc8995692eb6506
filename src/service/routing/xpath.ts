/**
 * Precompiled XPath matchers for content-based routing on XML and SOAP messages:
 *
 *   const symbol = xpath('//m:order[1]/m:symbol', { m: 'http://services.samples/xsd' });
 *   if (symbol.first(this.request.raw) === 'IBM') ...
 *   const isAdmin = xpath("/s:Envelope/s:Header/r:routing = 'xadmin'", { s: SOAP_NS['1.1'], r: 'http://someuri' });
 *   isAdmin.test(raw);
 *
 * Compiled once (syntax errors raise WHARF_ERR_CONFIG_INVALID at that moment), then run per message
 * with a single forward scan that stops as soon as the answer is known. See xpath-compile.ts for
 * the supported subset.
 */
import { compileXPath, type CompiledXPath, type Namespaces } from './xpath-compile.js';
import { scan } from './xpath-scan.js';

export type { Namespaces } from './xpath-compile.js';

export type XmlInput = string | Buffer | Uint8Array;

export interface XPathMatcher {
  readonly expression: string;
  /** String value of the first selected node in document order (element text, attribute value), or undefined. */
  first(doc: XmlInput): string | undefined;
  /** String values of every selected node, in document order. */
  all(doc: XmlInput): string[];
  /**
   * With a comparison (`path = 'x'`, `path != 'x'`): whether any selected node satisfies it.
   * Without one: whether the path selects anything.
   */
  test(doc: XmlInput): boolean;
}

function text(doc: XmlInput): string {
  if (typeof doc === 'string') return doc;
  return Buffer.isBuffer(doc)
    ? doc.toString('utf8')
    : Buffer.from(doc.buffer, doc.byteOffset, doc.byteLength).toString('utf8');
}

export function xpath(expression: string, namespaces: Namespaces = {}): XPathMatcher {
  const compiled: CompiledXPath = compileXPath(expression, namespaces);
  return {
    expression,
    first: (doc) => scan(compiled, text(doc), 'first'),
    all: (doc) => scan(compiled, text(doc), 'all'),
    test: (doc) => scan(compiled, text(doc), 'test'),
  };
}
