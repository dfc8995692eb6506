/**
 * The embedded default's cluster services: one server, so async invocations run in this worker
 * (after the caller's turn of the event loop) and locks are ODB leases. Not durable across a crash
 * of the worker that accepted the invocation; a cluster (Redis) is.
 */
import { randomUUID } from 'node:crypto';
import { WharfError } from '../errors.js';
import type { Odb } from '../odb/odb.js';
import type { AsyncInvocation, AsyncRunner, ClusterServices, LockOptions, ServiceLock } from './types.js';

export class LocalClusterServices implements ClusterServices {
  private run: AsyncRunner | undefined;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly odb: Odb,
    private readonly holder: string,
  ) {}

  get leaseStore(): Odb {
    return this.odb;
  }

  async invokeAsync(inv: AsyncInvocation): Promise<void> {
    const run = this.run;
    if (!run) throw new WharfError('WHARF_ERR_SHUTTING_DOWN');
    const p = new Promise<void>((resolve) => setImmediate(resolve)).then(() => run(inv));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async lock(name: string, opts: LockOptions = {}): Promise<ServiceLock> {
    const ttl = opts.ttlMs ?? 30_000;
    const deadline = Date.now() + (opts.waitMs ?? 10_000);
    const key = `lock:${name}`;
    const holder = `${this.holder}:${randomUUID()}`;
    for (;;) {
      if (await this.odb.tryLease(key, holder, ttl)) break;
      if (Date.now() >= deadline)
        throw new WharfError('WHARF_ERR_CONFLICT', [`lock \`${name}\` is held by another invocation`]);
      await new Promise((r) => setTimeout(r, 50));
    }
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await this.odb.releaseLease(key, holder);
    };
    return { name, release, [Symbol.asyncDispose]: release };
  }

  async start(run: AsyncRunner): Promise<void> {
    this.run = run;
  }

  async stop(): Promise<void> {
    this.run = undefined;
    await Promise.allSettled([...this.pending]);
  }
}
