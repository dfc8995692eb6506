import { describe, expect, it } from 'vitest';
import { ChannelRouter, httpRouter, ROUTABLE_METHODS, toRouterPath } from './router.js';

const found = (route: string, params: Record<string, string> = {}) => ({ kind: 'found', route, params });

describe('toRouterPath', () => {
  it('turns {params} into :params and leaves the rest alone', () => {
    expect(toRouterPath('/customer/{id}')).toBe('/customer/:id');
    expect(toRouterPath('/a/{x}/b/{y_2}')).toBe('/a/:x/b/:y_2');
    expect(toRouterPath('/plain/path')).toBe('/plain/path');
    expect(toRouterPath('/{1bad}')).toBe('/{1bad}');
  });
});

describe('ChannelRouter', () => {
  it('routes by method and path and extracts params', () => {
    const r = new ChannelRouter<string>();
    r.set('get-cust', 'GET', '/customer/{id}', 'R1');
    r.set('orders', 'POST', '/customer/{id}/orders/{no}', 'R2');
    expect(r.find('GET', '/customer/42')).toEqual(found('R1', { id: '42' }));
    expect(r.find('POST', '/customer/7/orders/A-1')).toEqual(found('R2', { id: '7', no: 'A-1' }));
    expect(r.has('get-cust')).toBe(true);
  });

  it('an unknown path is none; a known path under another method is a 405 with the allowed methods', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/x', 'A');
    r.set('b', 'DELETE', '/x', 'B');
    expect(r.find('GET', '/nope')).toEqual({ kind: 'none' });
    const m = r.find('PUT', '/x');
    expect(m.kind).toBe('method');
    expect((m as { allow: string[] }).allow.sort()).toEqual(['DELETE', 'GET']);
  });

  it('ANY answers every routable method', () => {
    const r = new ChannelRouter<string>();
    r.set('any', 'ANY', '/all', 'A');
    for (const m of ROUTABLE_METHODS) expect(r.find(m, '/all')).toEqual(found('A'));
    expect([...ROUTABLE_METHODS]).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
  });

  it('the 405 allow list follows paths whatever the param names are', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/c/{id}', 'A');
    r.set('b', 'POST', '/c/{name}', 'B');
    expect(r.find('POST', '/c/1')).toEqual(found('B', { name: '1' }));
    expect(r.find('GET', '/c/1')).toEqual(found('A', { id: '1' }));
    expect((r.find('PATCH', '/c/1') as { allow: string[] }).allow.sort()).toEqual(['GET', 'POST']);
    r.remove('a');
    expect(r.find('GET', '/c/1')).toEqual({ kind: 'method', allow: ['POST'] });
  });

  it('setting a name again replaces its route (path and method may change)', () => {
    const r = new ChannelRouter<string>();
    r.set('ch', 'GET', '/old', 'V1');
    r.set('ch', 'POST', '/new/{id}', 'V2');
    expect(r.find('GET', '/old')).toEqual({ kind: 'none' });
    expect(r.find('POST', '/new/1')).toEqual(found('V2', { id: '1' }));
    r.set('ch', 'POST', '/new/{id}', 'V3');
    expect(r.find('POST', '/new/1')).toEqual(found('V3', { id: '1' }));
  });

  it('a clash with another channel throws and keeps the replaced channel’s old route', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/a', 'A');
    r.set('b', 'GET', '/b', 'B');
    expect(() => r.set('b', 'GET', '/a', 'B2')).toThrow(/already declared/);
    expect(r.find('GET', '/b')).toEqual(found('B'));
    expect(r.find('GET', '/a')).toEqual(found('A'));
    expect(r.has('b')).toBe(true);
  });

  it('same path under different methods for different channels is fine', () => {
    const r = new ChannelRouter<string>();
    r.set('read', 'GET', '/item/{id}', 'R');
    r.set('write', 'PUT', '/item/{id}', 'W');
    expect(r.find('GET', '/item/1')).toEqual(found('R', { id: '1' }));
    expect(r.find('PUT', '/item/1')).toEqual(found('W', { id: '1' }));
  });

  it('ignores trailing and duplicate slashes when matching', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/a/b', 'A');
    expect(r.find('GET', '/a/b/')).toEqual(found('A'));
    expect(r.find('GET', '//a//b')).toEqual(found('A'));
  });

  it('remove drops the route and its 405 entry; unknown names are a no-op', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/x', 'A');
    r.remove('a');
    r.remove('never-there');
    expect(r.has('a')).toBe(false);
    expect(r.find('GET', '/x')).toEqual({ kind: 'none' });
    expect(r.find('POST', '/x')).toEqual({ kind: 'none' });
    r.set('a2', 'POST', '/x', 'A2');
    expect(r.find('POST', '/x')).toEqual(found('A2'));
  });

  it('an ANY channel removed leaves nothing behind', () => {
    const r = new ChannelRouter<string>();
    r.set('any', 'ANY', '/p/{id}', 'A');
    r.remove('any');
    for (const m of ROUTABLE_METHODS) expect(r.find(m, '/p/1')).toEqual({ kind: 'none' });
    r.set('get', 'GET', '/p/{id}', 'G');
    expect(r.find('GET', '/p/1')).toEqual(found('G', { id: '1' }));
  });

  it('clear removes every channel', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/a', 'A');
    r.set('b', 'ANY', '/b/{x}', 'B');
    r.clear();
    expect(r.has('a') || r.has('b')).toBe(false);
    expect(r.find('GET', '/a')).toEqual({ kind: 'none' });
    expect(r.find('GET', '/b/1')).toEqual({ kind: 'none' });
  });

  it('params are URL-decoded', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/n/{name}', 'A');
    expect(r.find('GET', '/n/J%C3%B3zef%20K')).toEqual(found('A', { name: 'Józef K' }));
  });

  it('the worker-wide router is a ChannelRouter', () => {
    expect(httpRouter).toBeInstanceOf(ChannelRouter);
  });
});

describe('ChannelRouter: a failed or replaced set() leaves nothing behind (regressions, fixed in 734579d)', () => {
  it('an ANY channel clashing on one method does not keep the methods registered before the clash', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'POST', '/x', 'A');
    expect(() => r.set('b', 'ANY', '/x', 'B')).toThrow(/already declared/);
    expect(r.has('b')).toBe(false);
    expect(r.find('GET', '/x')).toEqual({ kind: 'method', allow: ['POST'] });
    expect(r.find('POST', '/x')).toEqual(found('A'));
  });

  it('`/x` and `/x/` under different methods are two valid channels', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/x', 'A');
    expect(() => r.set('b', 'POST', '/x/', 'B')).not.toThrow();
    expect(r.has('b')).toBe(true);
    expect(r.find('POST', '/x')).toEqual(found('B'));
    expect((r.find('PUT', '/x') as { allow?: string[] }).allow?.sort()).toEqual(['GET', 'POST']);
    r.remove('a');
    r.remove('b');
    expect(r.find('PUT', '/x')).toEqual({ kind: 'none' });
  });

  it('after removing channels that used different param names, the path can be used again', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/c/{id}', 'A');
    r.set('b', 'POST', '/c/{name}', 'B');
    r.remove('a');
    r.remove('b');
    expect(() => r.set('c', 'GET', '/c/{x}', 'C')).not.toThrow();
    expect(r.find('GET', '/c/1')).toEqual(found('C', { x: '1' }));
    expect(r.find('POST', '/c/1')).toEqual({ kind: 'method', allow: ['GET'] });
  });
});

describe('ChannelRouter: duplicate slashes in the 405 index (regression)', () => {
  it('`/a//b` and `/a/b` under different methods are two valid channels (duplicate slashes ignored)', () => {
    const r = new ChannelRouter<string>();
    r.set('a', 'GET', '/a//b', 'A');
    // the 405 index and find-my-way must agree that this is the same path, else set() throws after
    // registering POST, which then leaks
    expect(() => r.set('b', 'POST', '/a/b', 'B')).not.toThrow();
    expect(r.has('b')).toBe(true);
    const allow = (r.find('PUT', '/a/b') as { allow?: string[] }).allow ?? [];
    expect(allow.filter((m) => m !== 'OPTIONS').sort()).toEqual(['GET', 'POST']);
  });
});
