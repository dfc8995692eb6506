/**
 * The `cloud.openstackSwift` object kind lives in `src/connectors/swift/` (Swift notifiers read the
 * same connections); this module adds what the outgoing side declares: the `this.cloud.swift(name)`
 * accessor, in every worker.
 */
import type { ConnectorDeclaration } from '../../connectors/types.js';
import { swiftConnectionKind, type SwiftConnectionConfig } from '../../connectors/swift/connection-kind.js';

export {
  swiftConnectionKind,
  clientOptionsOf,
  poolKey,
  type SwiftConnectionConfig,
} from '../../connectors/swift/connection-kind.js';

/** `this.cloud.swift(name)`, in every worker. The code: see `src/kinds.ts` (loaded when the first object starts). */
export const swiftConnectionDeclaration: ConnectorDeclaration<SwiftConnectionConfig> = {
  kind: swiftConnectionKind,
  placement: 'worker',
  accessor: { group: 'cloud', name: 'swift' },
};
