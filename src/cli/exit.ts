/** Distinct exit codes, documented in docs/cli.md. */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  PORT_IN_USE: 3,
  ALREADY_RUNNING: 4,
  START_FAILED: 5,
  NOT_RUNNING: 6,
  UNREACHABLE: 7,
  INVALID: 8,
  NOT_FOUND: 9,
  EXISTS: 10,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.ERROR,
  ) {
    super(message);
  }
}
