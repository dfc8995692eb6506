/**
 * In-memory locks for `testService`: `this.lock(name)` as on a server (wait up to `waitMs`, default 10 s;
 * then 409 WHARF_ERR_CONFLICT with the server's message). Share one `memoryLocks()` between calls to test
 * contention; `held` says which locks are held now, `taken` every lock taken.
 */
import { WharfError } from '../../errors.js';
import type { LockOptions, ServiceLock } from '../../service/service.js';

export interface MemoryLocks {
  readonly kind: 'locks';
  /** Names of the locks held now. */
  held(): string[];
  /** Every lock taken, in order. */
  readonly taken: readonly string[];
  /** @internal */
  lock(name: string, opts?: LockOptions): Promise<ServiceLock>;
}

export function memoryLocks(): MemoryLocks {
  const holders = new Map<string, Array<() => void>>();
  const taken: string[] = [];
  const grant = (name: string): ServiceLock => {
    taken.push(name);
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      const waiting = holders.get(name)!;
      const next = waiting.shift();
      if (next) next();
      else holders.delete(name);
    };
    return { name, release, [Symbol.asyncDispose]: release };
  };
  return {
    kind: 'locks',
    taken,
    held: () => [...holders.keys()].sort(),
    lock(name, opts = {}) {
      const waiting = holders.get(name);
      if (!waiting) {
        holders.set(name, []);
        return Promise.resolve(grant(name));
      }
      const waitMs = opts.waitMs ?? 10_000;
      const conflict = (): WharfError =>
        new WharfError('WHARF_ERR_CONFLICT', [`lock \`${name}\` is held by another invocation`]);
      if (waitMs <= 0) return Promise.reject(conflict());
      return new Promise<ServiceLock>((resolve, reject) => {
        const turn = (): void => {
          clearTimeout(timer);
          resolve(grant(name));
        };
        const timer = setTimeout(() => {
          const i = waiting.indexOf(turn);
          if (i >= 0) waiting.splice(i, 1);
          reject(conflict());
        }, waitMs);
        waiting.push(turn);
      });
    },
  };
}
