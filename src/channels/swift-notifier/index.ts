/**
 * `notifications.openstackSwift` ("cloud notifications"): objects dropped into Swift containers are
 * handed to a service, once per cluster.
 */
import type { ConnectorKind } from '../../connectors/types.js';
import { swiftNotifierDeclaration, type SwiftNotifierConfig } from './kind.js';
import { SwiftNotifier } from './notifier.js';

export const swiftNotifierConnector: ConnectorKind<SwiftNotifierConfig> = {
  ...swiftNotifierDeclaration,
  create: (config, ctx) => new SwiftNotifier(config, ctx),
};

export { swiftNotifierKind, parseWatch, errorContainerOf, type SwiftNotifierConfig, type Watch } from './kind.js';
export { SwiftNotifier, type SwiftNotification } from './notifier.js';
export { globToRegExp } from './glob.js';
