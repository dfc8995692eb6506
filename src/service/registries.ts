/**
 * Typed accessors for outgoing and cloud connections. The core declares empty interfaces; each
 * connector kind adds its accessor by declaration merging, e.g. in `src/outgoing/http/`:
 *
 *   declare module '../../service/registries.js' {
 *     interface OutgoingConnections { http(name: string): HttpOutgoing }
 *   }
 *
 * At run time the server fills these objects from the connector registry, so the core never
 * imports a concrete kind.
 */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a declaration-merging target
export interface OutgoingConnections {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a declaration-merging target
export interface CloudConnections {}
