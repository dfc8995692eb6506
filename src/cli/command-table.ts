/**
 * Every top-level `wharf` command: its word, the line `wharf --help` shows, and the module that
 * registers it, imported only when the command line names it. `wharf --help` loads this table and
 * commander, nothing else. To add a command: one entry here (the module exports `(program) => void`).
 */
import type { Command } from 'commander';

/** Registers a command on `program`; `args` (the words after `wharf`) let it register only what the line runs. */
export type Register = (program: Command, args: readonly string[]) => void | Promise<void>;

export interface CommandEntry {
  readonly name: string;
  /** The line `wharf --help` shows (the command gets it once loaded too). */
  readonly description: string;
  /** Arguments shown by `wharf --help`, e.g. `<env>`. */
  readonly args?: string;
  readonly load: () => Promise<Register>;
}

/** Object kinds (generated commands): the read verbs from src/cli/kind-table.ts, others from the kind declarations (not connectors). */
const objects = (): Promise<Register> => import('./commands/object-reads.js').then((m) => m.registerObjectCommandsFor);

/**
 * The first words of the object kinds' `cli` (src/config/kind.ts), with their sub-words: a test
 * checks this list against the registered kinds.
 */
export const OBJECT_GROUPS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'security', description: 'Security definitions: basic-auth, api-key' },
  { name: 'user-config', description: 'User configs: free-form settings services read (enmasse key config.user)' },
  { name: 'lb', description: "A cluster's load balancer settings (enmasse key cluster.loadBalancer)" },
  { name: 'outgoing', description: 'Outgoing connections: http, soap, amqp, mqtt, zeromq, amqp1' },
  { name: 'definition', description: 'Broker definitions: amqp, mqtt, amqp1' },
  {
    name: 'channel',
    description:
      'Channels: http (also the default: `wharf channel create` = `wharf channel http create`), amqp, mqtt, zeromq, amqp1',
  },
  { name: 'cloud', description: 'Cloud connections: swift' },
  { name: 'notification', description: 'Notifiers: swift' },
  { name: 'job', description: 'Scheduler jobs (enmasse key scheduler.jobs)' },
];

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'quickstart',
    description: 'Create a complete environment in one command (quickstart create PATH)',
    load: () => import('./commands/lifecycle.js').then((m) => m.registerQuickstartCommand),
  },
  {
    name: 'start',
    args: '<env>',
    description:
      'Start the environment (checks, servers, the load balancer, then the web admin; detached) or one component in the foreground (--fg; Ctrl-C stops it cleanly)',
    load: () => import('./commands/lifecycle.js').then((m) => m.registerStartCommand),
  },
  {
    name: 'stop',
    args: '<env>',
    description:
      "Stop the environment gracefully (web admin, load balancer, then servers, a supervised server's supervisor first; in-flight requests finish)",
    load: () => import('./commands/lifecycle.js').then((m) => m.registerStopCommand),
  },
  {
    name: 'ca',
    description: 'Certificate authority: create one, issue certificates for servers, the load balancer, the web admin',
    load: () => import('./commands/ca.js').then((m) => m.registerCaCommands),
  },
  {
    name: 'info',
    args: '<env>',
    description:
      'Show each server: pid, address, config version, workers, deployed modules, connectors, drift; and the load balancer',
    load: () => import('./commands/info.js').then((m) => m.registerInfoCommand),
  },
  {
    name: 'check-config',
    args: '<env>',
    description: 'Check an environment offline: server configs, secret key, ODB, every object, referenced services',
    load: () => import('./commands/check-config.js').then((m) => m.registerCheckConfigCommand),
  },
  {
    name: 'init',
    args: '<dir>',
    description:
      'Scaffold a services project: package.json (wharf-esb), tsconfig, an example service and its test, npm scripts check / test / deploy',
    load: () => import('./commands/init.js').then((m) => m.registerInitCommand),
  },
  {
    name: 'service',
    description: 'Deploy, check, list, invoke and delete services',
    load: () => import('./commands/services.js').then((m) => m.registerServiceCommands),
  },
  {
    name: 'enmasse',
    description: 'Export and import the whole config as YAML (docs/enmasse.md)',
    load: () => import('./commands/enmasse.js').then((m) => m.registerEnmasseCommands),
  },
  {
    name: 'user',
    description: 'Admin users (logins of the admin API and the web admin; scrypt hashes in the ODB)',
    load: () => import('./commands/user.js').then((m) => m.registerUserCommands),
  },
  ...OBJECT_GROUPS.map((g) => ({ ...g, load: objects })),
  {
    name: 'openapi',
    args: '<env>',
    description:
      "OpenAPI 3.1 of the HTTP channels (or one), generated from the channels and the services' SimpleIO declarations",
    load: () => import('./commands/contracts.js').then((m) => m.registerContractCommands),
  },
  {
    name: 'wsdl',
    args: '<env>',
    description: 'WSDL 1.1 (document/literal wrapped, with the XSD of the input and output) of a SOAP channel',
    load: () => import('./commands/contracts.js').then((m) => m.registerContractCommands),
  },
];

/** The entry the command line names (`wharf WORD ...`, `wharf help WORD`), if any. */
export function entryFor(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === first);
}
