/** The error a call that must fail rejects with, checked to be of the expected class. */
import { expect } from 'vitest';

type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

/**
 * Awaits `p`, which must reject with an instance of `type` (an expect() assertion), and returns that
 * error; throws `Error(successMessage)` when `p` resolves.
 */
export async function rejectionOf<E extends Error>(
  p: Promise<unknown>,
  type: ErrorClass<E>,
  successMessage = 'expected the call to fail',
): Promise<E> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(successMessage);
}
