/** The public types of the Swift client: its options, request options and what operations return. */
import type { Readable } from 'node:stream';

export interface SwiftClientOptions {
  /** Name of the outgoing connection; every error message starts with it. */
  connectionName: string;
  /** tempauth: `http://host:8080/auth/v1.0`; Keystone: `https://keystone:5000/v3` (or `/v2.0`). */
  authUrl: string;
  /** 1 = tempauth/swauth v1.0 (default), 2 = Keystone v2.0 tokens, 3 = Keystone v3 password auth. */
  authVersion?: 1 | 2 | 3;
  /** v1: `account:user`; Keystone: the user name. */
  user: string;
  /** v1: the key; Keystone: the password. */
  key: string;
  /** Keystone project (v3) or tenant (v2) name; `project` and `tenantName` are synonyms. */
  tenantName?: string;
  project?: string;
  /** Keystone v3 domain name of both the user and the project, unless set apart below. Default `Default`. */
  domain?: string;
  userDomain?: string;
  projectDomain?: string;
  /** Keystone: the region whose object-store endpoint to use; default the first one in the catalog. */
  region?: string;
  /** Keystone: which endpoint interface to use. Default `public`. */
  endpointInterface?: 'public' | 'internal' | 'admin';
  /** Retries after the first attempt, on connection errors, 5xx, 429 and 498. Default 5. */
  retries?: number;
  /** First backoff delay; it doubles on every retry, with jitter. Default 1000. */
  startingBackoffMs?: number;
  /** Cap of the backoff delay. Default 64000. */
  maxBackoffMs?: number;
  /**
   * Per request attempt: time until the response headers (for uploads that includes sending the body)
   * plus, for buffered responses, reading the body. A streamed download must deliver a chunk at least
   * every `timeoutMs`. Default 30000.
   */
  timeoutMs?: number;
  /** Verify TLS certificates. Default true. */
  validateCert?: boolean;
  /** Extra trusted CA certificate(s), PEM. */
  ca?: string;
  /** Max connections per host (undici pool size). Default 10. */
  connections?: number;
  /** Headers sent with every storage request (see {@link parseCustomOptions}). */
  customHeaders?: Record<string, string>;
}

export type SwiftBody = Buffer | string | Uint8Array | Readable;

export interface RequestOptions {
  /** Extra request headers for this call. */
  headers?: Record<string, string>;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

export interface PutObjectOptions extends RequestOptions {
  contentType?: string;
  /** Sent as `X-Object-Meta-<key>`; values may be any UTF-8 text. */
  metadata?: Record<string, string>;
  /**
   * true (default): compute the body's MD5, send it as `ETag` (buffers) so Swift verifies it, and compare it
   * with the ETag Swift returns (streams are hashed while they are sent). A string: the expected MD5 (hex).
   * false: no check.
   */
  etag?: boolean | string;
}

export interface GetObjectOptions extends RequestOptions {
  /** Return the body as a stream instead of a Buffer. */
  stream?: boolean;
}

export interface MetadataOptions extends RequestOptions {
  metadata?: Record<string, string>;
}

export interface ObjectInfo {
  /** All response headers, names in lower case. */
  headers: Record<string, string>;
  /** `X-Object-Meta-*` headers without the prefix, keys in lower case. */
  metadata: Record<string, string>;
  contentType?: string;
  etag?: string;
  contentLength?: number;
  lastModified?: Date;
}

export interface SwiftObject<B extends Buffer | Readable = Buffer | Readable> extends ObjectInfo {
  body: B;
}

export interface PutObjectResult {
  etag: string;
  headers: Record<string, string>;
  lastModified?: Date;
}

export interface ContainerInfo {
  headers: Record<string, string>;
  /** `X-Container-Meta-*` headers without the prefix, keys in lower case. */
  metadata: Record<string, string>;
  objectCount: number;
  bytesUsed: number;
}

export interface AccountInfo {
  headers: Record<string, string>;
  /** `X-Account-Meta-*` headers without the prefix, keys in lower case. */
  metadata: Record<string, string>;
  containerCount: number;
  objectCount: number;
  bytesUsed: number;
}

export interface ListContainersOptions extends RequestOptions {
  prefix?: string;
  marker?: string;
  endMarker?: string;
  /** Page size: items fetched per request. All pages are always followed. */
  limit?: number;
}

export interface ListObjectsOptions extends ListContainersOptions {
  delimiter?: string;
}

export interface ContainerEntry {
  name: string;
  count: number;
  bytes: number;
  lastModified?: string;
}

export interface ObjectEntry {
  name: string;
  bytes: number;
  hash: string;
  contentType: string;
  lastModified: string;
}

/** A "directory" in a delimiter listing. */
export interface SubdirEntry {
  subdir: string;
}
