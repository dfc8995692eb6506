/**
 * channels.http through the shared connector conformance suite, on a real node:http server with the
 * worker's request listener: start routes, live reconfiguration (new path, method, format), bad config
 * refused, stop removes the route and leaks nothing.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect } from 'vitest';
import { httpChannelConnector } from '../../src/channels/http/channel.js';
import { createRequestListener } from '../../src/channels/http/handler.js';
import type { HttpChannelConfig } from '../../src/channels/http/kind.js';
import { httpRouter } from '../../src/channels/http/router.js';
import { runConformance } from '../support/connectors/conformance.js';
import type { TestContext } from '../support/connectors/context.js';

let server: Server;
let base = '';
let seq = 0;

beforeAll(async () => {
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  server = createServer(createRequestListener({ router: httpRouter, logger }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function call(config: HttpChannelConfig): Promise<Response> {
  const method = config.method === 'ANY' ? 'POST' : config.method;
  const body = method === 'GET' ? undefined : config.dataFormat === 'xml' ? '<r><n>7</n></r>' : '{"n":7}';
  return fetch(`${base}${config.urlPath.replace('{id}', '42')}`, {
    method,
    headers: {
      connection: 'close',
      'content-type': config.dataFormat === 'xml' ? 'application/xml' : 'application/json',
    },
    ...(body === undefined ? {} : { body }),
  });
}

runConformance<HttpChannelConfig>({
  title: 'channels.http on a real HTTP server',
  kind: httpChannelConnector,
  services: {
    'conf.echo': (c) => ({ got: c.input ?? null, channel: c.inv.channel.name, path: c.inv.params?.path ?? {} }),
  },
  config: () =>
    ({ name: `ch-${++seq}`, urlPath: `/conf/${seq}/{id}`, service: 'conf.echo' }) as unknown as HttpChannelConfig,
  reconfigure: (c) => ({ ...c, urlPath: `/conf/${c.name}/moved/{id}`, method: 'PUT', dataFormat: 'xml' }),
  async exercise(_inst, config, ctx: TestContext) {
    const before = ctx.calls.length;
    const r = await call(config);
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).toContain(config.name);
    expect(ctx.calls.length).toBe(before + 1);
    // the old shape of the channel no longer answers once it was moved
    if (config.urlPath.includes('/moved/')) {
      const old = await fetch(`${base}/conf/${config.name.slice(3)}/42`, {
        method: 'POST',
        headers: { connection: 'close' },
        body: '{}',
      });
      expect(old.status).toBe(404);
    }
  },
  invalid: [
    { input: { name: 'x', urlPath: 'no-slash', service: 's' }, message: /urlPath: must start with \// },
    { input: { name: 'x', urlPath: '/wharf/admin/x', service: 's' }, message: /reserved/ },
    { input: { name: 'x', urlPath: '/a/{', service: 's' }, message: /path params look like \{name\}/ },
    { input: { name: 'x', urlPath: '/a', service: 's', method: 'FETCH' }, message: /method/ },
    { input: { name: 'x', urlPath: '/a', service: 's', dataFormat: 'yaml' }, message: /dataFormat/ },
    { input: { name: 'x', urlPath: '/a', service: 's', maxBodySize: -1 }, message: /maxBodySize/ },
    { input: { name: 'x', urlPath: '/a' }, message: /service: required \(or proxyTo/ },
    {
      input: { name: 'x', urlPath: '/a', service: 's', proxyTo: 'backend' },
      message: /either invokes a service or relays/,
    },
    {
      input: { name: 'x', urlPath: '/a', service: 's', colour: 'blue' },
      message: /colour.*unrecognized|Unrecognized key.*colour/i,
    },
  ],
});
