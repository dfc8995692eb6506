import { describe, expect, it } from 'vitest';
import { WharfError } from '../errors.js';
import { makeEntry, ServiceRegistry } from './registry.js';
import { service } from './service.js';
import { datetime, int, text } from './simpleio/elements.js';

class Both extends service({ name: 'both', input: { id: int() }, output: { at: datetime() } }) {
  handle() {
    return { at: new Date(0) };
  }
  handleGet() {
    return { at: new Date(1) };
  }
  handleDelete() {}
}

class OnlyPost extends service({ name: 'only.post' }) {
  handlePost() {}
}

class Nothing extends service({ name: 'nothing' }) {}

class Inherits extends Both {}

describe('makeEntry', () => {
  it('precompiles SimpleIO and lists handle<Verb> methods', () => {
    const e = makeEntry(Both, 'm.ts', 'h1');
    expect(e).toMatchObject({ name: 'both', cls: Both, moduleName: 'm.ts', hash: 'h1', hasHandle: true });
    expect([...e.verbs].sort()).toEqual(['DELETE', 'GET']);
    expect(e.parseInput({ query: { id: '3' } })).toEqual({ id: 3 });
    expect(e.normaliseOutput!({ at: new Date(0), x: 1 })).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('a service with only handle<Verb> has no handle; no output declaration, no normaliser', () => {
    const e = makeEntry(OnlyPost, 'm.ts', 'h');
    expect(e.hasHandle).toBe(false);
    expect([...e.verbs]).toEqual(['POST']);
    expect(e.normaliseOutput).toBeUndefined();
    expect(e.parseInput({ body: { anything: 1 } })).toEqual({});
  });

  it('inherited handlers count', () => {
    const e = makeEntry(Inherits, 'm.ts', 'h');
    expect(e.name).toBe('both');
    expect(e.hasHandle).toBe(true);
    expect(e.verbs.has('GET')).toBe(true);
  });

  it('a service without any handler cannot be deployed', () => {
    try {
      makeEntry(Nothing, 'm.ts', 'h');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WharfError);
      expect(e).toMatchObject({
        code: 'WHARF_ERR_DEPLOY_FAILED',
        status: 400,
        message: 'service `nothing` has no handle() nor handle<Verb>() method',
      });
    }
  });
});

describe('ServiceRegistry', () => {
  const entry = (name: string, mod: string, hash = 'h'): ReturnType<typeof makeEntry> => {
    const cls = class extends service({ name, input: { t: text().optional() } }) {
      handle() {}
    };
    return makeEntry(cls, mod, hash);
  };

  it('swapModule replaces all services of a module at once', () => {
    const r = new ServiceRegistry();
    r.swapModule('a.ts', 'h1', [entry('s1', 'a.ts'), entry('s2', 'a.ts')]);
    r.swapModule('b.ts', 'h1', [entry('s3', 'b.ts')]);
    expect(
      r
        .list()
        .map((e) => e.name)
        .sort(),
    ).toEqual(['s1', 's2', 's3']);
    expect(r.getModule('a.ts')).toEqual({ name: 'a.ts', hash: 'h1', services: ['s1', 's2'] });
    r.swapModule('a.ts', 'h2', [entry('s2', 'a.ts', 'h2'), entry('s4', 'a.ts', 'h2')]);
    expect(r.has('s1')).toBe(false);
    expect(r.get('s2')?.hash).toBe('h2');
    expect(r.has('s4')).toBe(true);
    expect(r.has('s3')).toBe(true);
    expect(r.listModules().map((m) => [m.name, m.hash])).toEqual([
      ['a.ts', 'h2'],
      ['b.ts', 'h1'],
    ]);
  });

  it('removeModule drops its services only; unknown modules are a no-op', () => {
    const r = new ServiceRegistry();
    r.swapModule('a.ts', 'h', [entry('s1', 'a.ts')]);
    r.swapModule('b.ts', 'h', [entry('s2', 'b.ts')]);
    r.removeModule('a.ts');
    r.removeModule('nope.ts');
    expect(r.has('s1')).toBe(false);
    expect(r.get('s2')?.moduleName).toBe('b.ts');
    expect(r.getModule('a.ts')).toBeUndefined();
  });

  it('conflicts names services owned by another module, not by the same one', () => {
    const r = new ServiceRegistry();
    r.swapModule('a.ts', 'h', [entry('s1', 'a.ts'), entry('s2', 'a.ts')]);
    expect(r.conflicts('a.ts', ['s1', 's2', 'new'])).toEqual([]);
    expect(r.conflicts('b.ts', ['s0', 's2'])).toEqual([{ service: 's2', module: 'a.ts' }]);
  });
});
