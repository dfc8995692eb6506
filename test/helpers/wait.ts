/** Small waiting helpers for integration tests. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `cond` every 50 ms until it holds; throws `timed out waiting for <what>` once `ms` have passed.
 * Unlike env.ts's `eventually`, an error thrown by `cond` fails the wait at once.
 */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
