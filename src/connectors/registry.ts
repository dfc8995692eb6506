/**
 * Connector kinds by object-kind id. `src/kinds.ts` registers each built-in kind's declaration (its
 * object kind: fields, secrets, refs, for the admin API, CLI and enmasse) with a loader that imports
 * the connector's code, and so its driver, only when a server first needs it (an active object of
 * that kind, or an admin action on one). Importing this module loads no connector code.
 */
import { registerKind } from '../config/registry.js';
import type { ConfigObject } from '../config/kind.js';
import type { ConnectorDeclaration, ConnectorKind, ConnectorLoader } from './types.js';

interface Entry {
  declaration: ConnectorDeclaration;
  load: ConnectorLoader;
  loaded?: Promise<ConnectorKind>;
}

const entries = new Map<string, Entry>();

/** Registers a connector kind's declaration and the loader of its code (not called here). */
export function registerConnectorKind<C extends ConfigObject>(
  declaration: ConnectorDeclaration<C>,
  load: ConnectorLoader<C>,
): void {
  registerKind(declaration.kind);
  entries.set(declaration.kind.id, {
    declaration: declaration as unknown as ConnectorDeclaration,
    load: load as unknown as ConnectorLoader,
  });
}

/** Registers a connector kind whose code is already loaded (tests, embedders). */
export function registerConnector<C extends ConfigObject>(kind: ConnectorKind<C>): void {
  const declaration: ConnectorDeclaration<C> = {
    kind: kind.kind,
    placement: kind.placement,
    ...(kind.accessor ? { accessor: kind.accessor } : {}),
    ...(kind.actions ? { actionNames: Object.keys(kind.actions) } : {}),
  };
  registerConnectorKind(declaration, () => Promise.resolve(kind));
}

/** The declaration of a connector kind; undefined for kinds that have no connector (definitions...). */
export function declarationFor(kindId: string): ConnectorDeclaration | undefined {
  return entries.get(kindId)?.declaration;
}

export function allDeclarations(): readonly ConnectorDeclaration[] {
  return [...entries.values()].map((e) => e.declaration);
}

/** Whether the connector code of a kind was imported already (loading started). */
export function isConnectorLoaded(kindId: string): boolean {
  return entries.get(kindId)?.loaded !== undefined;
}

/**
 * The connector code of a kind, imported on the first call (concurrent callers share one import; a
 * failed import is tried again by the next call). Undefined for kinds without a connector. Rejects
 * (a server-side fault, not the caller's) when the code cannot be imported or does not match its
 * declaration.
 */
export function loadConnector(kindId: string): Promise<ConnectorKind | undefined> {
  const entry = entries.get(kindId);
  if (!entry) return Promise.resolve(undefined);
  entry.loaded ??= entry.load().then(
    (kind) => checked(entry.declaration, kind),
    (e: unknown) => {
      delete entry.loaded;
      throw new Error(`cannot load the connector of ${kindId}: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    },
  );
  return entry.loaded;
}

function checked(declaration: ConnectorDeclaration, kind: ConnectorKind): ConnectorKind {
  const id = declaration.kind.id;
  const problems: string[] = [];
  if (kind.kind.id !== id) problems.push(`its kind is ${kind.kind.id}`);
  if (kind.placement !== declaration.placement)
    problems.push(`its placement is ${kind.placement}, declared ${declaration.placement}`);
  if (kind.accessor?.group !== declaration.accessor?.group || kind.accessor?.name !== declaration.accessor?.name) {
    problems.push('its service accessor differs from the declared one');
  }
  const actions = Object.keys(kind.actions ?? {})
    .sort()
    .join(',');
  if (actions !== [...(declaration.actionNames ?? [])].sort().join(','))
    problems.push(`its actions (${actions || 'none'}) differ from the declared ones`);
  if (problems.length)
    throw new Error(`the connector loaded for ${id} does not match its declaration: ${problems.join('; ')}`);
  return kind;
}
