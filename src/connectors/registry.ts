/**
 * Connector kinds by object-kind id. `src/kinds.ts` registers the built-in ones; registering a
 * connector also registers its object kind (fields, secrets, refs) for the admin API, CLI and enmasse.
 */
import { registerKind } from '../config/registry.js';
import type { ConfigObject } from '../config/kind.js';
import type { ConnectorKind } from './types.js';

const connectors = new Map<string, ConnectorKind>();

export function registerConnector<C extends ConfigObject>(kind: ConnectorKind<C>): void {
  registerKind(kind.kind);
  connectors.set(kind.kind.id, kind as unknown as ConnectorKind);
}

export function connectorFor(kindId: string): ConnectorKind | undefined {
  return connectors.get(kindId);
}

export function allConnectors(): readonly ConnectorKind[] {
  return [...connectors.values()];
}
