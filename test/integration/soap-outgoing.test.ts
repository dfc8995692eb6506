/**
 * outgoing.soap against a real SOAP endpoint started here (node:http on an ephemeral loopback port):
 * conformance, SOAP 1.1 and 1.2 envelopes and headers, string mode, WS-Security UsernameToken,
 * faults of both versions as SoapFaultError, malformed answers, HTTP errors, live timeouts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/kind.js';
import { createTestContext } from '../support/connectors/context.js';
import { runConformance } from '../support/connectors/conformance.js';
import type { Connector } from '../../src/connectors/types.js';
import { WharfError } from '../../src/errors.js';
import { HttpStatusError } from '../../src/outgoing/http/index.js';
import {
  outgoingSoap,
  SoapFaultError,
  type SoapOutgoing,
  type OutgoingSoapConfig,
} from '../../src/outgoing/soap/index.js';
import { escapeXml } from '../../src/service/formats/xml.js';
import { rejectionOf } from '../support/rejection.js';

const NS11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS12 = 'http://www.w3.org/2003/05/soap-envelope';

function env(ns: string, body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${ns}"><s:Header><h:trace xmlns:h="urn:trace">t-1</h:trace></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

const FAULT11 = env(
  NS11,
  '<s:Fault><faultcode>s:Client</faultcode><faultstring>Unknown symbol XYZ</faultstring><faultactor>urn:quotes</faultactor><detail><q:error xmlns:q="urn:q"><q:code>E17</q:code><q:symbol>XYZ</q:symbol></q:error></detail></s:Fault>',
);
const FAULT12 = env(
  NS12,
  '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>q:BadSymbol</s:Value><s:Subcode><s:Value>q:Unlisted</s:Value></s:Subcode></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">Unknown symbol XYZ</s:Text><s:Text xml:lang="fr">Symbole inconnu</s:Text></s:Reason><s:Role>urn:quotes</s:Role><s:Detail><q:error xmlns:q="urn:q"><q:code>E17</q:code></q:error></s:Detail></s:Fault>',
);

let server: Server;
let url: string;
const hits = new Map<string, number>();
let seq = 0;
const live: Connector[] = [];

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function endpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', 'http://x');
  const key = u.searchParams.get('key');
  if (key) hits.set(key, (hits.get(key) ?? 0) + 1);
  const text = await body(req);
  const send = (status: number, ct: string, payload: string): void => {
    res.writeHead(status, { 'content-type': ct });
    res.end(payload);
  };
  switch (u.pathname) {
    case '/quotes': {
      const ns = text.includes(NS12) ? NS12 : NS11;
      const seen = `<r:seen xmlns:r="urn:seen"><action>${escapeXml(String(req.headers['soapaction'] ?? ''))}</action><contentType>${escapeXml(String(req.headers['content-type']))}</contentType><authorization>${escapeXml(String(req.headers['authorization'] ?? ''))}</authorization><envelope>${escapeXml(text)}</envelope></r:seen>`;
      return send(
        200,
        ns === NS12 ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8',
        env(ns, `<m:getQuoteResponse xmlns:m="urn:q"><m:price>12.5</m:price></m:getQuoteResponse>${seen}`),
      );
    }
    case '/fault11':
      return send(500, 'text/xml; charset=utf-8', FAULT11);
    case '/fault12':
      return send(400, 'application/soap+xml; charset=utf-8', FAULT12);
    case '/fault-200':
      return send(200, 'text/xml', FAULT11);
    case '/not-xml':
      return send(200, 'text/plain', 'hello, not a SOAP answer');
    case '/bad-xml':
      return send(200, 'text/xml', `<s:Envelope xmlns:s="${NS11}"><s:Body><m:x></s:Body></s:Envelope>`);
    case '/dtd':
      return send(
        200,
        'text/xml',
        `<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY x "y">]><s:Envelope xmlns:s="${NS11}"><s:Body>&x;</s:Body></s:Envelope>`,
      );
    case '/no-ns':
      return send(200, 'text/xml', '<Envelope><Body><x/></Body></Envelope>');
    case '/html-500':
      return send(500, 'text/html', '<html><body>Internal error</body></html>');
    case '/one-way':
      res.writeHead(202);
      return void res.end();
    case '/slow': {
      const t = setTimeout(() => send(200, 'text/xml', env(NS11, '<ok/>')), Number(u.searchParams.get('ms') ?? '0'));
      res.on('close', () => clearTimeout(t));
      return;
    }
    case '/flaky':
      if ((hits.get(key ?? '') ?? 0) <= 1) return send(503, 'text/plain', 'busy');
      return send(200, 'text/xml', env(NS11, `<ok>${hits.get(key ?? '')}</ok>`));
    default:
      return send(404, 'text/plain', 'no such endpoint');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => void endpoint(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
afterEach(async () => {
  await Promise.all(live.splice(0).map((c) => c.stop()));
});

async function make(
  over: Partial<Record<keyof OutgoingSoapConfig, unknown>> = {},
  objects: Record<string, ConfigObject> = {},
): Promise<{ inst: Connector<OutgoingSoapConfig>; soap: SoapOutgoing; cfg: OutgoingSoapConfig }> {
  const cfg = outgoingSoap.kind.schema.parse({
    name: `Quotes-${++seq}`,
    address: url,
    path: '/quotes',
    ...over,
  }) as OutgoingSoapConfig;
  const inst = outgoingSoap.create(cfg, createTestContext({ objects }));
  await inst.start();
  live.push(inst);
  return { inst, soap: inst.handle!() as SoapOutgoing, cfg };
}

const failure = (p: Promise<unknown>): Promise<WharfError> => rejectionOf(p, WharfError);

interface Seen {
  action: string;
  contentType: string;
  authorization: string;
  envelope: string;
}

function seen(body: Record<string, unknown>): Seen {
  return body['seen'] as Seen;
}

runConformance<OutgoingSoapConfig>({
  title: 'outgoing.soap against a node:http SOAP endpoint',
  kind: outgoingSoap,
  config: () =>
    ({
      name: `soap-conf-${++seq}`,
      active: true,
      address: url,
      path: '/quotes',
      soapAction: 'urn:getQuote',
    }) as unknown as OutgoingSoapConfig,
  reconfigure: (c) => ({ ...c, soapVersion: '1.2', soapAction: 'urn:getQuote2', timeoutMs: 4000, poolSize: 2 }),
  async exercise(inst, c) {
    const soap = inst.handle!() as SoapOutgoing;
    const r = await soap.call({ getQuote: { symbol: 'IBM' } });
    expect(r.status).toBe(200);
    expect(r.element).toBe('getQuoteResponse');
    expect(r.body['getQuoteResponse']).toEqual({ price: '12.5' });
    const s = seen(r.body);
    expect(s.envelope).toContain(c.soapVersion === '1.1' ? NS11 : NS12);
    if (c.soapVersion === '1.1') expect(s.action).toBe(`"${c.soapAction}"`);
    else expect(s.contentType).toBe(`application/soap+xml; charset=utf-8; action="${c.soapAction}"`);
  },
  invalid: [
    { input: { name: 'x', address: 'tcp://h' }, message: /address: must be an http/ },
    { input: { name: 'x', address: 'http://h', soapVersion: '1.3' }, message: /soapVersion: Invalid option/ },
    { input: { name: 'x', address: 'http://h', soapAction: 'a"b' }, message: /soapAction: must not contain quotes/ },
    { input: { name: 'x', address: 'http://h', timeoutMs: -5 }, message: /timeoutMs: Too small/ },
    { input: { name: 'x', address: 'http://h', wsSecurity: '' }, message: /wsSecurity: Too small/ },
  ],
});

describe('outgoing.soap: requests', () => {
  it('SOAP 1.1: text/xml, quoted SOAPAction (per call), the body in an Envelope with the namespace; answer Body and Header parsed', async () => {
    const { soap } = await make({ soapAction: 'urn:default', namespace: 'urn:q' });
    const r = await soap.call(
      { getQuote: { symbol: 'IBM', qty: [1, 2] } },
      { action: 'urn:getQuote', soapHeader: '<t:trace xmlns:t="urn:t">abc</t:trace>' },
    );
    const s = seen(r.body);
    expect(s.action).toBe('"urn:getQuote"');
    expect(s.contentType).toBe('text/xml; charset=utf-8');
    expect(s.envelope).toContain(
      `<soapenv:Envelope xmlns:soapenv="${NS11}"><soapenv:Header><t:trace xmlns:t="urn:t">abc</t:trace></soapenv:Header>`,
    );
    expect(s.envelope).toContain(
      '<soapenv:Body><getQuote xmlns="urn:q"><symbol>IBM</symbol><qty>1</qty><qty>2</qty></getQuote></soapenv:Body>',
    );
    expect(r.header).toEqual({ trace: 't-1' });
    expect(r.envelope).toContain('getQuoteResponse');
    expect(r.headers['content-type']).toBe('text/xml; charset=utf-8');
    // No action configured or given: an empty quoted SOAPAction, as SOAP 1.1 requires.
    const { soap: plain } = await make();
    expect(seen((await plain.call('<ping/>')).body).action).toBe('""');
  });

  it('SOAP 1.2: application/soap+xml with the action parameter, no SOAPAction header; prefixed body element gets its xmlns', async () => {
    const { soap } = await make({ soapVersion: '1.2', soapAction: 'urn:getQuote' });
    const r = await soap.call({ 'm:getQuote': { 'm:symbol': 'IBM' } }, { namespace: 'urn:q' });
    const s = seen(r.body);
    expect(s.contentType).toBe('application/soap+xml; charset=utf-8; action="urn:getQuote"');
    expect(s.action).toBe('');
    expect(s.envelope).toContain(`xmlns:soapenv="${NS12}"`);
    expect(s.envelope).toContain('<m:getQuote xmlns:m="urn:q"><m:symbol>IBM</m:symbol></m:getQuote>');
  });

  it('string mode: a raw XML Body child, or a complete envelope sent exactly as given', async () => {
    const { soap } = await make();
    const r = await soap.call('<m:getQuote xmlns:m="urn:q"><m:symbol>IBM</m:symbol></m:getQuote>');
    expect(seen(r.body).envelope).toContain(
      '<soapenv:Body><m:getQuote xmlns:m="urn:q"><m:symbol>IBM</m:symbol></m:getQuote></soapenv:Body>',
    );
    const full = `<x:Envelope xmlns:x="${NS11}"><x:Body><own/></x:Body></x:Envelope>`;
    const r2 = await soap.call(undefined, { envelope: full });
    expect(seen(r2.body).envelope).toBe(full);
    const e = await failure(soap.call({ a: 1 }, { envelope: full }));
    expect(e.message).toMatch(/pass either a body or a complete `envelope`/);
    expect((await failure(soap.call())).message).toMatch(/call\(\) needs a body/);
  });

  it('WS-Security UsernameToken (PasswordText) from a basic-auth definition, next to HTTP basic auth', async () => {
    const objects = {
      'security.basicAuth/ws': { name: 'ws', active: true, username: 'svc<1>', password: 'p&ss' },
      'security.basicAuth/http': { name: 'http', active: true, username: 'h', password: 'p' },
    };
    const { soap } = await make({ wsSecurity: 'ws', security: 'http' }, objects);
    const s = seen((await soap.call({ getQuote: {} })).body);
    expect(s.envelope).toMatch(
      /<soapenv:Header><wsse:Security xmlns:wsse="http:\/\/docs\.oasis-open\.org\/wss\/2004\/01\/oasis-200401-wss-wssecurity-secext-1\.0\.xsd" [^>]*soapenv:mustUnderstand="1">/,
    );
    expect(s.envelope).toContain('<wsse:Username>svc&lt;1&gt;</wsse:Username>');
    expect(s.envelope).toContain('#PasswordText">p&amp;ss</wsse:Password>');
    expect(s.envelope).toMatch(/<wsu:Created>\d{4}-\d\d-\d\dT[\d:.]+Z<\/wsu:Created>/);
    expect(s.authorization).toBe(`Basic ${Buffer.from('h:p').toString('base64')}`);
    const { soap: missing } = await make({ wsSecurity: 'nope' });
    expect((await failure(missing.call({ a: 1 }))).message).toMatch(
      /security definition `nope` does not exist \(looked for security\.basicAuth\)/,
    );
  });

  it('one-way operations: 202 with an empty body is an empty result', async () => {
    const { soap } = await make({ path: '/one-way' });
    const r = await soap.call({ notify: { id: 1 } });
    expect(r).toMatchObject({ status: 202, body: {}, element: '', envelope: '' });
  });
});

describe('outgoing.soap: faults and failures', () => {
  it('a SOAP 1.1 Fault → SoapFaultError with faultCode, faultString, actor and detail', async () => {
    const { soap, cfg } = await make({ path: '/fault11' });
    const e = await failure(soap.call({ getQuote: { symbol: 'XYZ' } }));
    expect(e).toBeInstanceOf(SoapFaultError);
    const f = e as SoapFaultError;
    expect(f.status).toBe(502);
    expect(f.code).toBe('WHARF_ERR_SOAP_FAULT');
    expect(f.message).toBe(`SOAP connection \`${cfg.name}\`: SOAP fault s:Client: Unknown symbol XYZ`);
    expect(f).toMatchObject({
      soapVersion: '1.1',
      faultCode: 's:Client',
      faultString: 'Unknown symbol XYZ',
      actor: 'urn:quotes',
      httpStatus: 500,
      subcodes: [],
    });
    expect(f.detail).toEqual({ error: { code: 'E17', symbol: 'XYZ' } });
    expect(f.envelope).toBe(FAULT11);
  });

  it('a SOAP 1.2 Fault → SoapFaultError with Code/Value, Subcodes, the first Reason/Text and Detail', async () => {
    const { soap } = await make({ path: '/fault12', soapVersion: '1.2' });
    const f = (await failure(soap.call({ getQuote: {} }))) as SoapFaultError;
    expect(f).toBeInstanceOf(SoapFaultError);
    expect(f).toMatchObject({
      soapVersion: '1.2',
      faultCode: 's:Sender',
      subcodes: ['q:BadSymbol', 'q:Unlisted'],
      faultString: 'Unknown symbol XYZ',
      actor: 'urn:quotes',
      httpStatus: 400,
    });
    expect(f.detail).toEqual({ error: { code: 'E17' } });
  });

  it('a Fault is a fault even with HTTP 200', async () => {
    const { soap } = await make({ path: '/fault-200' });
    expect(await failure(soap.call('<x/>'))).toBeInstanceOf(SoapFaultError);
  });

  it('answers that are not SOAP → 502 typed errors with the reason', async () => {
    const notXml = await failure((await make({ path: '/not-xml' })).soap.call('<x/>'));
    expect(notXml.status).toBe(502);
    expect(notXml.message).toMatch(/malformed SOAP in the answer to POST \/not-xml: /);
    const bad = await failure((await make({ path: '/bad-xml' })).soap.call('<x/>'));
    expect(bad.message).toMatch(/malformed SOAP in the answer to POST \/bad-xml: .*line 1/);
    const dtd = await failure((await make({ path: '/dtd' })).soap.call('<x/>'));
    expect(dtd.message).toMatch(/malformed SOAP in the answer to POST \/dtd: it contains a DTD/);
    const noNs = await failure((await make({ path: '/no-ns' })).soap.call('<x/>'));
    expect(noNs.message).toMatch(/the Envelope has no SOAP 1\.1 or 1\.2 namespace/);
  });

  it('an HTTP error without a SOAP Fault → HttpStatusError with the upstream status', async () => {
    const e = await failure((await make({ path: '/html-500' })).soap.call('<x/>', { action: 'urn:a' }));
    expect(e).toBeInstanceOf(HttpStatusError);
    expect(e.message).toMatch(
      /SOAP connection `Quotes-\d+`: POST \/html-500 \(urn:a\) answered 500 Internal Server Error/,
    );
    expect((e as HttpStatusError).bodySnippet).toContain('Internal error');
  });

  it('timeouts are live and name the connection; retries only for calls declared idempotent', async () => {
    const { inst, soap, cfg } = await make({ path: '/slow', timeoutMs: 2000 });
    await inst.reconfigure({ ...cfg, timeoutMs: 200 });
    const t0 = performance.now();
    const e = await failure(soap.call('<x/>', { params: { ms: 1000 } }));
    expect(e.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect(e.message).toBe(`SOAP connection \`${cfg.name}\`: no answer within 200 ms (POST /slow)`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
    expect(performance.now() - t0).toBeLessThan(650);

    const { soap: flaky } = await make({ path: '/flaky', retries: 2, retryBackoffMs: 10 });
    const no = await failure(flaky.call('<x/>', { params: { key: 's1' } }));
    expect((no as HttpStatusError).upstreamStatus).toBe(503);
    expect(hits.get('s1')).toBe(1);
    const yes = await flaky.call('<x/>', { params: { key: 's2' }, idempotent: true });
    expect(yes.body).toEqual({ ok: '2' });
  });
});
