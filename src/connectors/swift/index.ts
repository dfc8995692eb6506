/**
 * OpenStack Swift pieces shared by `cloud.openstackSwift` connections and Swift notifiers: the
 * connection kind and its client options, and the Swift client (split into types, errors, auth, wire).
 */
export { swiftConnectionKind, clientOptionsOf, poolKey, type SwiftConnectionConfig } from './connection-kind.js';
export { SwiftClient } from './client.js';
export { SwiftError, type SwiftErrorInit } from './errors.js';
export { parseCustomOptions } from './options.js';
export { encodeSwiftPath } from './wire.js';
export type * from './types.js';
