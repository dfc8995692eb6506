/**
 * What the CLI knows of every object kind without loading the declarations (zod, src/kinds.ts):
 * its words, title, actions and the columns `list` prints. `list`, `get`, `delete` and the actions
 * use it alone; `create`, `edit` and `--help` load the declarations (their options come from the
 * fields). In the order the kinds register. Kept by hand: src/cli/kind-table.test.ts checks it
 * against the declarations and prints the entry to paste when a kind changes.
 */

export interface KindEntry {
  /** The kind's id (`channels.http`): the admin API's /wharf/admin/config/ID. */
  readonly id: string;
  /** The words after `wharf` (`channel http`). */
  readonly cli: readonly string[];
  /** Also answers without its last word (`wharf channel list` = `wharf channel http list`). */
  readonly cliDefault?: boolean;
  readonly title: string;
  /** Verbs beyond create/edit/delete/get/list (`wharf job execute`). */
  readonly actions: readonly string[];
  /** The fields `list` shows: the first six that are neither secret nor records, objects or free-form. */
  readonly columns: readonly string[];
}

export const KIND_TABLE: readonly KindEntry[] = [
  {
    id: 'security.basicAuth',
    cli: ['security', 'basic-auth'],
    title: 'HTTP Basic Auth definition',
    actions: [],
    columns: ['name', 'active', 'username', 'realm'],
  },
  {
    id: 'security.apiKey',
    cli: ['security', 'api-key'],
    title: 'API key definition',
    actions: [],
    columns: ['name', 'active', 'headerName'],
  },
  { id: 'config.user', cli: ['user-config'], title: 'User config', actions: [], columns: ['name', 'active'] },
  {
    id: 'cluster.loadBalancer',
    cli: ['lb'],
    title: 'Load balancer',
    actions: [],
    columns: ['name', 'active', 'frontendHost', 'frontendPort', 'tlsPort', 'balance'],
  },
  {
    id: 'outgoing.http',
    cli: ['outgoing', 'http'],
    title: 'HTTP outgoing connection',
    actions: [],
    columns: ['name', 'active', 'address', 'path', 'secretHeaders', 'security'],
  },
  {
    id: 'outgoing.soap',
    cli: ['outgoing', 'soap'],
    title: 'SOAP outgoing connection',
    actions: [],
    columns: ['name', 'active', 'address', 'path', 'secretHeaders', 'security'],
  },
  {
    id: 'definitions.amqp',
    cli: ['definition', 'amqp'],
    title: 'AMQP definition',
    actions: [],
    columns: ['name', 'active', 'host', 'port', 'vhost', 'username'],
  },
  {
    id: 'channels.amqp',
    cli: ['channel', 'amqp'],
    title: 'AMQP channel',
    actions: [],
    columns: ['name', 'active', 'definition', 'queue', 'prefetch', 'consumerTagPrefix'],
  },
  {
    id: 'outgoing.amqp',
    cli: ['outgoing', 'amqp'],
    title: 'AMQP outgoing connection',
    actions: [],
    columns: ['name', 'active', 'definition', 'exchange', 'routingKey', 'deliveryMode'],
  },
  {
    id: 'definitions.mqtt',
    cli: ['definition', 'mqtt'],
    title: 'MQTT definition',
    actions: [],
    columns: ['name', 'active', 'host', 'port', 'username', 'clientIdPrefix'],
  },
  {
    id: 'channels.mqtt',
    cli: ['channel', 'mqtt'],
    title: 'MQTT channel',
    actions: [],
    columns: ['name', 'active', 'definition', 'topicFilter', 'qos', 'dataFormat'],
  },
  {
    id: 'outgoing.mqtt',
    cli: ['outgoing', 'mqtt'],
    title: 'MQTT outgoing connection',
    actions: [],
    columns: ['name', 'active', 'definition', 'topic', 'qos', 'retain'],
  },
  {
    id: 'channels.zeromq',
    cli: ['channel', 'zeromq'],
    title: 'ZeroMQ channel',
    actions: [],
    columns: ['name', 'active', 'address', 'socketType', 'bind', 'subPrefixes'],
  },
  {
    id: 'outgoing.zeromq',
    cli: ['outgoing', 'zeromq'],
    title: 'ZeroMQ outgoing connection',
    actions: [],
    columns: ['name', 'active', 'address', 'socketType', 'bind', 'topic'],
  },
  {
    id: 'definitions.amqp1',
    cli: ['definition', 'amqp1'],
    title: 'AMQP 1.0 definition',
    actions: [],
    columns: ['name', 'active', 'host', 'port', 'username', 'saslMechanism'],
  },
  {
    id: 'outgoing.amqp1',
    cli: ['outgoing', 'amqp1'],
    title: 'AMQP 1.0 outgoing connection',
    actions: [],
    columns: ['name', 'active', 'definition', 'address', 'durable', 'priority'],
  },
  {
    id: 'channels.amqp1',
    cli: ['channel', 'amqp1'],
    title: 'AMQP 1.0 channel',
    actions: [],
    columns: ['name', 'active', 'definition', 'address', 'credit', 'dataFormat'],
  },
  {
    id: 'cloud.openstackSwift',
    cli: ['cloud', 'swift'],
    title: 'OpenStack Swift connection',
    actions: [],
    columns: ['name', 'active', 'authUrl', 'authVersion', 'user', 'tenantName'],
  },
  {
    id: 'notifications.openstackSwift',
    cli: ['notification', 'swift'],
    title: 'OpenStack Swift notifier',
    actions: [],
    columns: ['name', 'active', 'connection', 'containers', 'intervalMs', 'namePattern'],
  },
  {
    id: 'channels.http',
    cli: ['channel', 'http'],
    cliDefault: true,
    title: 'HTTP channel',
    actions: [],
    columns: ['name', 'active', 'urlPath', 'method', 'service', 'proxyTo'],
  },
  {
    id: 'scheduler.jobs',
    cli: ['job'],
    title: 'Scheduler job',
    actions: ['execute', 'status'],
    columns: ['name', 'active', 'type', 'service', 'payload', 'startAt'],
  },
];

/** The verbs that need no declarations. */
export const READ_VERBS: readonly string[] = ['list', 'get', 'delete'];
