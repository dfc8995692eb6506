/**
 * The `wharf` command line. Only the command the line names is loaded (src/cli/command-table.ts):
 * `wharf --help` needs commander and the table; `wharf channel http list ENV` the static kind table
 * and the admin API client (`create`/`edit` the kind declarations); no command loads connectors or
 * drivers (the CLI talks to the admin API).
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS, entryFor } from './command-table.js';
import { CliError, EXIT } from './exit.js';
import { helpWithVerbsBelow } from './help.js';
import { wharfMessage, withoutRequireStack } from './messages.js';

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('wharf')
    .description('Wharf: an enterprise service bus and integration server for Node.js')
    .version('0.1.0')
    .showHelpAfterError()
    .showSuggestionAfterError()
    .exitOverride();
  const args = argv.slice(2);
  const named = entryFor(args);
  if (named) await (await named.load())(program, args);
  for (const entry of COMMANDS) {
    const loaded = program.commands.find((c) => c.name() === entry.name);
    if (loaded) loaded.description(entry.description);
    else {
      // Not named on this command line: listed by `wharf --help`, its module not loaded.
      const placeholder = program.command(entry.name).description(entry.description);
      if (entry.args) placeholder.arguments(entry.args);
    }
  }
  helpWithVerbsBelow(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  }
  if (e instanceof CliError) {
    process.stderr.write(`wharf: ${withoutRequireStack(e.message)}\n`);
    process.exit(e.exitCode);
  }
  process.stderr.write(`wharf: ${wharfMessage(e)}\n`);
  process.exit(EXIT.ERROR);
});
