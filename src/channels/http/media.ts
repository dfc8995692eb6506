/**
 * Which request Content-Types an HTTP channel takes: its data format's own (JSON: application/json
 * and application/*+json; XML: application/xml, text/xml, application/*+xml; SOAP 1.1: text/xml;
 * SOAP 1.2: application/soap+xml; form: application/x-www-form-urlencoded; plain: any), plus the
 * channel's `acceptContentTypes`. A body without a Content-Type is taken only when it is empty
 * (plain channels take any). A charset other than UTF-8 (or its subset US-ASCII) is refused: bodies
 * are read as UTF-8. Refusals are 415 naming what was sent and what is accepted.
 */
import { WharfError } from '../../errors.js';
import { charsetOf, codecs, mediaMatches, mediaType } from '../../service/formats/index.js';
import type { HttpChannelConfig } from './kind.js';

export interface MediaPolicy {
  /** Media type patterns (lower-case) the channel accepts. */
  readonly patterns: readonly string[];
  /** For messages: what is accepted. */
  readonly expected: string;
  /** Plain channels take any body; the others need a Content-Type for a non-empty body. */
  readonly any: boolean;
  /** Content-Type values seen and accepted (a few; most clients send one or two spellings). */
  readonly accepted: Set<string>;
}

const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii']);

export function mediaPolicy(
  config: Pick<HttpChannelConfig, 'dataFormat' | 'soapVersion' | 'acceptContentTypes'>,
): MediaPolicy {
  const codec = codecs[config.dataFormat];
  let own: readonly string[] = codec.accepts;
  let expected = codec.expected;
  if (config.dataFormat === 'soap') {
    own = config.soapVersion === '1.2' ? ['application/soap+xml'] : ['text/xml'];
    expected = `${own[0]!} (SOAP ${config.soapVersion})`;
  }
  const extra = (config.acceptContentTypes ?? []).map((p) => p.toLowerCase()).filter((p) => !own.includes(p));
  const patterns = [...own, ...extra];
  const any = patterns.some((p) => p === '*' || p === '*/*');
  return {
    patterns,
    expected: extra.length > 0 && !any ? `${expected}, ${extra.join(', ')}` : expected,
    any,
    accepted: new Set(),
  };
}

/** The 415 for a Content-Type the channel does not take (checked before the body is read), or undefined. */
export function contentTypeProblem(policy: MediaPolicy, contentType: string): WharfError | undefined {
  if (policy.accepted.has(contentType)) return undefined;
  const mt = mediaType(contentType);
  if (mt === '') return undefined;
  if (!policy.any && !policy.patterns.some((p) => mediaMatches(p, mt)))
    return new WharfError('WHARF_ERR_UNSUPPORTED_MEDIA_TYPE', [mt, policy.expected]);
  const charset = charsetOf(contentType);
  if (charset !== undefined && !UTF8.has(charset)) {
    return new WharfError('WHARF_ERR_UNSUPPORTED_MEDIA_TYPE', [
      contentType.trim(),
      `charset=utf-8 (bodies are read as UTF-8; \`${charset}\` is not supported)`,
    ]);
  }
  if (policy.accepted.size < 16) policy.accepted.add(contentType);
  return undefined;
}

/** The 415 for a non-empty body sent without a Content-Type. */
export function missingContentType(policy: MediaPolicy): WharfError {
  return new WharfError('WHARF_ERR_UNSUPPORTED_MEDIA_TYPE', [
    '(none)',
    `${policy.expected} (a body needs a Content-Type)`,
  ]);
}

/** Whether a plain channel's body is text that must be UTF-8: text/*, a declared charset, or no Content-Type. */
export function isTextBody(contentType: string | undefined): boolean {
  const mt = mediaType(contentType);
  return mt === '' || mt.startsWith('text/') || charsetOf(contentType) !== undefined;
}
