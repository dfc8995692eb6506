import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../config/kind.js';
import type { ConnectorContext } from '../../connectors/types.js';
import { WharfError } from '../../errors.js';
import type { ServiceLogger } from '../../service/service.js';
import { dispatch, type ChannelCall } from './dispatch.js';
import { httpChannelKind } from './kind.js';
import { buildRoute } from './route.js';
import { ChannelRouter } from './router.js';
import { isWsdlQuery, serveWsdlFrom, wsdlQueryReply, wsdlRouteOf } from './wsdl-query.js';

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as ServiceLogger;
const basic: ConfigObject = { name: 'sec', active: true, username: 'u', password: 'p' } as unknown as ConfigObject;
const ctx = {
  logger: silent,
  resolve: (kind: string, name: string) => (kind === 'security.basicAuth' && name === 'sec' ? basic : undefined),
  invoke: () => Promise.reject(new Error('the service must not run for ?wsdl')),
} as Pick<ConnectorContext, 'logger' | 'resolve' | 'invoke'> as ConnectorContext;

const route = (fields: Record<string, unknown>) =>
  buildRoute(httpChannelKind.schema.parse({ name: 'ch', urlPath: '/x', service: 's', ...fields }), ctx);
const asked: string[] = [];
const source = (open: boolean) => ({
  public: open,
  wsdl: (channel: string) => {
    asked.push(channel);
    return { contentType: 'text/xml; charset=utf-8', body: `<wsdl:definitions name="${channel}"/>` };
  },
});
const call = (qs: string, method = 'GET', headers: Record<string, string> = {}): ChannelCall => ({
  method,
  headers,
  params: {},
  qs,
  cid: 'cid-1',
  readBody: () => Promise.reject(new Error('no body is read for ?wsdl')),
  discardBody: () => undefined,
});

afterEach(() => {
  serveWsdlFrom(undefined);
  asked.length = 0;
});

describe('GET <SOAP channel>?wsdl', () => {
  it('is exactly `wsdl` in any case; nothing else', () => {
    for (const q of ['wsdl', 'WSDL', 'Wsdl']) expect(isWsdlQuery(q)).toBe(true);
    for (const q of ['', 'wsdl=1', 'xsd', 'wsdl&a=1', 'a=wsdl', 'wsd']) expect(isWsdlQuery(q)).toBe(false);
  });

  it('dispatch answers the WSDL of a SOAP channel without running the service; other query strings and methods reach it', async () => {
    serveWsdlFrom(source(true));
    const r = await dispatch(route({ dataFormat: 'soap', security: 'sec' }), call('wsdl'), { logger: silent });
    expect(r).toEqual({
      status: 200,
      headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': 29, 'x-wharf-cid': 'cid-1' },
      body: '<wsdl:definitions name="ch"/>',
    });
    expect(asked).toEqual(['ch']);
    // POST ?wsdl and GET ?wsdl=1 are ordinary calls (the channel's security refuses them here, before the service).
    expect(
      (await dispatch(route({ dataFormat: 'soap', security: 'sec' }), call('wsdl', 'POST'), { logger: silent })).status,
    ).toBe(401);
    expect(
      (await dispatch(route({ dataFormat: 'soap', security: 'sec' }), call('wsdl=1'), { logger: silent })).status,
    ).toBe(401);
    expect(asked).toEqual(['ch']);
  });

  it('HEAD ?wsdl: the same reply as GET (the writer leaves the body out), without running the service', async () => {
    serveWsdlFrom(source(true));
    const get = await dispatch(route({ dataFormat: 'soap' }), call('wsdl'), { logger: silent });
    const head = await dispatch(route({ dataFormat: 'soap' }), call('WSDL', 'HEAD'), { logger: silent });
    expect(head).toEqual(get);
    expect(asked).toEqual(['ch', 'ch']);
  });

  it("contracts.public false: the channel's own credentials are asked for (a SOAP Fault 401), then the WSDL", () => {
    serveWsdlFrom(source(false));
    const soap = route({ dataFormat: 'soap', security: 'sec' });
    const refused = wsdlQueryReply(soap, {}, 'c');
    expect(refused.status).toBe(401);
    expect(String(refused.body)).toContain('<soapenv:Fault>');
    const auth = `Basic ${Buffer.from('u:p').toString('base64')}`;
    expect(wsdlQueryReply(soap, { authorization: auth }, 'c').status).toBe(200);
    // A channel with no security needs none.
    expect(wsdlQueryReply(route({ dataFormat: 'soap' }), {}, 'c').status).toBe(200);
  });

  it("not a SOAP channel, a proxy one, or no source: 404 in the channel's format", () => {
    serveWsdlFrom(source(true));
    const json = wsdlQueryReply(route({}), {}, 'c');
    expect(json.status).toBe(404);
    expect(JSON.parse(String(json.body))).toMatchObject({
      error: {
        code: 'WHARF_ERR_NOT_FOUND',
        message: 'No WSDL at /x: it is not a SOAP channel with a service',
        cid: 'c',
      },
    });
    const xml = wsdlQueryReply(route({ dataFormat: 'xml' }), {}, 'c');
    expect(xml).toMatchObject({ status: 404, headers: { 'content-type': 'application/xml' } });
    const proxy = buildRoute(
      httpChannelKind.schema.parse({ name: 'p', urlPath: '/p', proxyTo: 'up', dataFormat: 'soap' }),
      ctx,
    );
    expect(wsdlQueryReply(proxy, {}, 'c').status).toBe(404);
    serveWsdlFrom(undefined);
    expect(wsdlQueryReply(route({ dataFormat: 'soap' }), {}, 'c').status).toBe(404);
    expect(asked).toEqual([]);
  });

  it('a generator error is answered, never thrown', () => {
    serveWsdlFrom({
      public: true,
      wsdl: () => {
        throw new WharfError('WHARF_ERR_CONTRACT', [
          'service `s`',
          'element kind `money` is not one the contract generator knows',
        ]);
      },
    });
    const r = wsdlQueryReply(route({ dataFormat: 'soap' }), {}, 'c');
    expect(r.status).toBe(500);
    expect(String(r.body)).toContain('<wharf:code>WHARF_ERR_CONTRACT</wharf:code>');
  });

  it('a path whose SOAP channel takes POST only: wsdlRouteOf finds it among the allowed methods', () => {
    const router = new ChannelRouter<unknown>();
    const soap = route({ name: 'soap', urlPath: '/s', method: 'POST', dataFormat: 'soap' });
    const json = route({ name: 'json', urlPath: '/s', method: 'PUT' });
    router.set('json', 'PUT', '/s', json);
    router.set('soap', 'POST', '/s', soap);
    const m = router.find('GET', '/s');
    expect(m.kind).toBe('method');
    if (m.kind !== 'method') return;
    expect(wsdlRouteOf(router, m.allow, '/s')).toBe(soap);
    expect(wsdlRouteOf(router, ['PUT'], '/s')).toBe(json);
    expect(wsdlRouteOf(router, ['PUT'], '/nowhere')).toBeUndefined();
  });
});
