import { describe, expect, it } from 'vitest';
import { allowOf, corsPolicy, optionsReply, withCors } from './cors.js';
import { httpChannelKind } from './kind.js';
import { ChannelRouter } from './router.js';

const APP = 'https://app.example.com';

describe('OPTIONS answers and CORS', () => {
  it('Allow: the channel method plus OPTIONS; ANY: the usual set', () => {
    expect(allowOf('ANY')).toBe('GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
    expect(allowOf('POST')).toBe('POST, OPTIONS');
    expect(allowOf('OPTIONS')).toBe('OPTIONS');
  });

  it('without cors: 204 with Allow only, never CORS headers', () => {
    const r = optionsReply(
      'POST, OPTIONS',
      undefined,
      { origin: APP, 'access-control-request-method': 'POST' },
      'cid-1',
    );
    expect(r).toEqual({ status: 204, headers: { allow: 'POST, OPTIONS', 'x-wharf-cid': 'cid-1' }, body: undefined });
  });

  it('a pre-flight from an allowed origin gets -Allow-Origin, -Methods, -Headers, -Max-Age and Vary: Origin', () => {
    const p = corsPolicy({ allowOrigins: [APP], maxAgeSeconds: 600 }, 'POST, OPTIONS');
    const r = optionsReply(
      'POST, OPTIONS',
      p,
      {
        origin: 'https://APP.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-trace',
      },
      'c',
    );
    expect(r.status).toBe(204);
    expect(r.headers).toMatchObject({
      allow: 'POST, OPTIONS',
      vary: 'Origin',
      'access-control-allow-origin': 'https://APP.example.com',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type, x-trace',
      'access-control-max-age': '600',
    });
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('another origin gets no Access-Control-* header at all', () => {
    const p = corsPolicy({ allowOrigins: [APP], allowHeaders: ['content-type'] }, 'GET, OPTIONS');
    const r = optionsReply(
      'GET, OPTIONS',
      p,
      { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      'c',
    );
    expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(r.headers['vary']).toBe('Origin');
  });

  it('actual answers: -Allow-Origin (named when credentials are allowed, * for any origin otherwise), -Expose-Headers, Vary appended', () => {
    const named = corsPolicy(
      { allowOrigins: [APP], allowCredentials: true, exposeHeaders: ['x-wharf-cid'] },
      'GET, OPTIONS',
    )!;
    const a = withCors({ status: 200, headers: { vary: 'Accept' }, body: '{}' }, named, { origin: APP });
    expect(a.headers).toMatchObject({
      vary: 'Accept, Origin',
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-wharf-cid',
    });
    const star = corsPolicy({ allowOrigins: ['*'] }, 'GET, OPTIONS')!;
    expect(
      withCors({ status: 200, headers: {}, body: '' }, star, { origin: 'https://x.test' }).headers[
        'access-control-allow-origin'
      ],
    ).toBe('*');
    const none = withCors({ status: 200, headers: {}, body: '' }, named, { origin: 'https://evil.example' });
    expect(none.headers).toEqual({ vary: 'Origin' });
  });

  it('the channel kind checks cors', () => {
    const parse = (cors: unknown) => httpChannelKind.schema.safeParse({ name: 'c', urlPath: '/c', service: 's', cors });
    expect(
      parse({ allowOrigins: [APP, 'http://localhost:3000', '*'], allowMethods: ['GET'], maxAgeSeconds: 60 }).success,
    ).toBe(true);
    expect(parse({ allowOrigins: ['app.example.com'] }).error?.issues[0]?.message).toMatch(/scheme:\/\/host/);
    expect(parse({ allowOrigins: [] }).success).toBe(false);
    expect(parse({ allowOrigins: [APP], allowHeaders: ['bad header'] }).success).toBe(false);
    const obj = httpChannelKind.schema.parse({
      name: 'c',
      urlPath: '/c',
      service: 's',
      cors: { allowOrigins: ['*'], allowCredentials: true },
    });
    expect(httpChannelKind.check!(obj, { list: () => [] })).toEqual([
      'cors.allowOrigins: cannot be * with allowCredentials (browsers refuse it); list the origins',
    ]);
  });

  it('the router hands OPTIONS on a path served under other methods to a channel of that path', () => {
    const r = new ChannelRouter<string>();
    r.set('post-only', 'POST', '/orders/{id}', 'P');
    expect(r.find('OPTIONS', '/orders/7')).toEqual({ kind: 'found', route: 'P', params: { id: '7' } });
    expect(r.find('PUT', '/orders/7')).toEqual({ kind: 'method', allow: ['POST'] });
    expect(r.find('OPTIONS', '/nothing')).toEqual({ kind: 'none' });
    r.remove('post-only');
    expect(r.find('OPTIONS', '/orders/7')).toEqual({ kind: 'none' });
  });

  it('on a path of several channels the optionsRoute hook picks the answering route and gets the path Allow', () => {
    const seen: Array<{ routes: readonly string[]; allow: string }> = [];
    const r = new ChannelRouter<string>({
      optionsRoute: (routes, allow) => (seen.push({ routes, allow }), routes[1]!),
    });
    r.set('get', 'GET', '/shared', 'G');
    r.set('post', 'POST', '/shared', 'P');
    expect(r.find('OPTIONS', '/shared')).toEqual({ kind: 'found', route: 'P', params: {} });
    expect(seen).toEqual([{ routes: ['G', 'P'], allow: 'GET, POST, OPTIONS' }]);
  });
});
