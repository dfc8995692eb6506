/**
 * The ServiceRuntime `testService` gives a service: outgoing and cloud connections from the test's fakes
 * (a connection it did not give is the server's own WHARF_ERR_NO_SUCH_CONNECTION, naming it), `invoke` /
 * `invokeAsync` to fake or real services (recorded), `config`, in-memory locks and recorded log lines.
 */
import { randomUUID } from 'node:crypto';
import { WharfError } from '../errors.js';
import type { CloudConnections, OutgoingConnections } from '../service/registries.js';
import type { Pipeline } from '../service/pipeline.js';
import type { ServiceLogger, ServiceRuntime, UserConfig } from '../service/service.js';
import type { MemoryLocks } from './fakes/locks.js';

/** A fake connection: the service gets `connection(name)`. */
export interface FakeConnection {
  readonly kind: string;
  connection(name: string): unknown;
}

/** Kinds a test can give, with the title the server uses in WHARF_ERR_NO_SUCH_CONNECTION. */
export const OUTGOING_TITLES = {
  http: 'HTTP outgoing connection',
  soap: 'SOAP outgoing connection',
  amqp: 'AMQP outgoing connection',
  amqp1: 'AMQP 1.0 outgoing connection',
  mqtt: 'MQTT outgoing connection',
  zeromq: 'ZeroMQ outgoing connection',
} as const;
export const CLOUD_TITLES = { swift: 'OpenStack Swift connection' } as const;

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly args: readonly unknown[];
}

export interface InvokeRecord {
  readonly service: string;
  readonly input: unknown;
  /** invokeAsync: the cid it answered and the callback named, if any. */
  readonly cid?: string;
  readonly callback?: string | undefined;
}

export interface KitRecords {
  readonly invoked: InvokeRecord[];
  readonly invokedAsync: InvokeRecord[];
  readonly logs: LogLine[];
}

function accessors(
  group: 'outgoing' | 'cloud',
  titles: Readonly<Record<string, string>>,
  given: Readonly<Record<string, Readonly<Record<string, FakeConnection>> | undefined>> | undefined,
): Record<string, (name: string) => unknown> {
  const out: Record<string, (name: string) => unknown> = {};
  for (const [kind, title] of Object.entries(titles)) {
    out[kind] = (name: string) => {
      const fakes = given?.[kind];
      const fake = fakes && Object.hasOwn(fakes, name) ? fakes[name] : undefined;
      if (!fake) {
        throw new WharfError('WHARF_ERR_NO_SUCH_CONNECTION', [title, name], {
          details: {
            connection: name,
            hint: `testService was given no ${group}.${kind}[${JSON.stringify(name)}]`,
          },
        });
      }
      if (fake.kind !== kind)
        throw new TypeError(
          `testService: ${group}.${kind}[${JSON.stringify(name)}] is a fake of kind \`${fake.kind}\`, not \`${kind}\``,
        );
      return fake.connection(name);
    };
  }
  return out;
}

export interface KitRuntimeOptions {
  outgoing?: Readonly<Record<string, Readonly<Record<string, FakeConnection>> | undefined>> | undefined;
  cloud?: Readonly<Record<string, Readonly<Record<string, FakeConnection>> | undefined>> | undefined;
  config?: UserConfig | undefined;
  locks: MemoryLocks;
  /** Fake services by name (`invoke`d with the input; they return the output). */
  fakes: ReadonlyMap<string, (input: Readonly<Record<string, unknown>>) => unknown>;
  /** Whether a name is a real service of this test's registry. */
  isReal: (name: string) => boolean;
  pipeline: () => Pipeline;
}

export function kitRuntime(o: KitRuntimeOptions, records: KitRecords): ServiceRuntime {
  const config = Object.freeze({ ...(o.config ?? {}) });
  const known = (name: string): boolean => o.fakes.has(name) || o.isReal(name);
  const logger = (): ServiceLogger => {
    const at =
      (level: LogLine['level']) =>
      (message: string, ...args: unknown[]): void =>
        void records.logs.push({ level, message, args });
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
    };
  };
  return {
    async invoke(name, input, parent) {
      records.invoked.push({ service: name, input });
      const fake = o.fakes.get(name);
      if (fake) return fake(input as Readonly<Record<string, unknown>>);
      return o.pipeline().invoke(name, input, parent);
    },
    async invokeAsync(name, input, _parent, callback) {
      if (!known(name)) throw new WharfError('WHARF_ERR_SERVICE_NOT_DEPLOYED', [name]);
      const cid = randomUUID();
      records.invokedAsync.push({ service: name, input, cid, callback });
      return cid;
    },
    lock: (name, opts) => o.locks.lock(name, opts),
    outgoing: accessors('outgoing', OUTGOING_TITLES, o.outgoing) as unknown as OutgoingConnections,
    cloud: accessors('cloud', CLOUD_TITLES, o.cloud) as unknown as CloudConnections,
    config,
    logger,
  };
}
