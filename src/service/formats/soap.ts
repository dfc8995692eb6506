/**
 * SOAP 1.1 and 1.2: the input is the Body's first child; output and faults go back in an Envelope
 * of the channel's version with that version's content type.
 */
import { WharfError, type ErrorBody } from '../../errors.js';
import type { CodecOptions, DataFormatCodec } from './codec.js';
import { childrenOf, escapeXml, parseXml, writeElement, XML_DECL } from './xml.js';
import { utf8Text } from './utf8.js';
import { asDocument } from './xml-codec.js';
import { requestNamespace, type RequestNamespace } from './soap-ns.js';

export const SOAP_NS = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
} as const;

export type SoapVersion = keyof typeof SOAP_NS;

export function soapContentType(version: SoapVersion, action?: string): string {
  if (version === '1.1') return 'text/xml; charset=utf-8';
  return `application/soap+xml; charset=utf-8${action ? `; action="${action}"` : ''}`;
}

const ROOT_RE = /<([A-Za-z_][\w.-]*:)?Envelope[\s>/]/;

/** The namespace URI of the root Envelope element, read from its own xmlns declaration. */
export function envelopeVersion(text: string): SoapVersion | undefined {
  const m = ROOT_RE.exec(text);
  if (!m) return undefined;
  const prefix = m[1] ? m[1].slice(0, -1) : '';
  const start = m.index;
  const end = text.indexOf('>', start);
  const tag = text.slice(start, end === -1 ? undefined : end);
  const attr = prefix ? `xmlns:${prefix}` : 'xmlns';
  const nsm = new RegExp(`${attr.replace('.', '\\.')}\\s*=\\s*["']([^"']+)["']`).exec(tag);
  const ns = nsm?.[1];
  if (ns === SOAP_NS['1.1']) return '1.1';
  if (ns === SOAP_NS['1.2']) return '1.2';
  return undefined;
}

export function envelope(version: SoapVersion, body: string, header = ''): string {
  const h = header ? `<soapenv:Header>${header}</soapenv:Header>` : '';
  return `${XML_DECL}<soapenv:Envelope xmlns:soapenv="${SOAP_NS[version]}">${h}<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

export function soapFault(version: SoapVersion, err: ErrorBody, status: number): string {
  const client = status < 500;
  const detail = `<wharf:error xmlns:wharf="urn:wharf:error"><wharf:code>${err.code}</wharf:code><wharf:cid>${escapeXml(err.cid)}</wharf:cid></wharf:error>`;
  if (version === '1.1') {
    const code = client ? 'soapenv:Client' : 'soapenv:Server';
    return envelope(
      version,
      `<soapenv:Fault><faultcode>${code}</faultcode><faultstring>${escapeXml(err.message)}</faultstring><detail>${detail}</detail></soapenv:Fault>`,
    );
  }
  const code = client ? 'soapenv:Sender' : 'soapenv:Receiver';
  return envelope(
    version,
    `<soapenv:Fault><soapenv:Code><soapenv:Value>${code}</soapenv:Value></soapenv:Code><soapenv:Reason><soapenv:Text xml:lang="en">${escapeXml(err.message)}</soapenv:Text></soapenv:Reason><soapenv:Detail>${detail}</soapenv:Detail></soapenv:Fault>`,
  );
}

const SKIP_RE = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g;
const TAG_RE = /<(\/?)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(?:[^>"']|"[^"]*"|'[^']*')*?(\/?)>/g;

/** Local names of the root element's children, in document order (the text is well-formed XML). */
export function rootChildren(text: string): string[] {
  const t = text.replace(SKIP_RE, '');
  const out: string[] = [];
  let depth = 0;
  TAG_RE.lastIndex = 0;
  for (let m = TAG_RE.exec(t); m; m = TAG_RE.exec(t)) {
    if (m[1] === '/') depth--;
    else {
      if (depth === 1) out.push(m[2]!);
      if (m[3] !== '/') depth++;
    }
  }
  return out;
}

/** One Header at most, then exactly one Body (SOAP 1.1 section 4, SOAP 1.2 part 1 section 5); else 400. */
function checkEnvelopeShape(env: Record<string, unknown>, text: string): void {
  const bodies = Array.isArray(env['Body']) ? env['Body'].length : 1;
  const headers = env['Header'] === undefined ? 0 : Array.isArray(env['Header']) ? env['Header'].length : 1;
  if (bodies > 1)
    throw new WharfError('WHARF_ERR_MALFORMED_BODY', [
      'SOAP',
      `the Envelope has ${bodies} Body elements; exactly one is allowed`,
    ]);
  if (headers > 1)
    throw new WharfError('WHARF_ERR_MALFORMED_BODY', [
      'SOAP',
      `the Envelope has ${headers} Header elements; at most one is allowed`,
    ]);
  if (headers === 1) {
    const kids = rootChildren(text);
    if (kids.indexOf('Header') > kids.indexOf('Body'))
      throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['SOAP', 'the Header must come before the Body']);
  }
}

function versionOf(opts: CodecOptions): SoapVersion {
  return opts.soapVersion ?? '1.1';
}

/** Prefix of a response element whose children are unqualified (the request's were). */
const RESPONSE_PREFIX = 'ns';

/**
 * The answer's Body element, qualified like the request element (issue 15 item 6): in its namespace,
 * with the children in it too (a default namespace) when the request's were, else only the element
 * (a prefix). An unqualified request, or a responseElement with its own prefix, is answered unqualified.
 */
export function responseElement(name: string, content: unknown, ns: RequestNamespace | undefined): string {
  if (!ns || ns.uri === '' || name.includes(':')) return writeElement(name, content);
  const uri = escapeXml(ns.uri);
  if (!ns.childrenQualified) {
    const xml = writeElement(`${RESPONSE_PREFIX}:${name}`, content);
    return `<${RESPONSE_PREFIX}:${name} xmlns:${RESPONSE_PREFIX}="${uri}"${xml.slice(RESPONSE_PREFIX.length + name.length + 2)}`;
  }
  const xml = writeElement(name, content);
  return `<${name} xmlns="${uri}"${xml.slice(name.length + 1)}`;
}

export const soapCodec: DataFormatCodec = {
  format: 'soap',
  accepts: ['text/xml', 'application/soap+xml'],
  expected: 'text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)',
  parse(raw, opts) {
    const text = utf8Text(raw, 'SOAP');
    if (text.trim() === '') throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['SOAP', 'empty body']);
    const { root, value } = parseXml(text, opts.maxDepth, 'SOAP');
    if (root !== 'Envelope')
      throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['SOAP', `root element is <${root}>, not <Envelope>`]);
    const version = envelopeVersion(text);
    if (!version)
      throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['SOAP', 'Envelope has no SOAP 1.1 or 1.2 namespace']);
    if (opts.soapVersion && version !== opts.soapVersion) {
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [
        `VersionMismatch: this channel speaks SOAP ${opts.soapVersion}, the request is SOAP ${version}`,
      ]);
    }
    const env = childrenOf(value);
    if (!('Body' in env)) throw new WharfError('WHARF_ERR_SOAP_NO_BODY');
    checkEnvelopeShape(env, text);
    const body = childrenOf(env['Body']);
    const first = Object.keys(body)[0];
    if (!first) return { payload: { header: env['Header'], body }, input: {}, element: '' };
    const el = body[first];
    return {
      payload: { header: env['Header'], body },
      input: childrenOf(Array.isArray(el) ? el[0] : el),
      element: first,
      namespace: requestNamespace(text),
    };
  },
  render(output, opts, parsed) {
    const version = versionOf(opts);
    const ct = soapContentType(version, opts.soapAction);
    if (typeof output === 'string' || Buffer.isBuffer(output)) return { body: output, contentType: ct };
    const name = opts.responseElement ?? (parsed?.element ? `${parsed.element}Response` : 'response');
    return {
      body: envelope(
        version,
        responseElement(name, output === undefined ? undefined : asDocument(output), parsed?.namespace),
      ),
      contentType: ct,
    };
  },
  renderError(err, opts, status) {
    const version = versionOf(opts);
    return { body: soapFault(version, err, status), contentType: soapContentType(version) };
  },
};
