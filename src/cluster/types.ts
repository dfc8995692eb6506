/**
 * What a server offers services beyond its own worker: asynchronous invocations any worker of the
 * cluster may run, cluster-wide locks, and the lease store for once-per-cluster work. The embedded
 * default implements it in-process over the ODB (`local.ts`); a cluster over Redis (`redis/`).
 */
import type { LockOptions, ServiceLock } from '../service/service.js';
import type { LeaseStore } from './lease.js';

export interface AsyncInvocation {
  cid: string;
  service: string;
  input: unknown;
  /** A service invoked with `{ cid, service, ok, output?, error? }` when this one finishes. */
  callback?: string | undefined;
  /** Set by the runtime: the invoking service's cid, for log correlation. */
  parentCid?: string | undefined;
}

export type { LockOptions, ServiceLock } from '../service/service.js';

/** Runs an invocation in this worker; used by implementations when they pick one up. */
export type AsyncRunner = (inv: AsyncInvocation) => Promise<void>;

export interface ClusterServices {
  readonly leaseStore: LeaseStore;
  /** Queues an invocation; resolves once it is durably accepted. */
  invokeAsync(inv: AsyncInvocation): Promise<void>;
  lock(name: string, opts?: LockOptions): Promise<ServiceLock>;
  /** Starts taking queued invocations (runs them with `run`). */
  start(run: AsyncRunner): Promise<void>;
  stop(): Promise<void>;
}
