/**
 * What a service gets from `this.outgoing.soap('Billing')`: `call(body, opts)` wraps the body in an
 * Envelope of the connection's SOAP version (or sends the service's own envelope as is), posts it and
 * returns the answer's Body parsed — or throws a SoapFaultError for a Fault.
 */
import {
  envelope as wrapEnvelope,
  envelopeVersion,
  soapContentType,
  type SoapVersion,
} from '../../service/formats/soap.js';
import { childrenOf, escapeXml, parseXml, writeElement } from '../../service/formats/xml.js';
import { WharfError } from '../../errors.js';
import { bodySnippet, HttpStatusError, malformedError, usageError } from '../http/errors.js';
import type { ResponseHeaders } from '../http/client.js';
import type { Transport } from '../http/transport.js';
import { buildPath, type QueryValue } from '../http/url.js';
import { SoapFaultError } from './errors.js';
import { readFault } from './fault.js';
import type { OutgoingSoapConfig } from './kind.js';
import { wsSecurityHeader } from './wssecurity.js';

/** The Body's content: `{ getQuote: { symbol: 'IBM' } }`, or the XML text of the Body's child(ren). */
export type SoapBody = Readonly<Record<string, unknown>> | string;

export interface SoapCallOptions {
  /** SOAP action of this call; default: the connection's `soapAction`. */
  action?: string;
  /** Extra HTTP headers. */
  headers?: Readonly<Record<string, string>>;
  /** XML put inside `<soapenv:Header>` (after the WS-Security header, if any). */
  soapHeader?: string;
  /** String mode: a complete envelope sent exactly as given (the body argument must then be empty). */
  envelope?: string;
  /** Namespace URI of the Body element(s) given as an object; default: the connection's `namespace`. */
  namespace?: string;
  /** Path placeholders / query parameters, as for HTTP connections. */
  params?: Readonly<Record<string, QueryValue>>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Declares the operation safe to retry on 502/503/504 and connection errors (SOAP posts are not, by default). */
  idempotent?: boolean;
}

export interface SoapResult {
  /** HTTP status (200, or 202 for one-way operations with an empty answer). */
  status: number;
  /** The Body's children parsed (local names), e.g. `{ getQuoteResponse: { price: '12.5' } }`; `{}` when empty. */
  body: Record<string, unknown>;
  /** Local name of the Body's first child (`''` for an empty Body). */
  element: string;
  /** The Header's children parsed, or undefined. */
  header: Record<string, unknown> | undefined;
  /** The answer envelope as received. */
  envelope: string;
  headers: ResponseHeaders;
}

function bodyXml(body: SoapBody, ns: string | undefined): string {
  if (typeof body === 'string') return body;
  let out = '';
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined) continue;
    const colon = name.indexOf(':');
    const attr = !ns
      ? ''
      : colon === -1
        ? ` xmlns="${escapeXml(ns)}"`
        : ` xmlns:${name.slice(0, colon)}="${escapeXml(ns)}"`;
    // An array repeats the element; each one gets the namespace declaration.
    for (const item of Array.isArray(value) ? value : [value]) {
      const xml = writeElement(name, item);
      out += attr ? `<${name}${attr}${xml.slice(name.length + 1)}` : xml;
    }
  }
  return out;
}

export class SoapOutgoing {
  /** @internal */
  constructor(private readonly t: Transport<OutgoingSoapConfig>) {}

  get name(): string {
    return this.t.config.name;
  }

  get soapVersion(): SoapVersion {
    return this.t.config.soapVersion;
  }

  /** Calls the endpoint; returns the answer's Body, throws SoapFaultError for a Fault. */
  async call(body?: SoapBody | null, opts: SoapCallOptions = {}): Promise<SoapResult> {
    const t = this.t;
    const c = t.config;
    const version = c.soapVersion;
    const action = opts.action ?? c.soapAction;
    if (/["\r\n]/.test(action))
      throw usageError(t.lbl, c.name, 'the SOAP action must not contain quotes or line breaks');
    let text: string;
    if (opts.envelope !== undefined) {
      if (body !== undefined && body !== null && body !== '')
        throw usageError(t.lbl, c.name, 'pass either a body or a complete `envelope`, not both');
      text = opts.envelope;
    } else {
      if (body === undefined || body === null)
        throw usageError(t.lbl, c.name, 'call() needs a body (an object or an XML string) or an `envelope`');
      let header = c.wsSecurity ? wsSecurityHeader(t.ctx, t.lbl, c.wsSecurity) : '';
      if (opts.soapHeader) header += opts.soapHeader;
      let inner: string;
      try {
        inner = bodyXml(body, opts.namespace ?? c.namespace);
      } catch (e) {
        throw usageError(t.lbl, c.name, `the body cannot be written as XML: ${(e as Error).message}`);
      }
      text = wrapEnvelope(version, inner, header);
    }
    const defaults: Record<string, string> =
      version === '1.1'
        ? { 'content-type': soapContentType('1.1'), soapaction: `"${action}"`, accept: 'text/xml' }
        : { 'content-type': soapContentType('1.2', action || undefined), accept: 'application/soap+xml' };
    const built = buildPath(t.basePath, c.path, opts.params, undefined);
    if ('missing' in built)
      throw usageError(t.lbl, c.name, `path parameter \`${built.missing}\` of ${c.path} has no value`);
    const x = await t.send({
      method: 'POST',
      path: built.path,
      defaults,
      headers: opts.headers,
      body: text,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      idempotent: opts.idempotent ?? false,
    });
    return this.answer(x.status, x.headers, x.body, `POST ${built.path.split('?')[0]}${action ? ` (${action})` : ''}`);
  }

  private answer(status: number, headers: ResponseHeaders, raw: Buffer, what: string): SoapResult {
    const t = this.t;
    const c = t.config;
    const ok = status >= 200 && status < 300;
    const envelopeText = raw.toString('utf8');
    if (envelopeText.trim() === '') {
      if (ok) return { status, body: {}, element: '', header: undefined, envelope: '', headers };
      throw new HttpStatusError(t.lbl, c.name, what, status, headers, raw);
    }
    let parsed: { root: string; value: unknown };
    try {
      parsed = parseXml(envelopeText, 64, 'SOAP');
    } catch (e) {
      if (!ok) throw new HttpStatusError(t.lbl, c.name, what, status, headers, raw);
      const reason =
        e instanceof WharfError && e.code === 'WHARF_ERR_DTD_FORBIDDEN'
          ? 'it contains a DTD or entity declaration, which are refused'
          : (e as Error).message.replace(/^Malformed SOAP body: /, '');
      throw malformedError(t.lbl, c.name, what, 'SOAP', reason, e);
    }
    const version = envelopeVersion(envelopeText);
    if (parsed.root !== 'Envelope' || !version) {
      if (!ok) throw new HttpStatusError(t.lbl, c.name, what, status, headers, raw);
      const why =
        parsed.root !== 'Envelope'
          ? `the root element is <${parsed.root}>, not a SOAP Envelope (${bodySnippet(raw, 80)})`
          : 'the Envelope has no SOAP 1.1 or 1.2 namespace';
      throw malformedError(t.lbl, c.name, what, 'SOAP', why);
    }
    const env = childrenOf(parsed.value);
    if (!('Body' in env)) {
      if (!ok) throw new HttpStatusError(t.lbl, c.name, what, status, headers, raw);
      throw malformedError(t.lbl, c.name, what, 'SOAP', 'the Envelope has no Body');
    }
    const body = childrenOf(env['Body']);
    const element = Object.keys(body)[0] ?? '';
    if (element === 'Fault') {
      const f = readFault(body['Fault'], version);
      throw new SoapFaultError({
        connection: c.name,
        label: t.lbl,
        soapVersion: version,
        ...f,
        httpStatus: status,
        envelope: envelopeText,
      });
    }
    if (!ok) throw new HttpStatusError(t.lbl, c.name, what, status, headers, raw);
    const header = 'Header' in env ? childrenOf(env['Header']) : undefined;
    return { status, body, element, header, envelope: envelopeText, headers };
  }
}
