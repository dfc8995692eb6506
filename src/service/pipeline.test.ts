import { describe, expect, it } from 'vitest';
import { MethodNotAllowed, NotFound, WharfError } from '../errors.js';
import { INVOKE_CHANNEL, type Pipeline, type Invocation } from './pipeline.js';
import { makeEntry, ServiceRegistry } from './registry.js';
import { service, type AnyServiceClass, type ServiceRequest, type ServiceRuntime } from './service.js';
import { bool, datetime, int, list, text } from './simpleio/elements.js';
import { pipelineFor } from '../../test/support/service-runtime.js';

function setup(...classes: AnyServiceClass[]): { pipeline: Pipeline; runtime: ServiceRuntime } {
  const registry = new ServiceRegistry();
  registry.swapModule(
    'test.ts',
    'h',
    classes.map((c) => makeEntry(c, 'test.ts', 'h')),
  );
  return pipelineFor(registry);
}

function inv(service: string, over: Partial<Invocation> = {}): Invocation {
  return {
    service,
    cid: 'cid-1',
    channel: { name: 'ch', kind: 'http', dataFormat: 'json' },
    method: 'POST',
    raw: Buffer.from('{}'),
    payload: {},
    body: {},
    headers: { 'x-h': 'v' },
    params: { path: {}, query: {} },
    signal: new AbortController().signal,
    ...over,
  };
}

const calls: string[] = [];

class Verbs extends service({ name: 'verbs', output: { via: text() } }) {
  handle() {
    return { via: `handle:${this.request.method}` };
  }
  handleGet() {
    return { via: 'get' };
  }
  handleDelete() {
    return { via: 'delete' };
  }
}

class GetOnly extends service({ name: 'get.only' }) {
  handleGet() {
    return 'ok';
  }
  handlePut() {
    return 'ok';
  }
}

class Hooks extends service({ name: 'hooks', input: { fail: text().optional() }, output: { steps: list(text()) } }) {
  steps: string[] = [];
  before() {
    this.steps.push('before');
    if (this.input.fail === 'before') throw new NotFound('refused in before');
  }
  async handle() {
    this.steps.push('handle');
    if (this.input.fail === 'handle') throw new Error('boom');
    return { steps: this.steps };
  }
  after() {
    this.steps.push('after');
    calls.push(`after:${this.steps.join(',')}`);
    // after sees the handler's output and may change it
    (this.response.payload as { steps: string[] }).steps = [...this.steps];
  }
}

class Inputs extends service({
  name: 'inputs',
  input: { id: int(), name: text().default('anon'), tags: list(text()).optional(), flag: bool().optional() },
  output: { got: text() },
}) {
  handle() {
    return { got: JSON.stringify(this.input) };
  }
}

class Resp extends service({ name: 'resp', output: { id: int(), at: datetime(), note: text().optional() } }) {
  handle() {
    this.response.statusCode = 201;
    this.response.headers['location'] = '/x/1';
    this.response.contentType = 'application/vnd.x+json';
    this.response.payload = { id: 1, at: new Date(0) };
  }
}

class Raw extends service({ name: 'raw', input: { kind: text() }, output: { id: int() } }) {
  handle() {
    if (this.input.kind === 'string') this.response.payload = 'plain text';
    else if (this.input.kind === 'buffer') this.response.payload = Buffer.from('bytes');
    else if (this.input.kind === 'bad') return { id: 'not a number' as unknown as number };
    else if (this.input.kind === 'missing') return {} as { id: number };
    return undefined;
  }
}

class Seen extends service({ name: 'seen' }) {
  static last: { request: ServiceRequest; cid: string; signal: AbortSignal; self: unknown } | undefined;
  handle() {
    Seen.last = { request: this.request, cid: this.cid, signal: this.signal, self: this };
  }
}

class Total extends service({
  name: 'total',
  input: { qty: int(), price: int() },
  output: { total: int(), at: datetime() },
}) {
  handle() {
    return { total: this.input.qty * this.input.price, at: new Date(0) };
  }
}

class Caller extends service({
  name: 'caller',
  input: { qty: int() },
  output: { total: int(), cid: text(), channel: text() },
}) {
  async handle() {
    const r = await this.invoke(Total, { qty: this.input.qty, price: 3 });
    const seen = await this.invoke('seen.capture');
    void seen;
    return { total: r.total, cid: this.cid, channel: SeenCapture.channel ?? '' };
  }
}

class SeenCapture extends service({ name: 'seen.capture' }) {
  static channel: string | undefined;
  static cid: string | undefined;
  handle() {
    SeenCapture.channel = `${this.request.channel.kind}/${this.request.channel.name}/${this.request.method}`;
    SeenCapture.cid = this.cid;
  }
}

describe('Pipeline.run: handler selection', () => {
  const { pipeline } = setup(Verbs, GetOnly);

  it('handle<Verb> when defined, handle otherwise; the verb is case-insensitive', async () => {
    expect((await pipeline.run(inv('verbs', { method: 'get' }))).output).toEqual({ via: 'get' });
    expect((await pipeline.run(inv('verbs', { method: 'DELETE' }))).output).toEqual({ via: 'delete' });
    expect((await pipeline.run(inv('verbs', { method: 'post' }))).output).toEqual({ via: 'handle:POST' });
    expect((await pipeline.run(inv('verbs', { method: 'PATCH' }))).output).toEqual({ via: 'handle:PATCH' });
  });

  it('405 with an Allow list when the verb has no handler and there is no handle()', async () => {
    expect((await pipeline.run(inv('get.only', { method: 'GET' }))).output).toBe('ok');
    const err = await pipeline.run(inv('get.only', { method: 'POST' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MethodNotAllowed);
    expect(err).toMatchObject({
      code: 'WHARF_ERR_METHOD_NOT_ALLOWED',
      status: 405,
      message: 'Service `get.only` does not handle POST',
    });
    expect((err as WharfError).headers?.['allow']?.split(', ').sort()).toEqual(['GET', 'PUT']);
  });

  it('an unknown service is WHARF_ERR_SERVICE_NOT_DEPLOYED (503)', async () => {
    await expect(pipeline.run(inv('nope'))).rejects.toMatchObject({
      code: 'WHARF_ERR_SERVICE_NOT_DEPLOYED',
      status: 503,
      message: 'Service `nope` is not deployed',
    });
    expect(() => pipeline.entry('nope')).toThrow(WharfError);
  });
});

describe('Pipeline.run: hooks', () => {
  const { pipeline } = setup(Hooks);

  it('before → handle → after; after sees and may change the output', async () => {
    calls.length = 0;
    const r = await pipeline.run(inv('hooks'));
    expect(r.output).toEqual({ steps: ['before', 'handle', 'after'] });
    expect(calls).toEqual(['after:before,handle,after']);
  });

  it('a throw in before stops the request: no handler, no after', async () => {
    calls.length = 0;
    await expect(pipeline.run(inv('hooks', { body: { fail: 'before' } }))).rejects.toBeInstanceOf(NotFound);
    expect(calls).toEqual([]);
  });

  it('a throw in the handler skips after and propagates as is', async () => {
    calls.length = 0;
    await expect(pipeline.run(inv('hooks', { body: { fail: 'handle' } }))).rejects.toThrow('boom');
    expect(calls).toEqual([]);
  });
});

describe('Pipeline.run: input and request', () => {
  const { pipeline } = setup(Inputs, Seen);

  it('parses input from query, path and body with the channel priorities', async () => {
    const got = async (over: Partial<Invocation>): Promise<unknown> =>
      JSON.parse(((await pipeline.run(inv('inputs', over))).output as { got: string }).got);
    expect(await got({ body: { id: '5', tags: 'x' } })).toEqual({ id: 5, name: 'anon', tags: ['x'] });
    const both = { params: { path: { id: '1' }, query: { id: '2' } }, body: { id: 3 } };
    expect(await got(both)).toMatchObject({ id: 2 });
    expect(await got({ ...both, priorities: { params: 'path' } })).toMatchObject({ id: 1 });
    expect(await got({ ...both, priorities: { paramsOverBody: false } })).toMatchObject({ id: 3 });
  });

  it('invalid input is a 400 before any service code runs', async () => {
    await expect(pipeline.run(inv('inputs', { body: {} }))).rejects.toMatchObject({
      code: 'WHARF_ERR_MISSING_ELEMENT',
      status: 400,
    });
    await expect(pipeline.run(inv('inputs', { body: { id: 'x' } }))).rejects.toMatchObject({
      code: 'WHARF_ERR_INVALID_ELEMENT',
    });
  });

  it('the request carries cid, payload, raw, headers, method, params and channel; signal is passed; one instance per call', async () => {
    const ac = new AbortController();
    const i = inv('seen', {
      method: 'put',
      payload: { p: 1 },
      params: { path: { a: '1' }, query: { b: '2' } },
      signal: ac.signal,
      cid: 'cid-xyz',
    });
    await pipeline.run(i);
    const first = Seen.last!;
    expect(first.cid).toBe('cid-xyz');
    expect(first.signal).toBe(ac.signal);
    expect(first.request).toEqual({
      cid: 'cid-xyz',
      payload: { p: 1 },
      raw: i.raw,
      headers: i.headers,
      method: 'PUT',
      params: i.params,
      channel: i.channel,
    });
    await pipeline.run(inv('seen'));
    expect(Seen.last!.self).not.toBe(first.self);
  });
});

describe('Pipeline.run: response and output', () => {
  const { pipeline } = setup(Resp, Raw, Seen);

  it('status, headers and content type set by the service come back; output is normalised', async () => {
    const r = await pipeline.run(inv('resp'));
    expect(r).toMatchObject({ statusCode: 201, headers: { location: '/x/1' }, contentType: 'application/vnd.x+json' });
    expect(r.output).toEqual({ id: 1, at: '1970-01-01T00:00:00.000Z' });
  });

  it('defaults: 200, no headers, no content type, no output', async () => {
    const r = await pipeline.run(inv('seen'));
    expect(r).toMatchObject({ statusCode: 200, headers: {} });
    expect(r.contentType).toBeUndefined();
    expect(r.output).toBeUndefined();
  });

  it('strings and Buffers are passed through without output checks', async () => {
    expect((await pipeline.run(inv('raw', { body: { kind: 'string' } }))).output).toBe('plain text');
    expect(Buffer.isBuffer((await pipeline.run(inv('raw', { body: { kind: 'buffer' } }))).output)).toBe(true);
    expect((await pipeline.run(inv('raw', { body: { kind: 'none' } }))).output).toBeUndefined();
  });

  it('output that breaks the declaration is a 500 WHARF_ERR_OUTPUT_INVALID', async () => {
    await expect(pipeline.run(inv('raw', { body: { kind: 'bad' } }))).rejects.toMatchObject({
      code: 'WHARF_ERR_OUTPUT_INVALID',
      status: 500,
      message: 'Service `raw` produced invalid output: Invalid value for `id`: expected int',
    });
    await expect(pipeline.run(inv('raw', { body: { kind: 'missing' } }))).rejects.toThrow(
      'required element `id` is missing',
    );
  });
});

describe('Pipeline.invoke: service to service', () => {
  const { pipeline } = setup(Total, Caller, SeenCapture);

  it('invokes by class with the same cid, through the callee’s SimpleIO, on the invoke channel', async () => {
    const r = await pipeline.run(inv('caller', { body: { qty: '4' }, cid: 'parent' }));
    expect(r.output).toEqual({ total: 12, cid: 'parent', channel: 'invoke/invoke/POST' });
    expect(SeenCapture.cid).toBe('parent');
  });

  it('returns the callee’s normalised output', async () => {
    const out = (await pipeline.invoke('total', { qty: 2, price: '5' }, { cid: 'c' })) as {
      total: number;
      at: Date | string;
    };
    expect(Object.keys(out).sort()).toEqual(['at', 'total']);
    expect(out.total).toBe(10);
    expect(new Date(out.at).toISOString()).toBe('1970-01-01T00:00:00.000Z');
  });

  it('the callee’s input checks apply to invoke too', async () => {
    await expect(pipeline.invoke('total', { qty: 2 }, { cid: 'c' })).rejects.toMatchObject({
      code: 'WHARF_ERR_MISSING_ELEMENT',
      details: { element: 'price' },
    });
    await expect(pipeline.invoke('missing.svc', {}, { cid: 'c' })).rejects.toMatchObject({
      code: 'WHARF_ERR_SERVICE_NOT_DEPLOYED',
    });
  });

  it('INVOKE_CHANNEL is frozen json', () => {
    expect(INVOKE_CHANNEL).toEqual({ name: 'invoke', kind: 'invoke', dataFormat: 'json' });
    expect(Object.isFrozen(INVOKE_CHANNEL)).toBe(true);
  });
});
