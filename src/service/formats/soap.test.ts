import { describe, expect, it } from 'vitest';
import { WharfError, type ErrorBody } from '../../errors.js';
import {
  envelope,
  envelopeVersion,
  responseElement,
  rootChildren,
  SOAP_NS,
  soapCodec,
  soapContentType,
  soapFault,
} from './soap.js';
import { requestNamespace } from './soap-ns.js';
import { parseXml, XML_DECL } from './xml.js';

const opts = { maxDepth: 64 };
const S11 = SOAP_NS['1.1'];
const S12 = SOAP_NS['1.2'];

function req(ns: string, body: string, header = '', prefix = 'soapenv'): Buffer {
  const h = header ? `<${prefix}:Header>${header}</${prefix}:Header>` : '';
  return Buffer.from(
    `<?xml version="1.0"?>\n<${prefix}:Envelope xmlns:${prefix}="${ns}" xmlns:m="urn:m">${h}<${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`,
  );
}

function caught(fn: () => unknown): WharfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WharfError);
    return e as WharfError;
  }
  throw new Error('expected an error');
}

describe('soapContentType and envelopeVersion', () => {
  it('1.1 is text/xml, 1.2 is application/soap+xml with an optional action', () => {
    expect(soapContentType('1.1', 'urn:x')).toBe('text/xml; charset=utf-8');
    expect(soapContentType('1.2')).toBe('application/soap+xml; charset=utf-8');
    expect(soapContentType('1.2', 'urn:get')).toBe('application/soap+xml; charset=utf-8; action="urn:get"');
  });

  it('reads the version from the Envelope’s own namespace declaration, prefixed or default', () => {
    expect(envelopeVersion(req(S11, '').toString())).toBe('1.1');
    expect(envelopeVersion(req(S12, '', '', 'env').toString())).toBe('1.2');
    expect(envelopeVersion(`<Envelope xmlns="${S12}"><Body/></Envelope>`)).toBe('1.2');
    expect(envelopeVersion('<s:Envelope xmlns:s="urn:other"><s:Body/></s:Envelope>')).toBeUndefined();
    expect(envelopeVersion('<notsoap/>')).toBeUndefined();
  });
});

describe('soapCodec.parse', () => {
  it('SOAP 1.1: the input is the Body’s first child’s children; payload has header and body', () => {
    const r = soapCodec.parse(req(S11, '<m:getCustomer><m:id>5</m:id></m:getCustomer>', '<m:auth>t</m:auth>'), opts);
    expect(r.element).toBe('getCustomer');
    expect(r.input).toEqual({ id: '5' });
    expect(r.payload).toEqual({ header: { auth: 't' }, body: { getCustomer: { id: '5' } } });
  });

  it('SOAP 1.2 with any prefix', () => {
    const r = soapCodec.parse(req(S12, '<m:ping><m:n>1</m:n></m:ping>', '', 'env'), { ...opts, soapVersion: '1.2' });
    expect(r).toMatchObject({ element: 'ping', input: { n: '1' } });
  });

  it('an empty Body gives no input and no element', () => {
    expect(soapCodec.parse(req(S11, ''), opts)).toMatchObject({ input: {}, element: '' });
  });

  it('a channel of one version refuses the other (VersionMismatch, 400)', () => {
    const e = caught(() => soapCodec.parse(req(S12, '<m:a/>'), { ...opts, soapVersion: '1.1' }));
    expect(e).toMatchObject({ code: 'WHARF_ERR_BAD_REQUEST', status: 400 });
    expect(e.message).toBe('VersionMismatch: this channel speaks SOAP 1.1, the request is SOAP 1.2');
  });

  it('refuses empty bodies, non-Envelope roots, unknown namespaces and missing Body', () => {
    expect(caught(() => soapCodec.parse(Buffer.from('  '), opts)).message).toBe('Malformed SOAP body: empty body');
    expect(caught(() => soapCodec.parse(Buffer.from('<getCustomer/>'), opts)).message).toBe(
      'Malformed SOAP body: root element is <getCustomer>, not <Envelope>',
    );
    expect(
      caught(() => soapCodec.parse(Buffer.from('<s:Envelope xmlns:s="urn:nope"><s:Body/></s:Envelope>'), opts)).message,
    ).toMatch(/no SOAP 1\.1 or 1\.2 namespace/);
    expect(
      caught(() => soapCodec.parse(Buffer.from(`<s:Envelope xmlns:s="${S11}"><s:Header/></s:Envelope>`), opts)),
    ).toMatchObject({ code: 'WHARF_ERR_SOAP_NO_BODY', status: 400 });
  });

  it('refuses DTDs (XXE) and malformed XML with SOAP in the message', () => {
    const xxe = `<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="${S11}"><s:Body><a>&x;</a></s:Body></s:Envelope>`;
    expect(caught(() => soapCodec.parse(Buffer.from(xxe), opts)).code).toBe('WHARF_ERR_DTD_FORBIDDEN');
    expect(caught(() => soapCodec.parse(Buffer.from(`<s:Envelope xmlns:s="${S11}"><s:Body>`), opts)).message).toMatch(
      /^Malformed SOAP body/,
    );
  });

  it("says a truncated body is truncated, in Wharf's words rather than the parser's", () => {
    expect(caught(() => soapCodec.parse(Buffer.from(`<s:Envelope xmlns:s="${S11}"><s:Body>`), opts)).message).toBe(
      'Malformed SOAP body: the body ends before </s:Body>, </s:Envelope> (truncated?) (line 1, column 1)',
    );
    expect(
      caught(() => soapCodec.parse(Buffer.from(`<s:Envelope xmlns:s="${S11}"><s:Body><get><id>1</i`), opts)).message,
    ).toMatch(/^Malformed SOAP body: the closing tag <\/i has no `>` \(truncated\?\)/);
    expect(caught(() => soapCodec.parse(Buffer.from('<s:Envel'), opts)).message).toMatch(
      /^Malformed SOAP body: the tag <s:Envel is not closed \(truncated\?\)/,
    );
  });
});

describe('envelope and faults', () => {
  it('envelope: the version’s namespace, optional header, body', () => {
    expect(envelope('1.1', '<x/>')).toBe(
      `${XML_DECL}<soapenv:Envelope xmlns:soapenv="${S11}"><soapenv:Body><x/></soapenv:Body></soapenv:Envelope>`,
    );
    expect(envelope('1.2', '<x/>', '<h/>')).toContain(
      `xmlns:soapenv="${S12}"><soapenv:Header><h/></soapenv:Header><soapenv:Body>`,
    );
  });

  const err: ErrorBody = { code: 'WHARF_ERR_INVALID_ELEMENT', message: 'Invalid value for `id` <&>', cid: 'cid-1' };

  it('SOAP 1.1 faults: Client for 4xx, Server for 5xx, escaped faultstring, code and cid in detail', () => {
    const f = soapFault('1.1', err, 400);
    expect(f).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(f).toContain('<faultstring>Invalid value for `id` &lt;&amp;&gt;</faultstring>');
    expect(f).toContain('<wharf:code>WHARF_ERR_INVALID_ELEMENT</wharf:code><wharf:cid>cid-1</wharf:cid>');
    expect(soapFault('1.1', err, 500)).toContain('<faultcode>soapenv:Server</faultcode>');
    const { root, value } = parseXml(f, 64);
    expect(root).toBe('Envelope');
    expect(value).toMatchObject({
      Body: {
        Fault: { faultcode: 'soapenv:Client', detail: { error: { code: 'WHARF_ERR_INVALID_ELEMENT', cid: 'cid-1' } } },
      },
    });
  });

  it('SOAP 1.2 faults: Sender/Receiver in Code/Value, Reason/Text, Detail', () => {
    const f = soapFault('1.2', err, 404);
    expect(f).toContain(`xmlns:soapenv="${S12}"`);
    expect(f).toContain('<soapenv:Code><soapenv:Value>soapenv:Sender</soapenv:Value></soapenv:Code>');
    expect(f).toContain(
      '<soapenv:Reason><soapenv:Text xml:lang="en">Invalid value for `id` &lt;&amp;&gt;</soapenv:Text></soapenv:Reason>',
    );
    expect(soapFault('1.2', err, 503)).toContain('<soapenv:Value>soapenv:Receiver</soapenv:Value>');
    expect(parseXml(f, 64).value).toMatchObject({ Body: { Fault: { Detail: { error: { cid: 'cid-1' } } } } });
  });

  it('renderError uses the channel version and its content type', () => {
    expect(soapCodec.renderError(err, opts, 400)).toEqual({
      body: soapFault('1.1', err, 400),
      contentType: 'text/xml; charset=utf-8',
    });
    expect(soapCodec.renderError(err, { ...opts, soapVersion: '1.2' }, 500)).toEqual({
      body: soapFault('1.2', err, 500),
      contentType: 'application/soap+xml; charset=utf-8',
    });
  });
});

describe('soapCodec.render', () => {
  it('names the response after the request element, or responseElement, or "response"', () => {
    const parsed = soapCodec.parse(req(S11, '<m:getCustomer><m:id>5</m:id></m:getCustomer>'), opts);
    // <m:getCustomer> is in urn:m (declared on the Envelope), its children too: so is the answer (issue 15 item 6).
    expect(soapCodec.render({ id: 5 }, opts, parsed).body).toBe(
      envelope('1.1', '<getCustomerResponse xmlns="urn:m"><id>5</id></getCustomerResponse>'),
    );
    expect(soapCodec.render({ id: 5 }, { ...opts, responseElement: 'cust' }, parsed).body).toBe(
      envelope('1.1', '<cust xmlns="urn:m"><id>5</id></cust>'),
    );
    const plain = soapCodec.parse(req(S11, '<getCustomer><id>5</id></getCustomer>'), opts);
    expect(soapCodec.render({ id: 5 }, opts, plain).body).toBe(
      envelope('1.1', '<getCustomerResponse><id>5</id></getCustomerResponse>'),
    );
    expect(soapCodec.render({ id: 5 }, opts, undefined).body).toBe(envelope('1.1', '<response><id>5</id></response>'));
  });

  it('undefined output is an empty response element; strings/Buffers are sent as is', () => {
    expect(soapCodec.render(undefined, { ...opts, soapVersion: '1.2', soapAction: 'urn:a' }, undefined)).toEqual({
      body: envelope('1.2', '<response/>'),
      contentType: 'application/soap+xml; charset=utf-8; action="urn:a"',
    });
    expect(soapCodec.render('<raw/>', opts, undefined)).toEqual({
      body: '<raw/>',
      contentType: 'text/xml; charset=utf-8',
    });
  });

  it('a rendered response parses back as SOAP of the same version', () => {
    const out = soapCodec.render(
      { total: '12.30', lines: [{ sku: 'a' }, { sku: 'b' }] },
      { ...opts, soapVersion: '1.2' },
      { payload: {}, input: {}, element: 'quote' },
    );
    const back = soapCodec.parse(Buffer.from(String(out.body)), { ...opts, soapVersion: '1.2' });
    expect(back.element).toBe('quoteResponse');
    expect(back.input).toEqual({ total: '12.30', lines: [{ sku: 'a' }, { sku: 'b' }] });
  });
});

describe('SOAP envelope shape: one optional Header, then exactly one Body', () => {
  const NS = 'http://schemas.xmlsoap.org/soap/envelope/';
  const env = (inner: string) => Buffer.from(`<?xml version="1.0"?><s:Envelope xmlns:s="${NS}">${inner}</s:Envelope>`);
  const o = { maxDepth: 64 };
  const refused = (inner: string): string => {
    try {
      soapCodec.parse(env(inner), o);
    } catch (e) {
      expect((e as { status: number }).status).toBe(400);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('two Bodies, two Headers, Body before Header → 400 naming the problem', () => {
    expect(refused('<s:Body><a><id>1</id></a></s:Body><s:Body><b/></s:Body>')).toBe(
      'Malformed SOAP body: the Envelope has 2 Body elements; exactly one is allowed',
    );
    expect(refused('<s:Header/><s:Header/><s:Body><a/></s:Body>')).toMatch(/2 Header elements; at most one/);
    expect(refused('<s:Body><a/></s:Body><s:Header><h>1</h></s:Header>')).toMatch(
      /the Header must come before the Body/,
    );
  });

  it('the valid shapes still parse; elements named Header or Body inside the Body do not count', () => {
    expect(soapCodec.parse(env('<s:Header><h>1</h></s:Header><s:Body><a><id>1</id></a></s:Body>'), o).input).toEqual({
      id: '1',
    });
    expect(soapCodec.parse(env('<s:Body><a><Header>x</Header><Body>y</Body></a></s:Body>'), o).input).toEqual({
      Header: 'x',
      Body: 'y',
    });
    expect(
      soapCodec.parse(env('<!-- <s:Body> --><s:Header x="a>b"><h/></s:Header><![CDATA[]]><s:Body><a/></s:Body>'), o)
        .element,
    ).toBe('a');
    expect(rootChildren('<E><H a="1"/><B><B/></B></E>')).toEqual(['H', 'B']);
  });
});

describe('soapCodec.render: list outputs (regression, fixed in 39f01a3)', () => {
  it('a SOAP list output is one response element in the Body', () => {
    const body = String(soapCodec.render([1, 2], opts, { payload: {}, input: {}, element: 'list' }).body);
    const parsed = soapCodec.parse(Buffer.from(body), opts);
    expect(parsed.element).toBe('listResponse');
    expect(Object.keys((parsed.payload as { body: object }).body)).toEqual(['listResponse']);
    expect(parsed.input).toEqual({ item: ['1', '2'] });
  });
});

describe('answers qualified like the request (issue 15 item 6)', () => {
  const ns = (body: string, envAttrs = '', header = ''): ReturnType<typeof requestNamespace> =>
    requestNamespace(
      `<?xml version="1.0"?><!-- <s:Body><x:a xmlns:x="urn:no"/></s:Body> --><s:Envelope xmlns:s="${S11}"${envAttrs}>${header}<s:Body>${body}</s:Body></s:Envelope>`,
    );

  it("reads the request element's namespace: prefixed, default, declared on an ancestor, undeclared, none", () => {
    expect(ns('<m:get xmlns:m="urn:a"><m:id>1</m:id></m:get>')).toEqual({ uri: 'urn:a', childrenQualified: true });
    expect(ns('<get xmlns="urn:b"><id>1</id></get>')).toEqual({ uri: 'urn:b', childrenQualified: true });
    expect(ns('<m:get><m:id>1</m:id></m:get>', ' xmlns:m="urn:c&amp;d"')).toEqual({
      uri: 'urn:c&d',
      childrenQualified: true,
    });
    // JAX-WS style: the wrapper qualified, its children not.
    expect(ns('<m:get xmlns:m="urn:a"><id>1</id></m:get>')).toEqual({ uri: 'urn:a', childrenQualified: false });
    expect(ns("<m:get xmlns:m='urn:a'><n:id xmlns:n='urn:other'>1</n:id></m:get>")).toEqual({
      uri: 'urn:a',
      childrenQualified: false,
    });
    expect(ns('<x:get><id>1</id></x:get>')).toEqual({ uri: '', childrenQualified: false });
    expect(ns('<get><id>1</id></get>')).toEqual({ uri: '', childrenQualified: false });
    expect(ns('<m:ping xmlns:m="urn:p"/>')).toEqual({ uri: 'urn:p', childrenQualified: true });
    expect(ns('<m:ping xmlns:m="urn:p">text</m:ping>')).toEqual({ uri: 'urn:p', childrenQualified: true });
    expect(ns('')).toBeUndefined();
    // Header content (with its own declarations and elements) does not count; the Body's default namespace does.
    expect(ns('<get><id>1</id></get>', '', '<s:Header><h:t xmlns:h="urn:h"><h:u/></h:t></s:Header>')).toEqual({
      uri: '',
      childrenQualified: false,
    });
    expect(ns('<get><id>1</id></get>'.replace('<get>', '<![CDATA[<q:z>]]><get>'), ' xmlns="urn:d"')).toEqual({
      uri: 'urn:d',
      childrenQualified: true,
    });
  });

  it('writes the response element in that namespace: children qualified (default namespace) or not (prefix)', () => {
    expect(responseElement('getResponse', { id: 1, l: [1, 2] }, { uri: 'urn:a', childrenQualified: true })).toBe(
      '<getResponse xmlns="urn:a"><id>1</id><l>1</l><l>2</l></getResponse>',
    );
    expect(responseElement('getResponse', { id: 1 }, { uri: 'urn:"a"', childrenQualified: false })).toBe(
      '<ns:getResponse xmlns:ns="urn:&quot;a&quot;"><id>1</id></ns:getResponse>',
    );
    expect(responseElement('getResponse', undefined, { uri: 'urn:a', childrenQualified: true })).toBe(
      '<getResponse xmlns="urn:a"/>',
    );
    expect(responseElement('getResponse', undefined, { uri: 'urn:a', childrenQualified: false })).toBe(
      '<ns:getResponse xmlns:ns="urn:a"/>',
    );
    expect(responseElement('getResponse', { id: 1 }, { uri: '', childrenQualified: false })).toBe(
      '<getResponse><id>1</id></getResponse>',
    );
    expect(responseElement('getResponse', { id: 1 }, undefined)).toBe('<getResponse><id>1</id></getResponse>');
  });

  it('a rendered SOAP 1.2 answer to a namespaced request parses back with the same namespace', () => {
    const parsed = soapCodec.parse(req(S12, '<q:quote xmlns:q="urn:quotes"><sku>a</sku></q:quote>'), {
      ...opts,
      soapVersion: '1.2',
    });
    expect(parsed.namespace).toEqual({ uri: 'urn:quotes', childrenQualified: false });
    const out = soapCodec.render({ total: '1.5' }, { ...opts, soapVersion: '1.2' }, parsed);
    expect(out.body).toContain('<ns:quoteResponse xmlns:ns="urn:quotes"><total>1.5</total></ns:quoteResponse>');
    const back = soapCodec.parse(Buffer.from(String(out.body)), { ...opts, soapVersion: '1.2' });
    expect(back).toMatchObject({
      element: 'quoteResponse',
      namespace: { uri: 'urn:quotes', childrenQualified: false },
      input: { total: '1.5' },
    });
  });
});
