/** Shared by the HTTP client's tests: the `code` of the error `fn` throws (undefined if it does not throw). */
export function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}
