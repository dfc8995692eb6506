/**
 * The one path every request takes once a channel has parsed it:
 * SimpleIO.parse → before → handle / handle<Verb> → after → SimpleIO output check.
 * Channels (HTTP, AMQP, scheduler, ...) build an `Invocation`; rendering stays with the channel.
 */
import { MethodNotAllowed, WharfError } from '../errors.js';
import type { Cancellation } from './cancellation.js';
import type { ServiceEntry, ServiceRegistry } from './registry.js';
import type { InputPriorities } from './simpleio/compile.js';
import type { ChannelInfo, Headers, Service, ServiceRequest, ServiceResponse, ServiceRuntime } from './service.js';

export interface Invocation {
  readonly service: string;
  readonly cid: string;
  readonly channel: ChannelInfo;
  /** HTTP verb; message channels use POST. */
  readonly method: string;
  readonly raw: Buffer;
  /** `request.payload` for the service. */
  readonly payload: unknown;
  /** The object SimpleIO reads body elements from (JSON object, XML request element, form). */
  readonly body: unknown;
  readonly headers: Headers;
  readonly params: {
    readonly path: Readonly<Record<string, string>>;
    readonly query: Readonly<Record<string, string | string[]>>;
  };
  readonly priorities?: InputPriorities | undefined;
  /** What `this.signal` reads: a given signal, or a lazily made one (`Cancellation`). */
  readonly signal?: AbortSignal | undefined;
  readonly cancellation?: Cancellation | undefined;
}

export interface InvocationResult {
  statusCode: number;
  headers: Record<string, string>;
  contentType: string | undefined;
  /** Normalised output, or a string/Buffer to send as is, or undefined for no body. */
  output: unknown;
  /** The output as the service produced it (Dates stay Dates): what a calling service gets. */
  value: unknown;
}

const EMPTY_PARAMS = Object.freeze({});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Told when any invocation of a deployed service starts (the worker's watchdog: which service and cid run). */
let probe: ((service: string, cid: string) => void) | undefined;
export function setInvocationProbe(p: ((service: string, cid: string) => void) | undefined): void {
  probe = p;
}

export class Pipeline {
  constructor(
    private readonly registry: ServiceRegistry,
    private readonly runtime: ServiceRuntime,
  ) {}

  entry(name: string): ServiceEntry {
    const e = this.registry.get(name);
    if (!e) throw new WharfError('WHARF_ERR_SERVICE_NOT_DEPLOYED', [name]);
    return e;
  }

  async run(inv: Invocation): Promise<InvocationResult> {
    const entry = this.entry(inv.service);
    if (probe) probe(entry.name, inv.cid);
    const verb = inv.method.toUpperCase();
    let handlerName: string;
    if (entry.verbs.has(verb)) handlerName = `handle${verb[0]}${verb.slice(1).toLowerCase()}`;
    else if (verb === 'HEAD' && entry.verbs.has('GET'))
      handlerName = 'handleGet'; // HEAD is GET without a body
    else if (entry.hasHandle) handlerName = 'handle';
    else throw new MethodNotAllowed(`Service \`${entry.name}\` does not handle ${verb}`, [...entry.verbs]);

    const input = entry.parseInput({ query: inv.params.query, path: inv.params.path, body: inv.body }, inv.priorities);
    const request: ServiceRequest = {
      cid: inv.cid,
      payload: inv.payload,
      raw: inv.raw,
      headers: inv.headers,
      method: verb,
      params: inv.params,
      channel: inv.channel,
    };
    const response: ServiceResponse<unknown> = { payload: undefined, statusCode: 200, headers: {} };
    const svc = new (entry.cls as unknown as new () => Service)() as Mutable<Service> & Record<string, unknown>;
    svc.input = input;
    svc.request = request;
    svc.response = response;
    svc.cid = inv.cid;
    if (inv.cancellation) svc._cancellation = inv.cancellation;
    else if (inv.signal) svc._signal = inv.signal;
    svc.runtime = this.runtime;

    if (svc.before) await svc.before();
    const result: unknown = await (svc[handlerName] as () => unknown).call(svc);
    if (result !== undefined) response.payload = result;
    if (svc.after) await svc.after();

    const value: unknown = response.payload;
    let output = value;
    if (output !== undefined && entry.normaliseOutput && typeof output !== 'string' && !Buffer.isBuffer(output)) {
      output = entry.normaliseOutput(output);
    }
    return {
      statusCode: response.statusCode,
      headers: response.headers,
      contentType: response.contentType,
      output,
      value,
    };
  }

  /**
   * Service-to-service call: same cid, input checked by the callee's SimpleIO, output checked by
   * its declaration and returned as produced (typed by `OutputOf`, so Dates stay Dates).
   */
  async invoke(name: string, input: unknown, parent: { cid: string }, signal?: AbortSignal): Promise<unknown> {
    const res = await this.run({
      service: name,
      cid: parent.cid,
      channel: INVOKE_CHANNEL,
      method: 'POST',
      raw: EMPTY_BUFFER,
      payload: input,
      body: input,
      headers: EMPTY_PARAMS,
      params: { path: EMPTY_PARAMS, query: EMPTY_PARAMS },
      signal,
    });
    return res.value;
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);
export const INVOKE_CHANNEL: ChannelInfo = Object.freeze({ name: 'invoke', kind: 'invoke', dataFormat: 'json' });
