/**
 * `wharf quickstart create`, `wharf start`, `wharf stop`: their words and options only; each action
 * imports its implementation when it runs, so `wharf --help` and `wharf start --help` load nothing else.
 */
import type { Command } from 'commander';
import { port, wholeNumber } from '../args.js';
import type { QuickstartCliOptions } from './quickstart-options.js';

export function registerQuickstartCommand(program: Command): void {
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
    .option('--port <port>', 'embedded default: server port (default 11223)', (v) => port(v, '--port'))
    .option('--workers <n>', 'worker processes per server (0 = one per CPU)', (v) => wholeNumber(v, '--workers'))
    .option('--odb-type <type>', 'postgresql or mysql (same as the positional argument)')
    .option('--odb-host <host>')
    .option('--odb-port <port>', '', (v) => port(v, '--odb-port'))
    .option('--odb-user <user>')
    .option('--odb-db <name>')
    .option('--odb-password <password>', 'else WHARF_ODB_PASSWORD, else asked on a terminal (empty = none)')
    .option('--kvdb-host <host>', 'Redis host')
    .option('--kvdb-port <port>', 'Redis port', (v) => port(v, '--kvdb-port'))
    .option('--kvdb-password <password>', 'else WHARF_KVDB_PASSWORD, else asked on a terminal (empty = none)')
    .option('--servers <n>', 'cluster: number of servers (default 2)', (v) => wholeNumber(v, '--servers', 1))
    .option('--base-port <port>', 'cluster: port of server1, the others follow (default 17010)', (v) =>
      port(v, '--base-port'),
    )
    .option('--lb-host <host>', 'cluster: HAProxy frontend address (default 127.0.0.1)')
    .option('--lb-port <port>', 'cluster: HAProxy frontend port (default 11223)', (v) => port(v, '--lb-port'))
    .option('--web-admin-port <port>', "the web admin's port (default 8183)", (v) => port(v, '--web-admin-port'))
    .action(
      async (
        path: string,
        odbType: string | undefined,
        odbHost: string | undefined,
        odbPort: string | undefined,
        odbUser: string | undefined,
        odbDb: string | undefined,
        kvdbHost: string | undefined,
        kvdbPort: string | undefined,
        opts: QuickstartCliOptions,
      ) => {
        const { clusterOptions } = await import('./quickstart-options.js');
        const { quickstartCreate } = await import('./quickstart.js');
        const cluster = await clusterOptions({ odbType, odbHost, odbPort, odbUser, odbDb, kvdbHost, kvdbPort }, opts);
        await quickstartCreate({
          path,
          clusterName: opts.clusterName,
          port: opts.port,
          workers: opts.workers,
          webAdminPort: opts.webAdminPort,
          ...(cluster ? { cluster } : {}),
        });
      },
    );
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Start the environment (checks, servers, the load balancer, then the web admin; detached) or one component in the foreground (--fg; Ctrl-C stops it cleanly)',
    )
    .argument('<env>', 'environment (or component) directory')
    .option('--fg', 'run one component in the foreground')
    .option('--server <name>', 'only this server')
    .option('--component <name>', 'only this component: a server name, load-balancer or web-admin')
    .option(
      '--supervise',
      'run each server under a supervisor that restarts its primary when it dies (kill -9, crash), with backoff',
    )
    .option('--quiet', 'no progress lines')
    .action(
      async (
        env: string,
        opts: { fg?: boolean; supervise?: boolean; server?: string; component?: string; quiet?: boolean },
      ) => {
        const { start } = await import('./start.js');
        await start(env, {
          ...(opts.fg ? { fg: true } : {}),
          ...(opts.supervise ? { supervise: true } : {}),
          ...(opts.server ? { server: opts.server } : {}),
          ...(opts.component ? { component: opts.component } : {}),
          ...(opts.quiet ? { out: () => undefined } : {}),
        });
      },
    );
}

export function registerStopCommand(program: Command): void {
  program
    .command('stop')
    .description(
      "Stop the environment gracefully (web admin, load balancer, then servers, a supervised server's supervisor first; in-flight requests finish)",
    )
    .argument('<env>')
    .option('--server <name>', 'only this server')
    .option('--component <name>', 'only this component: a server name, load-balancer or web-admin')
    .action(async (env: string, opts: { server?: string; component?: string }) => {
      const { stop } = await import('./stop.js');
      await stop(env, {
        ...(opts.server ? { server: opts.server } : {}),
        ...(opts.component ? { component: opts.component } : {}),
      });
    });
}
