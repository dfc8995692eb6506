/**
 * What the admin API needs from a worker's runtime, and nothing more: the admin routes read the
 * config snapshot and the service registry, run a service, deploy through the ODB and wait for the
 * worker to catch up (`sync`). `WorkerRuntime` (src/server/runtime.ts) implements it; the admin code
 * never sees the sync loop, the connector instances' lifecycle or the cluster services.
 */
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConnectorManager } from '../connectors/manager.js';
import type { ConnectorContext } from '../connectors/types.js';
import type { Odb } from '../odb/odb.js';
import type { ServerConfig } from '../server/config.js';
import type { Pipeline } from '../service/pipeline.js';
import type { ServiceRegistry } from '../service/registry.js';
import type { ServiceLogger } from '../service/service.js';

/** The runtime's options the admin API reads: the server's config, its ODB, and how services are compiled. */
export interface AdminRuntimeOptions {
  readonly config: ServerConfig;
  readonly odb: Odb;
  /** The public API module that services import (for deploying through the admin API). */
  readonly api: object;
  /** Where bare imports in deployed services resolve from. */
  readonly resolveFrom: string;
}

export interface AdminRuntime {
  readonly opts: AdminRuntimeOptions;
  /** The config version this worker has applied. */
  readonly version: number;
  readonly snapshot: ConfigSnapshot;
  readonly registry: ServiceRegistry;
  readonly pipeline: Pick<Pipeline, 'run'>;
  readonly manager: Pick<ConnectorManager, 'status'>;
  readonly box: SecretBox;
  readonly log: ServiceLogger;
  /** Modules stored in the ODB that failed to load here, by module name. */
  readonly moduleErrors: ReadonlyMap<string, string>;
  /** Applies the ODB's change log up to its current version (after an admin write). */
  sync(): Promise<void>;
  /** Loaded modules and their source hashes. */
  moduleHashes(): Record<string, string>;
  /** The context a connector action (e.g. "test connection") runs with. */
  actionContext(kindId: string, name: string): ConnectorContext;
}
