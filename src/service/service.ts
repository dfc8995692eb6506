/**
 * The public service API. `service({...})` returns a base class typed by its declaration:
 *
 *   export class Dispatcher extends service({ name: 'invoice.dispatcher', input: { target: list(text()) } }) {
 *     async handle() { for (const t of this.input.target) ... }
 *   }
 *
 * `this.input` and the output (the value `handle` returns, or `this.response.payload`) are inferred
 * from the declaration; no generics are written by hand.
 */
import type { AnyElement, ElementType, Infer, InferOutput, Shape } from './simpleio/elements.js';
import { NEVER_ABORTED, type Cancellation } from './cancellation.js';
import type { CloudConnections, OutgoingConnections } from './registries.js';

export type DataFormat = 'json' | 'xml' | 'soap' | 'form' | 'plain';

export interface ServiceDeclaration {
  /** Dotted service name, unique on the cluster, e.g. `invoice.dispatcher`. */
  readonly name: string;
  readonly input?: Shape;
  readonly output?: Shape | AnyElement;
  readonly description?: string;
}

export type InputOfDecl<D extends ServiceDeclaration> = D['input'] extends Shape
  ? Infer<D['input']>
  : Record<string, never>;
/** What a caller passes to `invoke`: defaulted elements may be left out (the callee fills them in). */
export type InvokeInputOfDecl<D extends ServiceDeclaration> = D['input'] extends Shape
  ? InferOutput<D['input']>
  : Record<string, never>;
export type OutputOfDecl<D extends ServiceDeclaration> = D['output'] extends Shape
  ? InferOutput<D['output']>
  : D['output'] extends AnyElement
    ? ElementType<D['output']>
    : unknown;

/** Where a request came from. */
export interface ChannelInfo {
  /** Channel object name; `invoke` for service-to-service calls, `admin` for the admin API. */
  readonly name: string;
  /** Channel kind: `http`, `amqp`, `zeromq`, `mqtt`, `amqp1`, `scheduler`, `invoke`, ... */
  readonly kind: string;
  readonly dataFormat: DataFormat;
  readonly method?: string;
  readonly urlPath?: string;
  readonly soapVersion?: '1.1' | '1.2';
  readonly soapAction?: string;
}

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

export interface ServiceRequest {
  /** Correlation id, also in every log line of this invocation and in error responses. */
  readonly cid: string;
  /** The parsed body: JSON value, XML/SOAP request element as an object, form fields, or text. */
  readonly payload: unknown;
  /** The body exactly as received. */
  readonly raw: Buffer;
  readonly headers: Headers;
  readonly method: string;
  readonly params: {
    readonly path: Readonly<Record<string, string>>;
    readonly query: Readonly<Record<string, string | string[]>>;
  };
  readonly channel: ChannelInfo;
}

export interface ServiceResponse<O> {
  /** The output; a string or Buffer is sent as is. */
  payload: O | string | Buffer | undefined;
  statusCode: number;
  headers: Record<string, string>;
  /** Overrides the channel's content type. */
  contentType?: string;
}

export interface ServiceLogger {
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
}

export type UserConfig = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** A cluster-wide lock held by a service; `await using` releases it. */
export interface ServiceLock extends AsyncDisposable {
  readonly name: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** The lock lapses after this long if its holder dies (default 30 s). */
  ttlMs?: number;
  /** How long to wait for a held lock (default 10 s; 0 = fail at once with 409). */
  waitMs?: number;
}

/** What a service may call back into; provided by the server's runtime. */
export interface ServiceRuntime {
  invoke(name: string, input: unknown, parent: { cid: string }): Promise<unknown>;
  invokeAsync(name: string, input: unknown, parent: { cid: string }, callback?: string): Promise<string>;
  lock(name: string, opts?: LockOptions): Promise<ServiceLock>;
  readonly outgoing: OutgoingConnections;
  readonly cloud: CloudConnections;
  readonly config: UserConfig;
  logger(cid: string, service: string): ServiceLogger;
}

export type HttpVerb = 'Get' | 'Post' | 'Put' | 'Patch' | 'Delete' | 'Head' | 'Options';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor variance escape hatch
export type AnyServiceClass = (abstract new (...args: any[]) => Service<any, any>) & {
  readonly declaration: ServiceDeclaration;
};

export type InputOf<S extends AnyServiceClass> = InputOfDecl<S['declaration']>;
/** The input a caller gives `invoke(S, input)`: defaulted and optional elements may be left out. */
export type InvokeInputOf<S extends AnyServiceClass> = InvokeInputOfDecl<S['declaration']>;
export type OutputOf<S extends AnyServiceClass> = OutputOfDecl<S['declaration']>;

export abstract class Service<I = Record<string, unknown>, O = unknown> {
  /** The declaration passed to `service()`. */
  static readonly declaration: ServiceDeclaration;

  declare readonly input: I;
  declare readonly request: ServiceRequest;
  declare readonly response: ServiceResponse<O>;
  declare readonly cid: string;
  /** @internal */
  declare _cancellation?: Cancellation;
  /** @internal */
  declare _signal?: AbortSignal;

  /** Aborted when the channel gives up on this invocation (its timeout) or the server stops. */
  get signal(): AbortSignal {
    return this._cancellation?.signal ?? this._signal ?? NEVER_ABORTED;
  }
  /** @internal */
  declare runtime: ServiceRuntime;
  /** @internal */
  declare _logger?: ServiceLogger;

  /** A logger whose every line carries this invocation's cid and the service name. */
  get logger(): ServiceLogger {
    return (this._logger ??= this.runtime.logger(this.cid, (this.constructor as AnyServiceClass).declaration.name));
  }
  /** Outgoing connections by kind: `this.outgoing.http('CRM')`, `this.outgoing.amqp('orders')`. */
  get outgoing(): OutgoingConnections {
    return this.runtime.outgoing;
  }
  /** Cloud connections: `this.cloud.swift('Invoice Dispatcher')`. */
  get cloud(): CloudConnections {
    return this.runtime.cloud;
  }
  /** User config objects by name (admin kind `config.user`): `this.config['crm'].url`. */
  get config(): UserConfig {
    return this.runtime.config;
  }

  /** Runs before the handler; throw to refuse the request. */
  before?(): void | Promise<void>;
  /** Runs after a successful handler, before the output is serialised. */
  after?(): void | Promise<void>;

  /** Handles every method that has no `handle<Verb>` of its own. */
  handle?(): Promise<O | void> | O | void;
  handleGet?(): Promise<O | void> | O | void;
  handlePost?(): Promise<O | void> | O | void;
  handlePut?(): Promise<O | void> | O | void;
  handlePatch?(): Promise<O | void> | O | void;
  handleDelete?(): Promise<O | void> | O | void;
  handleHead?(): Promise<O | void> | O | void;
  handleOptions?(): Promise<O | void> | O | void;

  /** Invokes another service in this worker, typed when given its class. */
  invoke<S extends AnyServiceClass>(service: S, input: InvokeInputOf<S>): Promise<OutputOf<S>>;
  invoke(name: string, input?: unknown): Promise<unknown>;
  invoke(target: string | AnyServiceClass, input?: unknown): Promise<unknown> {
    const name = typeof target === 'string' ? target : target.declaration.name;
    return this.runtime.invoke(name, input ?? {}, { cid: this.cid });
  }

  /**
   * Queues an invocation that any worker of the cluster runs; returns its cid at once. In a cluster
   * it is durable (it survives the death of the server that accepted it). `callback` names a service
   * invoked with `{ cid, service, ok, output?, error? }` when it finishes.
   */
  invokeAsync<S extends AnyServiceClass>(
    service: S,
    input: InvokeInputOf<S>,
    opts?: { callback?: string | AnyServiceClass },
  ): Promise<string>;
  invokeAsync(name: string, input?: unknown, opts?: { callback?: string | AnyServiceClass }): Promise<string>;
  invokeAsync(
    target: string | AnyServiceClass,
    input?: unknown,
    opts: { callback?: string | AnyServiceClass } = {},
  ): Promise<string> {
    const name = typeof target === 'string' ? target : target.declaration.name;
    const cb =
      opts.callback === undefined
        ? undefined
        : typeof opts.callback === 'string'
          ? opts.callback
          : opts.callback.declaration.name;
    return this.runtime.invokeAsync(name, input ?? {}, { cid: this.cid }, cb);
  }

  /** Takes a cluster-wide lock: `await using lock = await this.lock('invoices')`. */
  lock(name: string, opts?: LockOptions): Promise<ServiceLock> {
    return this.runtime.lock(name, opts);
  }
}

/** Returns a base class whose `input` and output types follow from `decl`. */
export function service<const D extends ServiceDeclaration>(decl: D) {
  if (!decl || typeof decl.name !== 'string' || decl.name.trim() === '') {
    throw new TypeError('service({ name }) needs a non-empty name');
  }
  abstract class DeclaredService extends Service<InputOfDecl<D>, OutputOfDecl<D>> {
    static override readonly declaration: D = decl;
  }
  return DeclaredService;
}

export function isServiceClass(v: unknown): v is AnyServiceClass {
  return (
    typeof v === 'function' &&
    v.prototype instanceof Service &&
    typeof (v as { declaration?: ServiceDeclaration }).declaration?.name === 'string'
  );
}
