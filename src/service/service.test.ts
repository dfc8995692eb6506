import { describe, expect, it, vi } from 'vitest';
import { isServiceClass, Service, service, type ServiceLogger, type ServiceRuntime } from './service.js';
import { makeEntry, ServiceRegistry } from './registry.js';
import { datetime, int, text } from './simpleio/elements.js';
import { pipelineFor } from '../../test/support/service-runtime.js';

const noopLogger: ServiceLogger = { debug() {}, info() {}, warn() {}, error() {} };

function runtime(over: Partial<ServiceRuntime> = {}): ServiceRuntime {
  return {
    invoke: vi.fn(async () => ({ ok: true })),
    invokeAsync: vi.fn(async () => 'async-cid'),
    lock: vi.fn(async () => {
      throw new Error('no locks here');
    }),
    outgoing: { marker: 'outgoing' } as never,
    cloud: { marker: 'cloud' } as never,
    config: { crm: { url: 'http://crm' } },
    logger: vi.fn(() => noopLogger),
    ...over,
  };
}

/** Builds an instance the way the pipeline does. */
function instance<T extends Service>(cls: new () => T, rt: ServiceRuntime, cid = 'cid-1'): T {
  const s = new cls();
  const fields = s as unknown as Record<string, unknown>;
  fields['runtime'] = rt;
  fields['cid'] = cid;
  return s;
}

describe('service()', () => {
  it('returns an abstract base class carrying the declaration', () => {
    const decl = { name: 'crm.get', input: { id: int() }, description: 'd' } as const;
    const Base = service(decl);
    class Get extends Base {
      handle() {}
    }
    expect(Get.declaration).toBe(decl);
    expect(new Get()).toBeInstanceOf(Service);
    expect(isServiceClass(Get)).toBe(true);
  });

  it('refuses a missing or blank name', () => {
    expect(() => service({ name: '' })).toThrow(TypeError);
    expect(() => service({ name: '   ' })).toThrow('service({ name }) needs a non-empty name');
    expect(() => service(undefined as never)).toThrow(TypeError);
    expect(() => service({ name: 5 } as never)).toThrow(TypeError);
  });

  it('each call makes a distinct base class', () => {
    expect(service({ name: 'a' })).not.toBe(service({ name: 'a' }));
  });
});

describe('isServiceClass', () => {
  it('only classes extending Service with a named declaration', () => {
    class S extends service({ name: 'x' }) {}
    expect(isServiceClass(S)).toBe(true);
    expect(isServiceClass(class {})).toBe(false);
    expect(isServiceClass(Object.assign(class {}, { declaration: { name: 'fake' } }))).toBe(false);
    expect(isServiceClass(Service)).toBe(false);
    expect(isServiceClass({ declaration: { name: 'x' } })).toBe(false);
    expect(isServiceClass(undefined)).toBe(false);
  });
});

describe('Service instance helpers', () => {
  class Echo extends service({ name: 'echo', input: { t: text() } }) {
    handle() {}
  }

  it('logger is made once per instance with cid and service name', () => {
    const rt = runtime();
    const s = instance(Echo, rt, 'c-42');
    expect(s.logger).toBe(noopLogger);
    expect(s.logger).toBe(noopLogger);
    expect(rt.logger).toHaveBeenCalledTimes(1);
    expect(rt.logger).toHaveBeenCalledWith('c-42', 'echo');
  });

  it('outgoing, cloud and config come from the runtime', () => {
    const rt = runtime();
    const s = instance(Echo, rt);
    expect(s.outgoing).toBe(rt.outgoing);
    expect(s.cloud).toBe(rt.cloud);
    expect(s.config['crm']?.['url']).toBe('http://crm');
  });

  it('invoke by name or by class passes the cid and defaults the input to {}', async () => {
    const rt = runtime();
    const s = instance(Echo, rt, 'parent-cid');
    await expect(s.invoke('other.svc', { a: 1 })).resolves.toEqual({ ok: true });
    await s.invoke('other.svc');
    await s.invoke(Echo, { t: 'x' });
    expect(rt.invoke).toHaveBeenNthCalledWith(1, 'other.svc', { a: 1 }, { cid: 'parent-cid' });
    expect(rt.invoke).toHaveBeenNthCalledWith(2, 'other.svc', {}, { cid: 'parent-cid' });
    expect(rt.invoke).toHaveBeenNthCalledWith(3, 'echo', { t: 'x' }, { cid: 'parent-cid' });
  });

  it('invokeAsync by name or class, with a callback by name or class, returns the queued cid', async () => {
    const rt = runtime();
    const s = instance(Echo, rt, 'p');
    await expect(s.invokeAsync('other.svc', { a: 1 })).resolves.toBe('async-cid');
    await s.invokeAsync(Echo, { t: 'x' }, { callback: 'on.done' });
    await s.invokeAsync('other.svc', undefined, { callback: Echo });
    expect(rt.invokeAsync).toHaveBeenNthCalledWith(1, 'other.svc', { a: 1 }, { cid: 'p' }, undefined);
    expect(rt.invokeAsync).toHaveBeenNthCalledWith(2, 'echo', { t: 'x' }, { cid: 'p' }, 'on.done');
    expect(rt.invokeAsync).toHaveBeenNthCalledWith(3, 'other.svc', {}, { cid: 'p' }, 'echo');
  });

  it('lock() is the runtime’s lock', async () => {
    const released: string[] = [];
    const lock = {
      name: 'inv',
      release: async () => void released.push('inv'),
      [Symbol.asyncDispose]: async () => void released.push('disposed'),
    };
    const rt = runtime({ lock: vi.fn(async () => lock) });
    const s = instance(Echo, rt);
    {
      await using l = await s.lock('inv', { ttlMs: 5 });
      expect(l).toBe(lock);
    }
    expect(rt.lock).toHaveBeenCalledWith('inv', { ttlMs: 5 });
    expect(released).toEqual(['disposed']);
  });
});

class Stamp extends service({ name: 'stamp', output: { at: datetime(), label: text() } }) {
  handle() {
    return { at: new Date('2024-01-01T00:00:00Z'), label: 'x' };
  }
}

class UsesStamp extends service({ name: 'uses.stamp', output: { year: int() } }) {
  async handle() {
    const r = await this.invoke(Stamp, {});
    // `r.at` is typed Date (OutputOf<typeof Stamp>), so this compiles
    return { year: r.at.getUTCFullYear() };
  }
}

describe('typed invoke() (regression, fixed in 39f01a3)', () => {
  // Defaulted input elements being optional in invoke's type is checked in test/types/service-types.ts.
  it('the result of invoke(Class) matches its type: a datetime output is a Date, not an ISO string', async () => {
    const registry = new ServiceRegistry();
    registry.swapModule('m.ts', 'h', [makeEntry(Stamp, 'm.ts', 'h'), makeEntry(UsesStamp, 'm.ts', 'h')]);
    const { pipeline } = pipelineFor(registry);
    // was TypeError: r.at.getUTCFullYear is not a function (the callee's output was normalised for the
    // wire, Dates turned into strings, while the type said Date)
    expect(await pipeline.invoke('uses.stamp', {}, { cid: 'c' })).toEqual({ year: 2024 });
  });
});
