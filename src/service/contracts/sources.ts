/**
 * What the contract generators read: HTTP channels as stored (their config objects), the services'
 * declarations, the security definitions the channels name (kind and header only — never a secret)
 * and the base URL clients reach the server at. Plain data: the generators are pure functions of it.
 */
import type { DeclarationLike, ShapeLike } from './element-like.js';

export type ChannelDataFormat = 'json' | 'xml' | 'soap' | 'form' | 'plain';

/** The fields of an HTTP channel a contract describes (a `channels.http` object has them all). */
export interface ChannelLike {
  readonly name: string;
  readonly active?: boolean;
  readonly urlPath: string;
  readonly method: string;
  readonly service?: string | undefined;
  readonly proxyTo?: string | undefined;
  readonly routes?: readonly unknown[] | undefined;
  readonly dataFormat: ChannelDataFormat;
  readonly soapVersion?: '1.1' | '1.2' | undefined;
  readonly soapAction?: string | undefined;
  readonly security?: string | undefined;
  readonly maxBodySize?: number | undefined;
  readonly timeoutMs?: number | undefined;
  readonly paramsPriority?: 'query' | 'path' | undefined;
  readonly paramsOverBody?: boolean | undefined;
  readonly requestElement?: string | undefined;
  readonly responseElement?: string | undefined;
  /** Request media types accepted besides the data format's own (parsed by the data format). */
  readonly acceptContentTypes?: readonly string[] | undefined;
}

/** A deployed service as contracts see it. */
export interface ServiceLike {
  readonly name: string;
  readonly description?: string | undefined;
  readonly input?: ShapeLike | undefined;
  readonly output?: DeclarationLike | undefined;
  /** HTTP verbs with their own handle<Verb>() (upper case); with `hasHandle` false only these are served. */
  readonly verbs?: readonly string[] | undefined;
  readonly hasHandle?: boolean | undefined;
}

export type SecurityLike =
  | { readonly kind: 'basicAuth'; readonly realm?: string | undefined }
  | { readonly kind: 'apiKey'; readonly headerName: string };

export interface ContractSources {
  readonly channels: readonly ChannelLike[];
  /** Deployed services by name; a channel whose service is not here gets an opaque contract. */
  readonly services: ReadonlyMap<string, ServiceLike>;
  /** Security definitions by name; a channel naming a missing one refuses every request (401). */
  readonly security: ReadonlyMap<string, SecurityLike>;
  /** e.g. http://127.0.0.1:11223 (no trailing slash). */
  readonly baseUrl: string;
  /** Shown in info.version (e.g. the config version). */
  readonly version?: string | undefined;
}

/** Path params of a channel's urlPath, in order: /customer/{id}/orders/{n} → [id, n]. */
export function pathParams(urlPath: string): string[] {
  return [...urlPath.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
}
