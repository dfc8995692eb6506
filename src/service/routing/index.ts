/** Content-based routing helpers: XPath on XML/SOAP bytes, JSON Pointer on parsed JSON. */
export { xpath, type XPathMatcher, type XmlInput, type Namespaces } from './xpath.js';
export { jsonPointer, type JsonPointer } from './json-pointer.js';
