/**
 * Bad input: what a client of a real HTTP channel reads (dispatch(), the channel's entry point, renders
 * the error into the answer) and what testService rejects with are the same code, status and message,
 * for each kind of refusal; and a good request gives the same status and document both ways.
 */
import { describe, expect, it } from 'vitest';
import { dispatch, type ChannelCall } from '../channels/http/dispatch.js';
import { buildRoute } from '../channels/http/route.js';
import type { ConnectorContext } from '../connectors/types.js';
import { WharfError } from '../errors.js';
import { int, service, text } from '../index.js';
import { Pipeline } from '../service/pipeline.js';
import { makeEntry, ServiceRegistry } from '../service/registry.js';
import { fakeRuntime } from '../../test/support/service-runtime.js';
import { channelConfig, type TestChannelSettings, type TestFormat } from './channel.js';
import { testService } from './index.js';

class Order extends service({
  name: 'parity.order',
  input: { id: int(), note: text().optional() },
  output: { id: int() },
}) {
  handlePost() {
    return { id: this.input.id };
  }
}

const registry = new ServiceRegistry();
registry.swapModule('parity', '', [makeEntry(Order, 'parity', '')]);
const pipeline = new Pipeline(registry, fakeRuntime());
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The answer a real channel of this format gives (status, content type, body). */
async function viaChannel(
  format: TestFormat,
  req: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    qs?: string;
    channel?: TestChannelSettings;
  },
) {
  const config = channelConfig(format, 'parity.order', req.channel);
  const ctx = {
    logger: silent,
    resolve: () => undefined,
    invoke: (inv) =>
      pipeline.run({
        service: inv.service,
        cid: inv.cid ?? 'c',
        channel: inv.channel,
        method: inv.method ?? 'POST',
        raw: inv.raw,
        payload: inv.parsed?.payload,
        body: inv.parsed?.input,
        headers: inv.headers ?? {},
        params: {
          path: inv.params?.path ?? {},
          query: inv.params?.query ?? {},
        },
        priorities: inv.priorities,
      }),
  } as Pick<ConnectorContext, 'logger' | 'resolve' | 'invoke'> as ConnectorContext;
  const raw = req.body === undefined ? undefined : Buffer.from(req.body);
  const call: ChannelCall = {
    method: req.method ?? 'POST',
    headers: {
      ...(raw ? { 'content-length': String(raw.length) } : {}),
      ...req.headers,
    },
    params: {},
    qs: req.qs ?? '',
    cid: 'c',
    readBody: (limit) =>
      raw && raw.length > limit
        ? Promise.reject(new WharfError('WHARF_ERR_BODY_TOO_LARGE', [limit]))
        : Promise.resolve(raw ?? Buffer.alloc(0)),
    discardBody: () => undefined,
  };
  const reply = await dispatch(buildRoute(config, ctx), call, {
    logger: silent,
  });
  return {
    status: reply.status,
    contentType: String(reply.headers['content-type']),
    body: String(reply.body ?? ''),
  };
}

const env11 = (inner: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;

interface Refusal {
  what: string;
  format: TestFormat;
  body?: string;
  headers?: Record<string, string>;
  qs?: string;
  method?: string;
  channel?: TestChannelSettings;
}

/** A JSON request (application/json unless `more` says otherwise) the channel must refuse. */
const json = (what: string, body: string, more: Partial<Refusal> = {}): Refusal => ({
  what,
  format: 'json',
  body,
  headers: { 'content-type': 'application/json' },
  ...more,
});
const xml = (what: string, body: string): Refusal => ({
  what,
  format: 'xml',
  body,
  headers: { 'content-type': 'application/xml' },
});

const refusals: Refusal[] = [
  json('missing element', '{"note":"x"}'),
  json('invalid element', '{"id":"abc"}'),
  json('invalid element in the query string', '{"id":1}', { qs: 'id=x' }),
  json('malformed JSON', '{"id":'),
  json('unsupported Content-Type', '{"id":1}', { headers: { 'content-type': 'text/csv' } }),
  json('non-UTF-8 charset', '{"id":1}', { headers: { 'content-type': 'application/json; charset=latin1' } }),
  json('body too large', '{"id":12345}', { channel: { maxBodySize: 5 } }),
  json('too deep', '{"id":1,"x":[[[[[1]]]]]}', { channel: { maxDepth: 3 } }),
  json('method not handled', '{"id":1}', { method: 'PUT' }),
  xml('malformed XML', '<a><id>1</id>'),
  xml('a DTD', '<!DOCTYPE a [<!ENTITY x "y">]><a><id>1</id></a>'),
  { what: 'not a SOAP Envelope', format: 'soap11', body: '<a/>', headers: { 'content-type': 'text/xml' } },
  {
    what: 'SOAP version mismatch',
    format: 'soap12',
    body: env11('<o><id>1</id></o>'),
    headers: { 'content-type': 'application/soap+xml' },
  },
  {
    what: 'wrong SOAPAction',
    format: 'soap11',
    body: env11('<o><id>1</id></o>'),
    headers: { 'content-type': 'text/xml', soapaction: '"urn:b"' },
    channel: { soapAction: 'urn:a' },
  },
];

describe('testService refuses what the channel refuses, with the same error', () => {
  it.each(refusals.map((r) => [`${r.what} (${r.format})`, r] as const))('%s', async (_name, r) => {
    const answer = await viaChannel(r.format, r);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    const query = Object.fromEntries(new URLSearchParams(r.qs ?? ''));
    const e = await testService(Order, {
      format: r.format,
      body: r.body,
      headers: r.headers,
      query,
      method: r.method,
      channel: r.channel,
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e, 'testService accepted what the channel refused').toBeInstanceOf(WharfError);
    const err = e as WharfError;
    expect(err.status).toBe(answer.status);
    // JSON channels answer {"error":{code,message}}; XML/SOAP ones carry the message in the document
    if (answer.contentType.startsWith('application/json')) {
      expect(JSON.parse(answer.body).error).toMatchObject({
        code: err.code,
        message: err.message,
      });
    } else {
      expect(answer.body).toContain(err.code);
      expect(answer.body).toContain(err.message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
  });

  it.each([
    ['json', '{"id":7}', 'application/json'],
    ['xml', '<o><id>7</id></o>', 'application/xml'],
    ['soap11', env11('<o><id>7</id></o>'), 'text/xml; charset=utf-8'],
    ['form', 'id=7', 'application/x-www-form-urlencoded'],
  ] as const)('a good request gives the same status and document both ways (%s)', async (format, body, ct) => {
    const answer = await viaChannel(format, { body, headers: { 'content-type': ct } });
    const r = await testService(Order, { format, body });
    expect([r.status, r.contentType, r.body]).toEqual([answer.status, answer.contentType, answer.body]);
    expect(r.output).toEqual({ id: 7 });
  });
});
