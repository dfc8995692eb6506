/**
 * `cloud.openstackSwift`: Swift connections services borrow pooled clients from —
 * `await using client = await this.cloud.swift('Invoice Dispatcher').client()`.
 */
import type { ConnectorKind } from '../../connectors/types.js';
import type { SwiftConnection } from './connection.js';
import { SwiftConnector } from './connector.js';
import { swiftConnectionDeclaration, type SwiftConnectionConfig } from './kind.js';

export const swiftConnectionConnector: ConnectorKind<SwiftConnectionConfig> = {
  ...swiftConnectionDeclaration,
  create: (config, ctx) => new SwiftConnector(config, ctx),
};

declare module '../../service/registries.js' {
  interface CloudConnections {
    /** The Swift connection of that name; unknown names fail with WHARF_ERR_NO_SUCH_CONNECTION. */
    swift(name: string): SwiftConnection;
  }
}

export { SwiftConnection, type SwiftPoolStats } from './connection.js';
export { SwiftConnector } from './connector.js';
export { PooledSwiftClient } from './pooled-client.js';
export { swiftConnectionKind, clientOptionsOf, type SwiftConnectionConfig } from './kind.js';
export {
  SwiftClient,
  SwiftError,
  parseCustomOptions,
  type SwiftClientOptions,
  type ObjectEntry,
  type SubdirEntry,
  type ObjectInfo,
  type SwiftObject,
  type PutObjectOptions,
  type PutObjectResult,
} from '../../connectors/swift/client.js';
