/** The `wharf` command line. */
import { Command, CommanderError } from 'commander';
import { registerBuiltinKinds } from '../kinds.js';
import { registerCheckConfigCommand } from './commands/check-config.js';
import { registerEnmasseCommands } from './commands/enmasse.js';
import { registerInfoCommand } from './commands/info.js';
import { registerObjectCommands } from './commands/objects.js';
import { quickstartCreate } from './commands/quickstart.js';
import { registerServiceCommands } from './commands/services.js';
import { start } from './commands/start.js';
import { stop } from './commands/stop.js';
import { CliError, EXIT } from './exit.js';

registerBuiltinKinds();

const program = new Command('wharf')
  .description('Wharf: an enterprise service bus and integration server for Node.js')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

const qs = program.command('quickstart').description('Create a complete environment in one command');
qs.command('create')
  .description('Create an environment: the embedded default is one server on 127.0.0.1:11223 with a SQLite ODB')
  .argument('<path>', 'new environment directory')
  .option('--cluster-name <name>', 'cluster name (default quickstart-NNNNNN)')
  .option('--port <port>', 'server port', (v) => Number(v))
  .option('--workers <n>', 'worker processes (0 = one per CPU)', (v) => Number(v))
  .action(async (path: string, opts: { clusterName?: string; port?: number; workers?: number }) => {
    await quickstartCreate({ path, clusterName: opts.clusterName, port: opts.port, workers: opts.workers });
  });

program
  .command('start')
  .description('Start the environment (detached) or one server in the foreground (--fg; Ctrl-C stops it cleanly)')
  .argument('<env>', 'environment (or server) directory')
  .option('--fg', 'run in the foreground')
  .option('--server <name>', 'only this server')
  .option('--quiet', 'no progress lines')
  .action(async (env: string, opts: { fg?: boolean; server?: string; quiet?: boolean }) => {
    await start(env, { ...(opts.fg ? { fg: true } : {}), ...(opts.server ? { server: opts.server } : {}), ...(opts.quiet ? { out: () => undefined } : {}) });
  });

program
  .command('stop')
  .description('Stop the environment gracefully (in-flight requests finish)')
  .argument('<env>')
  .option('--server <name>', 'only this server')
  .action(async (env: string, opts: { server?: string }) => {
    await stop(env, opts.server ? { server: opts.server } : {});
  });

registerInfoCommand(program);
registerCheckConfigCommand(program);
registerServiceCommands(program);
registerEnmasseCommands(program);
registerObjectCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  }
  if (e instanceof CliError) {
    process.stderr.write(`wharf: ${e.message}\n`);
    process.exit(e.exitCode);
  }
  process.stderr.write(`wharf: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(EXIT.ERROR);
});
