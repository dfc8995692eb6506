/**
 * The one interface every channel and outgoing connection kind implements. The worker's connector
 * manager creates an instance per active object, calls `reconfigure` on every edit (live, no
 * restart), `stop` on delete/deactivate/shutdown; services reach outgoing instances through
 * `handle()`. Kinds register in `src/kinds.ts`; the core never imports a concrete one.
 */
import type { ConfigObject, ObjectKind } from '../config/kind.js';
import type { InvocationResult } from '../service/pipeline.js';
import type { ChannelInfo, DataFormat, Headers, ServiceLogger } from '../service/service.js';
import type { InputPriorities } from '../service/simpleio/compile.js';
import type { CodecOptions, Parsed } from '../service/formats/index.js';

export type HealthStatus = 'starting' | 'up' | 'degraded' | 'down' | 'stopped';

export interface ConnectorHealth {
  status: HealthStatus;
  detail?: string;
}

/** Where instances of a kind run. */
export type Placement =
  /** In every worker process (HTTP routes, outgoing pools, competing queue consumers). */
  | 'worker'
  /** In one worker of each server. */
  | 'server'
  /** In one worker of the whole cluster, under a lease another server takes over (binds, schedulers). */
  | 'cluster';

/** A message-style invocation: the context parses `raw` with the data format's codec. */
export interface MessageInvocation {
  service: string;
  raw: Buffer;
  dataFormat: DataFormat;
  channel: ChannelInfo;
  cid?: string;
  headers?: Headers;
  params?: { path?: Record<string, string>; query?: Record<string, string | string[]> };
  priorities?: InputPriorities;
  codec?: Partial<CodecOptions>;
  /** Give up after this many ms (the service gets an aborted signal; 504 WHARF_ERR_TIMEOUT); default: none. */
  timeoutMs?: number;
  /** Channels that parse bodies themselves (HTTP) pass the result; the codec is then not run again. */
  parsed?: Parsed;
  /** HTTP verb (selects `handle<Verb>`); default POST. */
  method?: string;
}

export interface Lease {
  readonly name: string;
  /** False once the lease was lost (another holder took it after expiry). */
  readonly held: boolean;
  /** Aborted when the lease is lost or released. */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface ConnectorContext {
  readonly logger: ServiceLogger;
  /** This server's name and this worker's id (1-based). */
  readonly server: { readonly name: string; readonly workerId: number; readonly dataDir: string };
  /** Parses `raw` per data format, runs the service, returns its (normalised) output. Throws WharfError. */
  invoke(inv: MessageInvocation): Promise<InvocationResult>;
  /** Another object's current config (decrypted secrets), e.g. a channel's `definitions.amqp`. */
  resolve(kindId: string, name: string): ConfigObject | undefined;
  /** Persistent key/value state of this object (survives restarts; shared by the cluster's servers). */
  readonly state: StateStore;
  /** Acquires (waiting if needed) a named lease held while the process lives and renews it. */
  lease(name: string, opts?: { ttlMs?: number; signal?: AbortSignal }): Promise<Lease>;
  /** What `this.outgoing.<x>(name)` gives a service, for connectors that relay to one (a proxy channel). */
  outgoing?(kindId: string, name: string): unknown;
}

export interface StateStore {
  get(key: string): Promise<unknown>;
  /** `undefined` deletes. */
  set(key: string, value: unknown): Promise<void>;
  list(): Promise<Array<{ key: string; value: unknown }>>;
}

export interface Connector<C extends ConfigObject = ConfigObject> {
  start(): Promise<void>;
  /** Applies an edited config live; in-flight work finishes on the old settings. */
  reconfigure(config: C): Promise<void>;
  /** Stops taking new work, lets in-flight work finish (bounded), releases sockets and timers. */
  stop(): Promise<void>;
  health(): ConnectorHealth;
  /** Outgoing kinds: what `this.outgoing.<accessor>(name)` returns to a service. */
  handle?(): unknown;
}

/**
 * What the admin API, the CLI and enmasse know of a connector kind without loading its code (or its
 * driver): the object kind, where instances run, the service accessor and the names of its actions.
 * Declarations live in each kind's `kind.ts`; `src/kinds.ts` registers them with a lazy loader.
 */
export interface ConnectorDeclaration<C extends ConfigObject = ConfigObject> {
  readonly kind: ObjectKind<C>;
  readonly placement: Placement;
  /** Outgoing/cloud kinds: the service accessor, e.g. { group: 'outgoing', name: 'http' }. */
  readonly accessor?: { readonly group: 'outgoing' | 'cloud'; readonly name: string };
  /** Names of the operations an admin can run on one object (their code comes with the connector). */
  readonly actionNames?: readonly string[];
}

/** The connector's code: the declaration plus what creates instances and runs actions. */
export interface ConnectorKind<C extends ConfigObject = ConfigObject> extends ConnectorDeclaration<C> {
  create(config: C, ctx: ConnectorContext): Connector<C>;
  /**
   * Operations an admin can run on one object (`wharf <noun> <action> ENV NAME`), e.g. a scheduler
   * job's `execute`. They run in the worker that received the admin call.
   */
  readonly actions?: Readonly<
    Record<string, (config: C, ctx: ConnectorContext, args: Record<string, unknown>) => Promise<unknown>>
  >;
}

/** Imports a connector kind's code on first use (`() => import('./channels/amqp/connector.js').then(...)`). */
export type ConnectorLoader<C extends ConfigObject = ConfigObject> = () => Promise<ConnectorKind<C>>;

/** One headers record as relayed by a proxy (values as Node gives them). */
export type RelayHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What a proxy channel needs of an outgoing connection (`ctx.outgoing('outgoing.http', name)`): relay
 * a request as is and get the answer back as bytes. `outgoing.http`'s handle implements it; channels
 * reach it through this interface, never through the outgoing kind's code.
 */
export interface PassThroughOutgoing {
  passThrough(req: {
    method: string;
    /** Path (and query) after the address's prefix; default: the connection's path. */
    path?: string;
    /** A query string (without `?`) appended to the path. */
    query?: string;
    headers?: RelayHeaders;
    body?: Buffer | string | null;
    timeoutMs?: number;
    signal?: AbortSignal;
    stream?: false;
  }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>;
}
