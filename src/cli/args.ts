/** Option value parsers shared by the CLI's commands: a bad value is refused at once, in Wharf's words. */
import { CliError, EXIT } from './exit.js';

/** A TCP port (1–65535); undefined stays undefined. */
export function port(v: string | number | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new CliError(`${what}: \`${v}\` is not a port number (1-65535)`, EXIT.USAGE);
  return n;
}

/** A whole number at least `min`. */
export function wholeNumber(v: string, what: string, min = 0): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min)
    throw new CliError(`${what}: \`${v}\` is not a whole number${min > 0 ? ` of at least ${min}` : ''}`, EXIT.USAGE);
  return n;
}
