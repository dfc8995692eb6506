/** The `wharf` command line. */
import { Command, CommanderError } from 'commander';
import { registerBuiltinKinds } from '../kinds.js';
import { registerCheckConfigCommand } from './commands/check-config.js';
import { registerContractCommands } from './commands/contracts.js';
import { registerEnmasseCommands } from './commands/enmasse.js';
import { registerInfoCommand } from './commands/info.js';
import { registerObjectCommands } from './commands/objects.js';
import { registerCaCommands } from './commands/ca.js';
import { quickstartCreate } from './commands/quickstart.js';
import { clusterOptions, port, type QuickstartCliOptions } from './commands/quickstart-options.js';
import { registerServiceCommands } from './commands/services.js';
import { registerUserCommands } from './commands/user.js';
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
  .description(
    'Create an environment. Without an ODB type: the embedded default, one server on 127.0.0.1:11223 with a SQLite ODB. ' +
      'With one (postgresql or mysql): a cluster of servers (17010+) on that ODB and Redis, behind HAProxy (11223), with a CA',
  )
  .argument('<path>', 'new environment directory')
  .argument('[odb-type]', 'postgresql or mysql (MariaDB): make a cluster')
  .argument('[odb-host]', 'ODB host')
  .argument('[odb-port]', 'ODB port')
  .argument('[odb-user]', 'ODB user')
  .argument('[odb-db]', 'ODB database')
  .argument('[kvdb-host]', 'Redis host')
  .argument('[kvdb-port]', 'Redis port')
  .option('--cluster-name <name>', 'cluster name (default quickstart-NNNNNN)')
  .option('--port <port>', 'embedded default: server port', (v) => Number(v))
  .option('--workers <n>', 'worker processes per server (0 = one per CPU)', (v) => Number(v))
  .option('--odb-type <type>', 'postgresql or mysql (same as the positional argument)')
  .option('--odb-host <host>')
  .option('--odb-port <port>', '', (v) => Number(v))
  .option('--odb-user <user>')
  .option('--odb-db <name>')
  .option('--odb-password <password>', 'else WHARF_ODB_PASSWORD, else asked on a terminal (empty = none)')
  .option('--kvdb-host <host>', 'Redis host')
  .option('--kvdb-port <port>', 'Redis port', (v) => Number(v))
  .option('--kvdb-password <password>', 'else WHARF_KVDB_PASSWORD, else asked on a terminal (empty = none)')
  .option('--servers <n>', 'cluster: number of servers (default 2)', (v) => Number(v))
  .option('--base-port <port>', 'cluster: port of server1, the others follow (default 17010)', (v) => Number(v))
  .option('--lb-host <host>', 'cluster: HAProxy frontend address (default 127.0.0.1)')
  .option('--lb-port <port>', 'cluster: HAProxy frontend port (default 11223)', (v) => Number(v))
  .option('--web-admin-port <port>', 'the web admin\'s port (default 8183)', (v) => port(v, '--web-admin-port'))
  .action(async (path: string, odbType: string | undefined, odbHost: string | undefined, odbPort: string | undefined, odbUser: string | undefined, odbDb: string | undefined, kvdbHost: string | undefined, kvdbPort: string | undefined, opts: QuickstartCliOptions) => {
    const cluster = await clusterOptions({ odbType, odbHost, odbPort, odbUser, odbDb, kvdbHost, kvdbPort }, opts);
    await quickstartCreate({ path, clusterName: opts.clusterName, port: opts.port, workers: opts.workers, webAdminPort: opts.webAdminPort, ...(cluster ? { cluster } : {}) });
  });

program
  .command('start')
  .description('Start the environment (checks, servers, the load balancer, then the web admin; detached) or one component in the foreground (--fg; Ctrl-C stops it cleanly)')
  .argument('<env>', 'environment (or component) directory')
  .option('--fg', 'run one component in the foreground')
  .option('--server <name>', 'only this server')
  .option('--component <name>', 'only this component: a server name, load-balancer or web-admin')
  .option('--supervise', 'run each server under a supervisor that restarts its primary when it dies (kill -9, crash), with backoff')
  .option('--quiet', 'no progress lines')
  .action(async (env: string, opts: { fg?: boolean; supervise?: boolean; server?: string; component?: string; quiet?: boolean }) => {
    await start(env, { ...(opts.fg ? { fg: true } : {}), ...(opts.supervise ? { supervise: true } : {}), ...(opts.server ? { server: opts.server } : {}), ...(opts.component ? { component: opts.component } : {}), ...(opts.quiet ? { out: () => undefined } : {}) });
  });

program
  .command('stop')
  .description('Stop the environment gracefully (web admin, load balancer, then servers, a supervised server\'s supervisor first; in-flight requests finish)')
  .argument('<env>')
  .option('--server <name>', 'only this server')
  .option('--component <name>', 'only this component: a server name, load-balancer or web-admin')
  .action(async (env: string, opts: { server?: string; component?: string }) => {
    await stop(env, { ...(opts.server ? { server: opts.server } : {}), ...(opts.component ? { component: opts.component } : {}) });
  });

registerCaCommands(program);
registerInfoCommand(program);
registerCheckConfigCommand(program);
registerServiceCommands(program);
registerEnmasseCommands(program);
registerUserCommands(program);
registerObjectCommands(program);
registerContractCommands(program);

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
