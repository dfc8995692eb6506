/**
 * `testService(Service, options)`: runs one service in this process, with no server, through Wharf's own
 * Pipeline (SimpleIO input, before/handle/after, output check) — and with a `format`, through the HTTP
 * channel's own parsing and rendering. Connections, `invoke`, `config` and `lock` come from the test.
 */
import { randomUUID } from 'node:crypto';
import { stringify as stringifyQuery } from 'node:querystring';
import { Pipeline } from '../service/pipeline.js';
import { makeEntry, ServiceRegistry, type ServiceEntry } from '../service/registry.js';
import type { AnyServiceClass, InputOf, InvokeInputOf, OutputOf, UserConfig } from '../service/service.js';
import { channelConfig, throughChannel, type TestChannelSettings, type TestFormat } from './channel.js';
import type { FakeHttp } from './fakes/http.js';
import { memoryLocks, type MemoryLocks } from './fakes/locks.js';
import type { FakeAmqp, FakeAmqp1, FakeMqtt, FakeZeromq } from './fakes/senders.js';
import type { FakeSoap } from './fakes/soap.js';
import type { FakeSwift } from './fakes/swift.js';
import { kitRuntime, type InvokeRecord, type KitRecords, type KitRuntimeOptions, type LogLine } from './kit-runtime.js';

/** A fake service for `invoke`: gets the input object, returns the output. */
export type FakeService = (input: Readonly<Record<string, unknown>>) => unknown;

export interface TestOutgoing {
  http?: Readonly<Record<string, FakeHttp>>;
  soap?: Readonly<Record<string, FakeSoap>>;
  amqp?: Readonly<Record<string, FakeAmqp>>;
  amqp1?: Readonly<Record<string, FakeAmqp1>>;
  mqtt?: Readonly<Record<string, FakeMqtt>>;
  zeromq?: Readonly<Record<string, FakeZeromq>>;
}

export interface TestCloud {
  swift?: Readonly<Record<string, FakeSwift>>;
}

export interface CommonTestOptions {
  /** `this.outgoing.<kind>(name)`: fakes by kind and connection name. */
  outgoing?: TestOutgoing;
  /** `this.cloud.swift(name)`. */
  cloud?: TestCloud;
  /** `this.config`: user config objects by name. */
  config?: UserConfig;
  /** Services `this.invoke` / `invokeAsync` may call: a fake (function) or a real service class. */
  invoke?: Readonly<Record<string, FakeService | AnyServiceClass>>;
  /** Locks for `this.lock`; share one `memoryLocks()` between calls to test contention (default: new per call). */
  locks?: MemoryLocks;
  /** HTTP verb, selects `handle<Verb>` (default POST). */
  method?: string;
  headers?: Readonly<Record<string, string | undefined>>;
  /** Query string parameters (a list repeats the key). */
  query?: Readonly<Record<string, string | readonly string[]>>;
  /** URL path parameters (`/customer/{id}`). */
  path?: Readonly<Record<string, string>>;
  /** Correlation id (default: a new UUID). */
  cid?: string;
  /** Given a module (or several service classes): which service to run, by name. */
  service?: string;
}

export interface InputTestOptions<I> extends CommonTestOptions {
  /** The input, as a caller of `invoke` gives it: checked and completed by the service's SimpleIO. */
  input?: I;
  /** `this.request.raw` (default: empty). */
  raw?: string | Buffer;
  format?: undefined;
  body?: undefined;
}

export interface FormatTestOptions extends CommonTestOptions {
  /** Parse `body` and render the output as an HTTP channel of this data format does. */
  format: TestFormat;
  /** The request body: a string or bytes as sent; an object is JSON (json) or form-encoded (form). */
  body?: string | Buffer | Readonly<Record<string, unknown>>;
  /** Channel settings (soapAction, responseElement, acceptContentTypes, paramsPriority, maxBodySize...). */
  channel?: TestChannelSettings;
  input?: undefined;
  raw?: undefined;
}

export interface TestResult<O, I = unknown> {
  /** The input the service saw: what its SimpleIO made of `input`, or of the body, query string and path. */
  readonly input: I;
  /** The output as the service produced it (checked by its declaration; Dates stay Dates). */
  readonly output: O;
  readonly status: number;
  /** The service's response headers (with a format: the channel's answer headers). */
  readonly headers: Readonly<Record<string, string>>;
  readonly cid: string;
  /** Every `invoke` the service (and services it called) made. */
  readonly invoked: readonly InvokeRecord[];
  /** Every `invokeAsync`, with the cid it answered (they are recorded, not run). */
  readonly invokedAsync: readonly InvokeRecord[];
  /** Lines the service logged. */
  readonly logs: readonly LogLine[];
}

export interface RenderedTestResult<O, I = unknown> extends TestResult<O, I> {
  /** The answer document as the channel renders it (UTF-8 text). */
  readonly body: string;
  readonly bodyBytes: Buffer;
  readonly contentType: string;
}

/** What `import * as mod from './my-services.js'` gives, or `loadServices(file)`. */
export type ServiceModule = Readonly<Record<string, unknown>>;

const entries = new WeakMap<object, ServiceEntry>();

function looksLikeService(v: unknown): v is AnyServiceClass {
  return typeof v === 'function' && typeof (v as { declaration?: { name?: unknown } }).declaration?.name === 'string';
}

function entryOf(cls: AnyServiceClass): ServiceEntry {
  let e = entries.get(cls);
  if (!e) {
    e = makeEntry(cls, `test:${cls.declaration.name}`, '');
    entries.set(cls, e);
  }
  return e;
}

function pick(target: unknown, name: string | undefined): AnyServiceClass {
  if (looksLikeService(target)) {
    if (name !== undefined && target.declaration.name !== name)
      throw new TypeError(`testService: the class given is \`${target.declaration.name}\`, not \`${name}\``);
    return target;
  }
  if (typeof target !== 'object' || target === null) {
    throw new TypeError(
      'testService: the first argument must be a service class (class X extends service({...})) or a module exporting one',
    );
  }
  const found = Object.values(target).filter(looksLikeService);
  const unique = [...new Set(found)];
  if (name !== undefined) {
    const hit = unique.find((c) => c.declaration.name === name);
    if (!hit)
      throw new TypeError(
        `testService: the module has no service \`${name}\` (it has: ${unique.map((c) => c.declaration.name).join(', ') || 'none'})`,
      );
    return hit;
  }
  if (unique.length === 1) return unique[0]!;
  if (unique.length === 0)
    throw new TypeError(
      'testService: the module exports no service class (export class X extends service({ name, ... }))',
    );
  throw new TypeError(
    `testService: the module has ${unique.length} services (${unique.map((c) => c.declaration.name).join(', ')}); say which with \`service\``,
  );
}

function bodyBytes(format: TestFormat, body: FormatTestOptions['body']): Buffer | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (format === 'json') return Buffer.from(JSON.stringify(body), 'utf8');
  if (format === 'form') return Buffer.from(stringifyQuery(body as Record<string, string | readonly string[]>), 'utf8');
  throw new TypeError(
    `testService: a ${format} body must be a string or a Buffer (objects are taken for json and form)`,
  );
}

/** Runs a service with typed input (`input`), or a body in a data format (`format` + `body`). */
export function testService<S extends AnyServiceClass>(
  service: S,
  options: FormatTestOptions,
): Promise<RenderedTestResult<OutputOf<S>, InputOf<S>>>;
export function testService<S extends AnyServiceClass>(
  service: S,
  options?: InputTestOptions<InvokeInputOf<S>>,
): Promise<TestResult<OutputOf<S>, InputOf<S>>>;
export function testService(module: ServiceModule, options: FormatTestOptions): Promise<RenderedTestResult<unknown>>;
export function testService(
  module: ServiceModule,
  options?: InputTestOptions<Readonly<Record<string, unknown>>>,
): Promise<TestResult<unknown>>;
export async function testService(
  target: AnyServiceClass | ServiceModule,
  options: FormatTestOptions | InputTestOptions<unknown> = {},
): Promise<TestResult<unknown> | RenderedTestResult<unknown>> {
  if (typeof options !== 'object' || options === null) throw new TypeError('testService: options must be an object');
  if (options.format !== undefined && options.input !== undefined)
    throw new TypeError('testService: give either `input` or `format` + `body`, not both');
  const cls = pick(target, options.service);
  const registry = new ServiceRegistry();
  const main = entryOf(cls);
  const fakes = new Map<string, FakeService>();
  for (const [name, v] of Object.entries(options.invoke ?? {})) {
    if (looksLikeService(v)) {
      if (v.declaration.name !== name)
        throw new TypeError(`testService: invoke[${JSON.stringify(name)}] is the service \`${v.declaration.name}\``);
      const e = entryOf(v);
      registry.swapModule(e.moduleName, '', [e]);
    } else if (typeof v === 'function') fakes.set(name, v);
    else throw new TypeError(`testService: invoke[${JSON.stringify(name)}] must be a function or a service class`);
  }
  // the input the service sees, as its SimpleIO parsed it (the first parse: the service under test)
  let seen: { input: unknown } | undefined;
  const watched: ServiceEntry = {
    ...main,
    parseInput: (src, prio) => {
      const input = main.parseInput(src, prio);
      seen ??= { input };
      return input;
    },
  };
  registry.swapModule(main.moduleName, '', [watched]);
  const records: KitRecords = { invoked: [], invokedAsync: [], logs: [] };
  const runtime = kitRuntime(
    {
      outgoing: options.outgoing as KitRuntimeOptions['outgoing'],
      cloud: options.cloud as KitRuntimeOptions['cloud'],
      config: options.config,
      locks: options.locks ?? memoryLocks(),
      fakes,
      isReal: (n) => registry.has(n),
      pipeline: () => pipeline,
    },
    records,
  );
  const pipeline: Pipeline = new Pipeline(registry, runtime);
  const cid = options.cid ?? randomUUID();
  const method = (options.method ?? 'POST').toUpperCase();
  const query = (options.query ?? {}) as Record<string, string | string[]>;
  const path = (options.path ?? {}) as Record<string, string>;
  const recorded = {
    cid,
    invoked: records.invoked,
    invokedAsync: records.invokedAsync,
    logs: records.logs,
  };

  if (options.format !== undefined) {
    const config = channelConfig(options.format, main.name, options.channel);
    const answer = await throughChannel(config, pipeline, {
      method,
      body: bodyBytes(options.format, options.body),
      headers: options.headers ?? {},
      path,
      query,
      cid,
    });
    return {
      input: seen?.input,
      output: answer.result.value,
      status: answer.status,
      headers: answer.headers,
      body: answer.body.toString('utf8'),
      bodyBytes: answer.body,
      contentType: answer.headers['content-type'] ?? '',
      ...recorded,
    };
  }

  const input = options.input ?? {};
  const raw =
    options.raw === undefined
      ? Buffer.alloc(0)
      : typeof options.raw === 'string'
        ? Buffer.from(options.raw, 'utf8')
        : options.raw;
  const res = await pipeline.run({
    service: main.name,
    cid,
    channel: TEST_CHANNEL,
    method,
    raw,
    payload: input,
    body: input,
    headers: options.headers ?? {},
    params: { path, query },
  });
  return {
    input: seen?.input,
    output: res.value,
    status: res.statusCode,
    headers: res.headers,
    ...recorded,
  };
}

const TEST_CHANNEL = Object.freeze({
  name: 'test',
  kind: 'test',
  dataFormat: 'json' as const,
});
