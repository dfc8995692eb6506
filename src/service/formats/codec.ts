/**
 * A data format: how a channel turns a body into a payload + SimpleIO input, and an output or an
 * error back into a body. One codec per format; every channel kind (HTTP, AMQP, ZeroMQ...) uses them.
 */
import type { ErrorBody } from '../../errors.js';
import type { DataFormat } from '../service.js';
import type { RequestNamespace } from './soap-ns.js';

export interface CodecOptions {
  /** Nesting limit for parsed bodies (default 64). */
  maxDepth: number;
  /** XML: the element whose children are the input (default: the root element). */
  requestElement?: string | undefined;
  /** XML/SOAP: the element the output is written under. */
  responseElement?: string | undefined;
  /** JSON: wrap the output as `{ [responseElement]: output }` when set. */
  soapVersion?: '1.1' | '1.2' | undefined;
  soapAction?: string | undefined;
}

export interface Parsed {
  /** What the service sees as `request.payload`. */
  payload: unknown;
  /** What SimpleIO reads elements from (an object), or undefined. */
  input: unknown;
  /** XML/SOAP: the local name of the request element (used to name the response). */
  element?: string;
  /** SOAP: the request element's namespace, so the answer is qualified the same way (src/service/formats/soap-ns.ts). */
  namespace?: RequestNamespace | undefined;
}

export interface Rendered {
  body: string | Buffer;
  contentType: string;
}

export interface DataFormatCodec {
  readonly format: DataFormat;
  /** Media types this format accepts; `*` accepts any. Used for 415 answers. */
  readonly accepts: readonly string[];
  /** Human-readable list for error messages. */
  readonly expected: string;
  parse(raw: Buffer, opts: CodecOptions): Parsed;
  render(output: unknown, opts: CodecOptions, parsed: Parsed | undefined): Rendered;
  renderError(err: ErrorBody, opts: CodecOptions, status: number): Rendered;
}

export function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const i = contentType.indexOf(';');
  return (i === -1 ? contentType : contentType.slice(0, i)).trim().toLowerCase();
}

/**
 * Whether a media type matches a pattern: exact (`application/json`), any subtype (`text/` then `*`),
 * any (`*`), or a structured suffix (`application/` then `*+json`). Both lower-case.
 */
export function mediaMatches(pattern: string, mt: string): boolean {
  if (pattern === '*' || pattern === '*/*' || pattern === mt) return true;
  const slash = pattern.indexOf('/');
  const type = pattern.slice(0, slash);
  const sub = pattern.slice(slash + 1);
  const mslash = mt.indexOf('/');
  if (mslash === -1) return false;
  if (type !== '*' && type !== mt.slice(0, mslash)) return false;
  if (sub === '*') return true;
  return sub.startsWith('*+') && mt.slice(mslash + 1).endsWith(sub.slice(1)) && mt.length - mslash - 1 > sub.length - 1;
}

/** Whether the codec takes a body of this Content-Type; none (an empty body) is accepted by every codec. */
export function accepts(codec: DataFormatCodec, contentType: string | undefined): boolean {
  const mt = mediaType(contentType);
  if (mt === '') return true;
  for (const a of codec.accepts) if (mediaMatches(a, mt)) return true;
  return false;
}

/** The `charset` parameter of a Content-Type, lower-cased and unquoted; undefined when none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return m ? m[2]!.toLowerCase() : undefined;
}
