/**
 * Leases for once-per-cluster work. The embedded default keeps them in the ODB (a row with an
 * expiry, renewed at a third of its TTL); a cluster may provide another `LeaseStore` (Redis).
 * When the holder dies, its lease lapses and another process takes over within one TTL.
 */
import type { Lease } from '../connectors/types.js';

export interface LeaseStore {
  /** Takes or renews `name` for `holder`; true when `holder` now holds it. */
  tryLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
}

export interface AcquireOptions {
  ttlMs?: number;
  signal?: AbortSignal;
  /** How often a waiting acquirer retries (default ttl / 3). */
  pollMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

export async function acquireLease(
  store: LeaseStore,
  name: string,
  holder: string,
  opts: AcquireOptions = {},
): Promise<Lease> {
  const ttl = opts.ttlMs ?? 10_000;
  const poll = opts.pollMs ?? Math.max(200, Math.floor(ttl / 3));
  for (;;) {
    if (opts.signal?.aborted) throw new Error(`lease ${name}: aborted while waiting`);
    let got = false;
    try {
      got = await store.tryLease(name, holder, ttl);
    } catch {
      got = false;
    }
    if (got) break;
    await sleep(poll, opts.signal);
  }
  const ac = new AbortController();
  let held = true;
  const renew = setInterval(() => {
    store.tryLease(name, holder, ttl).then(
      (ok) => {
        if (!ok && held) {
          held = false;
          clearInterval(renew);
          ac.abort();
        }
      },
      () => {
        /* the store is unreachable: keep trying until the TTL would have lapsed */
      },
    );
  }, poll);
  renew.unref();
  return {
    name,
    get held() {
      return held;
    },
    signal: ac.signal,
    async release() {
      if (!held) return;
      held = false;
      clearInterval(renew);
      ac.abort();
      await store.releaseLease(name, holder).catch(() => undefined);
    },
  };
}
