/** The connector behind a `cloud.openstackSwift` object in one worker: owns its client pools. */
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { SwiftConnection, SwiftPools } from './connection.js';
import type { SwiftConnectionConfig } from './kind.js';

/** How long stop() waits for borrowed clients to come back before closing them. */
export const STOP_DRAIN_MS = 5_000;

export class SwiftConnector implements Connector<SwiftConnectionConfig> {
  private readonly pools: SwiftPools;
  private readonly connection: SwiftConnection;
  private stopping: Promise<void> | undefined;

  constructor(config: SwiftConnectionConfig, ctx: ConnectorContext) {
    this.pools = new SwiftPools(config, ctx.logger);
    this.connection = new SwiftConnection(this.pools);
  }

  async start(): Promise<void> {
    // Clients log in on first use; the account check only feeds health(), so an unreachable Swift
    // does not fail the start (services get clear errors, and the check is repeated).
    this.pools.start();
  }

  async reconfigure(config: SwiftConnectionConfig): Promise<void> {
    this.pools.update(config);
  }

  stop(): Promise<void> {
    this.stopping ??= this.pools.stop(STOP_DRAIN_MS);
    return this.stopping;
  }

  health(): ConnectorHealth {
    return this.pools.health();
  }

  handle(): SwiftConnection {
    return this.connection;
  }
}
