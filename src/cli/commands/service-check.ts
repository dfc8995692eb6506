/**
 * `wharf service check FILE...`: type-checks service modules against Wharf's types. TypeScript is
 * loaded only when the command runs.
 */
import type { Command } from 'commander';

/** Adds `check` to the `service` command. */
export function registerServiceCheckCommand(svc: Command): void {
  svc
    .command('check')
    .description(
      "Type-check service modules against Wharf's types with TypeScript (the project's own typescript, else Wharf's); " +
        'prints file:line:col: message, exit code 1 on errors. `service deploy` runs it first (--no-check skips it)',
    )
    .argument('<files...>', '.ts (or .js) service modules')
    .action(async (files: string[]) => {
      const { runCheck } = await import('../check/run.js');
      await runCheck(files, { mode: 'check' });
    });
}
