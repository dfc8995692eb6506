/**
 * A small OpenStack Swift client on undici: tempauth (v1.0) and Keystone v2/v3 authentication, a cached
 * token that is renewed once on 401, retries with capped exponential backoff, per-request timeouts, and
 * object, container and account operations. Every failure is a {@link SwiftError}.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Readable, Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { WharfError, type ErrorCode } from '../../errors.js';

// ---------------------------------------------------------------------------------------------------------
// Public types

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

// ---------------------------------------------------------------------------------------------------------
// Errors

export interface SwiftErrorInit {
  connectionName: string;
  /** `put_object`, `get_object`, ..., or `auth`. */
  operation: string;
  container?: string;
  object?: string;
  /** Swift's HTTP status; undefined for network errors and timeouts. */
  httpStatus?: number;
  /** Swift's response body, trimmed. */
  swiftMessage?: string;
  /** The message after "Swift connection `<name>`: ". */
  summary: string;
  timeout?: boolean;
  retryable?: boolean;
  cause?: unknown;
}

/** Any failure of a {@link SwiftClient} call: HTTP 502 (404 for Swift's 404), 504 for timeouts. */
export class SwiftError extends WharfError {
  readonly connectionName: string;
  readonly operation: string;
  readonly container?: string;
  readonly object?: string;
  readonly httpStatus?: number;
  readonly swiftMessage?: string;
  override readonly retryable: boolean;

  constructor(init: SwiftErrorInit) {
    const code: ErrorCode = init.timeout ? 'WHARF_ERR_UPSTREAM_TIMEOUT' : 'WHARF_ERR_UPSTREAM';
    super(code, [`Swift connection \`${init.connectionName}\`: ${init.summary}`], {
      cause: init.cause,
      ...(init.httpStatus === 404 ? { status: 404 } : {}),
      details: {
        connection: init.connectionName,
        operation: init.operation,
        ...(init.container === undefined ? {} : { container: init.container }),
        ...(init.object === undefined ? {} : { object: init.object }),
        ...(init.httpStatus === undefined ? {} : { httpStatus: init.httpStatus }),
      },
    });
    this.name = 'SwiftError';
    this.connectionName = init.connectionName;
    this.operation = init.operation;
    this.retryable = init.retryable ?? init.timeout ?? false;
    if (init.container !== undefined) this.container = init.container;
    if (init.object !== undefined) this.object = init.object;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.swiftMessage !== undefined) this.swiftMessage = init.swiftMessage;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** Parses `key=value` lines (blank lines and `#` comments are skipped) into a record. */
export function parseCustomOptions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`Line ${i + 1}: expected key=value, got \`${line}\``]);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return out;
}

/** Encodes an object name per path segment: `/` stays, and `.`/`..` segments are encoded too. */
export function encodeSwiftPath(name: string): string {
  return name
    .split('/')
    .map((seg) => (seg === '.' || seg === '..' ? seg.replaceAll('.', '%2E') : encodeURIComponent(seg)))
    .join('/');
}

const RETRYABLE_STATUS = new Set([429, 498]);
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);
const NOT_REPLAYABLE = 'not retried: the request body is a stream and cannot be replayed';
const MESSAGE_LIMIT = 500;
const EMPTY = Buffer.alloc(0);

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, cause } = e as { code?: unknown; cause?: unknown };
  return typeof code === 'string' ? code : cause === undefined ? undefined : errorCode(cause);
}

function isConnectionError(e: unknown): boolean {
  const code = errorCode(e);
  return code !== undefined && CONNECTION_ERROR_CODES.has(code);
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = errorCode(e);
  const msg = e.message || e.name;
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

function isStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}

function md5(body: string | Uint8Array): string {
  return createHash('md5').update(body).digest('hex');
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1');
}

/** Header values are latin1 on the wire; Swift metadata is UTF-8, so its bytes are sent and read as such. */
function toWire(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}
function fromWire(value: string): string {
  return /^[\x00-\x7f]*$/.test(value) ? value : Buffer.from(value, 'latin1').toString('utf8');
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function metaHeaders(kind: 'Object' | 'Container', metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata ?? {})) out[`X-${kind}-Meta-${k}`] = toWire(v);
  return out;
}

function metadataOf(headers: Record<string, string>, kind: 'object' | 'container' | 'account'): Record<string, string> {
  const prefix = `x-${kind}-meta-`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = fromWire(v);
  return out;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function date(v: string | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function objectInfo(headers: Record<string, string>): ObjectInfo {
  const info: ObjectInfo = { headers, metadata: metadataOf(headers, 'object') };
  const contentType = headers['content-type'];
  const etag = unquote(headers['etag']);
  const contentLength = num(headers['content-length']);
  const lastModified = date(headers['last-modified']);
  if (contentType !== undefined) info.contentType = contentType;
  if (etag !== undefined) info.etag = etag;
  if (contentLength !== undefined) info.contentLength = contentLength;
  if (lastModified !== undefined) info.lastModified = lastModified;
  return info;
}

/** Swift's error bodies are short text or a bit of HTML; reduce them to one trimmed line. */
function responseMessage(data: Buffer): string {
  const text = data
    .subarray(0, 8192)
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}

function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

// ---------------------------------------------------------------------------------------------------------
// The client

/** What an operation is about, for error messages. */
interface Target {
  operation: string;
  container?: string;
  object?: string;
  /** Overrides "<operation> <container>/<object> failed" in messages. */
  head?: string;
}

/** One HTTP exchange, described once and sent one or more times. */
interface Exchange {
  method: Dispatcher.HttpMethod;
  origin: string;
  /** Encoded path plus query string. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | Readable;
  /** Return a 2xx response body as a stream. */
  stream?: boolean;
  timeoutMs: number;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  /** The body, unless it is streamed. */
  data: Buffer;
  stream?: Readable;
}

/** How a retried exchange ended when it did not succeed in the end. */
interface Outcome {
  reply: Reply;
  note?: string;
}

/** A storage request relative to the storage URL. */
interface StorageRequest {
  method: Dispatcher.HttpMethod;
  /** Encoded path below the storage URL (`''`, `/container` or `/container/object`) plus query. */
  path: string;
  headers?: Record<string, string> | undefined;
  body?: string | Uint8Array | Readable;
  stream?: boolean;
  timeoutMs?: number | undefined;
}

interface Session {
  token: string;
  origin: string;
  basePath: string;
  /** ms since epoch; the token is renewed shortly before. */
  expiresAt?: number;
}

class AttemptTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no response within ${ms} ms`);
  }
}

export class SwiftClient implements AsyncDisposable {
  readonly connectionName: string;
  private readonly opts: Required<
    Pick<SwiftClientOptions, 'authVersion' | 'retries' | 'startingBackoffMs' | 'maxBackoffMs' | 'timeoutMs'>
  > &
    SwiftClientOptions;
  private readonly agent: Agent;
  private session: Session | undefined;
  private pendingLogin: Promise<Session> | undefined;
  private closed = false;

  constructor(options: SwiftClientOptions) {
    this.opts = {
      ...options,
      authVersion: options.authVersion ?? 1,
      retries: options.retries ?? 5,
      startingBackoffMs: options.startingBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 64000,
      timeoutMs: options.timeoutMs ?? 30000,
    };
    this.connectionName = options.connectionName;
    this.validate();
    this.agent = new Agent({
      connections: options.connections ?? 10,
      connect: {
        rejectUnauthorized: options.validateCert ?? true,
        ...(options.ca ? { ca: options.ca } : {}),
      },
    });
  }

  // ---- objects

  async putObject(container: string, name: string, body: SwiftBody, options: PutObjectOptions = {}): Promise<PutObjectResult> {
    const target = { operation: 'put_object', container, object: name };
    const headers: Record<string, string> = { ...metaHeaders('Object', options.metadata), ...options.headers };
    if (options.contentType) headers['Content-Type'] = options.contentType;
    const check = options.etag ?? true;
    let expected = typeof check === 'string' ? check.toLowerCase() : undefined;
    let sent: string | Uint8Array | Readable = body;
    let streamHash: (() => string) | undefined;
    if (isStream(body)) {
      if (check === true) ({ stream: sent, digest: streamHash } = hashingStream(body));
    } else if (check === true) {
      expected = md5(body);
    }
    if (expected) headers['ETag'] = expected;
    const reply = await this.storage(target, { method: 'PUT', path: this.objectPath(container, name), headers, body: sent, timeoutMs: options.timeoutMs });
    const etag = unquote(reply.headers['etag']) ?? '';
    expected ??= streamHash?.();
    // 202: Swift already holds a newer write of this object (concurrent PUTs); ours was accepted but
    // superseded, and there is no ETag to compare
    if (expected && reply.status !== 202 && etag.toLowerCase() !== expected) {
      throw this.error(target, {
        summary: `${this.head(target)}: ETag mismatch: the body's MD5 is ${expected}, Swift stored ${etag || '(no ETag)'}`,
        httpStatus: reply.status,
      });
    }
    const result: PutObjectResult = { etag, headers: reply.headers };
    const lastModified = date(reply.headers['last-modified']);
    if (lastModified) result.lastModified = lastModified;
    return result;
  }

  getObject(container: string, name: string, options: GetObjectOptions & { stream: true }): Promise<SwiftObject<Readable>>;
  getObject(container: string, name: string, options?: GetObjectOptions & { stream?: false }): Promise<SwiftObject<Buffer>>;
  getObject(container: string, name: string, options?: GetObjectOptions): Promise<SwiftObject>;
  async getObject(container: string, name: string, options: GetObjectOptions = {}): Promise<SwiftObject> {
    const reply = await this.storage(
      { operation: 'get_object', container, object: name },
      { method: 'GET', path: this.objectPath(container, name), headers: options.headers, stream: options.stream === true, timeoutMs: options.timeoutMs },
    );
    return { ...objectInfo(reply.headers), body: reply.stream ?? reply.data };
  }

  async headObject(container: string, name: string, options: RequestOptions = {}): Promise<ObjectInfo> {
    const reply = await this.storage(
      { operation: 'head_object', container, object: name },
      { method: 'HEAD', path: this.objectPath(container, name), headers: options.headers, timeoutMs: options.timeoutMs },
    );
    return objectInfo(reply.headers);
  }

  async deleteObject(container: string, name: string, options: RequestOptions = {}): Promise<void> {
    await this.storage(
      { operation: 'delete_object', container, object: name },
      { method: 'DELETE', path: this.objectPath(container, name), headers: options.headers, timeoutMs: options.timeoutMs },
    );
  }

  /** Replaces the object's metadata (Swift's POST semantics: keys not given are removed). */
  async postObject(container: string, name: string, metadata: Record<string, string>, options: RequestOptions = {}): Promise<void> {
    await this.storage(
      { operation: 'post_object', container, object: name },
      {
        method: 'POST',
        path: this.objectPath(container, name),
        headers: { ...metaHeaders('Object', metadata), ...options.headers },
        timeoutMs: options.timeoutMs,
      },
    );
  }

  /** Server-side copy; metadata given here is added to (or overrides) the source's. */
  async copyObject(
    srcContainer: string,
    srcName: string,
    dstContainer: string,
    dstName: string,
    options: MetadataOptions = {},
  ): Promise<PutObjectResult> {
    const reply = await this.storage(
      {
        operation: 'copy_object',
        container: srcContainer,
        object: srcName,
        head: `copy_object ${srcContainer}/${srcName} to ${dstContainer}/${dstName} failed`,
      },
      {
        method: 'PUT',
        path: this.objectPath(dstContainer, dstName),
        headers: {
          'X-Copy-From': `/${encodeURIComponent(srcContainer)}/${encodeSwiftPath(srcName)}`,
          'Content-Length': '0',
          ...metaHeaders('Object', options.metadata),
          ...options.headers,
        },
        timeoutMs: options.timeoutMs,
      },
    );
    const result: PutObjectResult = { etag: unquote(reply.headers['etag']) ?? '', headers: reply.headers };
    const lastModified = date(reply.headers['last-modified']);
    if (lastModified) result.lastModified = lastModified;
    return result;
  }

  // ---- containers

  async putContainer(name: string, options: MetadataOptions = {}): Promise<void> {
    await this.storage(
      { operation: 'put_container', container: name },
      {
        method: 'PUT',
        path: this.containerPath(name),
        headers: { ...metaHeaders('Container', options.metadata), ...options.headers },
        timeoutMs: options.timeoutMs,
      },
    );
  }

  /** Fails with HTTP 409 from Swift if the container is not empty. */
  async deleteContainer(name: string, options: RequestOptions = {}): Promise<void> {
    await this.storage(
      { operation: 'delete_container', container: name },
      { method: 'DELETE', path: this.containerPath(name), headers: options.headers, timeoutMs: options.timeoutMs },
    );
  }

  async headContainer(name: string, options: RequestOptions = {}): Promise<ContainerInfo> {
    const { headers } = await this.storage(
      { operation: 'head_container', container: name },
      { method: 'HEAD', path: this.containerPath(name), headers: options.headers, timeoutMs: options.timeoutMs },
    );
    return {
      headers,
      metadata: metadataOf(headers, 'container'),
      objectCount: num(headers['x-container-object-count']) ?? 0,
      bytesUsed: num(headers['x-container-bytes-used']) ?? 0,
    };
  }

  /** All containers of the account, fetched page by page. */
  async *listContainers(options: ListContainersOptions = {}): AsyncIterable<ContainerEntry> {
    type Raw = { name: string; count: number; bytes: number; last_modified?: string };
    for await (const raw of this.pages<Raw>({ operation: 'list_containers' }, '', options)) {
      const entry: ContainerEntry = { name: raw.name, count: raw.count, bytes: raw.bytes };
      if (raw.last_modified !== undefined) entry.lastModified = raw.last_modified;
      yield entry;
    }
  }

  /** All objects of a container (and `subdir` entries when `delimiter` is set), fetched page by page. */
  async *listObjects(container: string, options: ListObjectsOptions = {}): AsyncIterable<ObjectEntry | SubdirEntry> {
    type Raw = { name: string; bytes: number; hash: string; content_type: string; last_modified: string } | SubdirEntry;
    const target = { operation: 'list_objects', container };
    for await (const raw of this.pages<Raw>(target, this.containerPath(container), options)) {
      if ('subdir' in raw) yield { subdir: raw.subdir };
      else yield { name: raw.name, bytes: raw.bytes, hash: raw.hash, contentType: raw.content_type, lastModified: raw.last_modified };
    }
  }

  // ---- account

  async headAccount(options: RequestOptions = {}): Promise<AccountInfo> {
    const { headers } = await this.storage(
      { operation: 'head_account' },
      { method: 'HEAD', path: '', headers: options.headers, timeoutMs: options.timeoutMs },
    );
    return {
      headers,
      metadata: metadataOf(headers, 'account'),
      containerCount: num(headers['x-account-container-count']) ?? 0,
      objectCount: num(headers['x-account-object-count']) ?? 0,
      bytesUsed: num(headers['x-account-bytes-used']) ?? 0,
    };
  }

  // ---- lifecycle

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.agent.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * For tests: replaces the cached token with one Swift does not know, as if Swift had restarted and
   * forgotten it, so the next request gets a 401 and must log in again.
   * @internal
   */
  invalidateTokenForTests(): void {
    if (this.session) this.session = { ...this.session, token: `AUTH_tk${'0'.repeat(32)}` };
  }

  // ---- internals: paths and listings

  private containerPath(container: string): string {
    return `/${encodeURIComponent(container)}`;
  }

  private objectPath(container: string, name: string): string {
    return `${this.containerPath(container)}/${encodeSwiftPath(name)}`;
  }

  /** "put_object CRM/Invoice failed": what error messages start with. */
  private head(t: Target): string {
    if (t.head) return t.head;
    const where = [t.container, t.object].filter((s) => s !== undefined).join('/');
    return `${where ? `${t.operation} ${where}` : t.operation} failed`;
  }

  /** Follows `marker` from page to page until a page is empty (or shorter than `limit`). */
  private async *pages<T extends { name: string } | SubdirEntry>(
    target: Target,
    path: string,
    options: ListObjectsOptions,
  ): AsyncGenerator<T> {
    let marker = options.marker;
    for (;;) {
      const q = query({
        format: 'json',
        prefix: options.prefix,
        delimiter: options.delimiter,
        marker,
        end_marker: options.endMarker,
        limit: options.limit,
      });
      const reply = await this.storage(target, { method: 'GET', path: `${path}${q}`, headers: options.headers, timeoutMs: options.timeoutMs });
      const page = this.parseListing<T>(target, reply);
      yield* page;
      const last = page.at(-1);
      if (!last || (options.limit !== undefined && page.length < options.limit)) return;
      const next = 'subdir' in last ? last.subdir : last.name;
      if (next === marker) return; // a server that ignores `marker` must not make this loop forever
      marker = next;
    }
  }

  private parseListing<T>(target: Target, reply: Reply): T[] {
    if (reply.status === 204 || reply.data.length === 0) return [];
    try {
      const parsed: unknown = JSON.parse(reply.data.toString('utf8'));
      if (Array.isArray(parsed)) return parsed as T[];
    } catch {
      // reported below
    }
    throw this.error(target, {
      summary: `${this.head(target)}: the listing is not a JSON array: ${responseMessage(reply.data)}`,
      httpStatus: reply.status,
    });
  }

  // ---- internals: requests, retries, errors

  /** A storage request with a valid token: re-authenticates once on 401; errors become SwiftErrors. */
  private async storage(target: Target, req: StorageRequest): Promise<Reply> {
    const replayable = !isStream(req.body);
    let reauthenticated = false;
    for (;;) {
      const session = await this.login();
      const exchange = (): Exchange => ({
        method: req.method,
        origin: session.origin,
        path: `${session.basePath}${req.path}`,
        headers: { ...this.opts.customHeaders, ...req.headers, 'X-Auth-Token': session.token },
        ...(req.body === undefined ? {} : { body: req.body }),
        stream: req.stream ?? false,
        timeoutMs: req.timeoutMs ?? this.opts.timeoutMs,
      });
      const { reply, note } = await this.sendWithRetries(target, exchange, replayable);
      if (reply.status === 401) {
        this.forget(session);
        if (!reauthenticated && replayable) {
          reauthenticated = true;
          continue;
        }
        throw this.httpError(target, reply, reauthenticated ? 'even after logging in again' : NOT_REPLAYABLE);
      }
      if (reply.status >= 300) throw this.httpError(target, reply, note);
      return reply;
    }
  }

  /**
   * Sends an exchange, retrying connection errors and 5xx/429/498 with backoff while the body can be
   * replayed. Returns the last reply (any status); throws SwiftErrors for timeouts and network errors.
   */
  private async sendWithRetries(target: Target, exchange: () => Exchange, replayable: boolean): Promise<Outcome> {
    const { retries } = this.opts;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw this.error(target, { summary: `${this.head(target)}: the client is closed` });
      const left = replayable ? retries - attempt : 0;
      const x = exchange();
      let reply: Reply;
      try {
        reply = await this.send(x);
      } catch (e) {
        if (e instanceof AttemptTimeout) {
          throw this.error(target, { summary: `${this.head(target)}: ${e.message}`, timeout: true, cause: e });
        }
        const connection = isConnectionError(e);
        if (connection && left > 0) {
          await this.backoff(attempt);
          continue;
        }
        const why = !connection ? '' : replayable ? ` (after ${attempt + 1} attempts)` : ` (${NOT_REPLAYABLE})`;
        throw this.error(target, {
          summary: `${this.head(target)}: ${x.method} ${x.origin}: ${describeError(e)}${why}`,
          retryable: connection,
          cause: e,
        });
      }
      if (reply.status < 500 && !RETRYABLE_STATUS.has(reply.status)) return { reply };
      if (left > 0) {
        await this.backoff(attempt, num(reply.headers['retry-after']));
        continue;
      }
      return { reply, note: replayable ? `after ${attempt + 1} attempts` : NOT_REPLAYABLE };
    }
  }

  /** One attempt. Rejects with AttemptTimeout when `timeoutMs` elapses first. */
  private async send(x: Exchange): Promise<Reply> {
    const timer = AbortSignal.timeout(x.timeoutMs);
    const abort = new AbortController();
    const onTimeout = (): void => abort.abort(new AttemptTimeout(x.timeoutMs));
    timer.addEventListener('abort', onTimeout, { once: true });
    try {
      const res = await this.agent.request({
        origin: x.origin,
        path: x.path,
        method: x.method,
        headers: x.headers,
        body: x.body ?? null,
        signal: abort.signal,
        headersTimeout: 0,
        bodyTimeout: x.timeoutMs,
        // undici closes the connection after every HEAD by default (for servers that wrongly send a body);
        // Swift does not, so keep it alive
        reset: false,
      });
      const headers = flattenHeaders(res.headers);
      if (x.stream && res.statusCode < 300) return { status: res.statusCode, headers, data: EMPTY, stream: res.body };
      const data = x.method === 'HEAD' ? (await res.body.dump(), EMPTY) : Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers, data };
    } catch (e) {
      if (timer.aborted || errorCode(e) === 'UND_ERR_BODY_TIMEOUT') throw new AttemptTimeout(x.timeoutMs);
      throw e;
    } finally {
      timer.removeEventListener('abort', onTimeout);
    }
  }

  private async backoff(attempt: number, retryAfterSeconds?: number): Promise<void> {
    const { startingBackoffMs, maxBackoffMs } = this.opts;
    const exp = Math.min(maxBackoffMs, startingBackoffMs * 2 ** attempt);
    const jittered = exp / 2 + (Math.random() * exp) / 2;
    const delay = Math.min(maxBackoffMs, Math.max(jittered, (retryAfterSeconds ?? 0) * 1000));
    await sleep(delay);
  }

  private error(target: Target, init: Omit<SwiftErrorInit, 'connectionName' | 'operation'>): SwiftError {
    return new SwiftError({
      connectionName: this.connectionName,
      operation: target.operation,
      ...(target.container === undefined ? {} : { container: target.container }),
      ...(target.object === undefined ? {} : { object: target.object }),
      ...init,
    });
  }

  private httpError(target: Target, reply: Reply, note?: string): SwiftError {
    const reason = STATUS_CODES[reply.status];
    const status = `HTTP ${reply.status}${reason ? ` ${reason}` : ''}`;
    // Swift's HTML bodies repeat the reason phrase ("<h1>Not Found</h1><p>The resource ..."): drop it
    let swiftMessage = responseMessage(reply.data);
    if (reason && swiftMessage.startsWith(reason)) swiftMessage = swiftMessage.slice(reason.length).replace(/^[\s:.]+/, '');
    return this.error(target, {
      summary: `${this.head(target)}: ${status}${swiftMessage ? `: ${swiftMessage}` : ''}${note ? ` (${note})` : ''}`,
      httpStatus: reply.status,
      retryable: reply.status >= 500 || RETRYABLE_STATUS.has(reply.status),
      ...(swiftMessage ? { swiftMessage } : {}),
    });
  }

  // ---- internals: authentication

  /** The cached session, or a new one; concurrent callers share one login. */
  private async login(): Promise<Session> {
    const s = this.session;
    if (s && (s.expiresAt === undefined || s.expiresAt - 30_000 > Date.now())) return s;
    if (!this.pendingLogin) {
      this.pendingLogin = this.authenticate().finally(() => {
        this.pendingLogin = undefined;
      });
    }
    return this.pendingLogin;
  }

  /** Drops the session a request was rejected with (unless another request already renewed it). */
  private forget(session: Session): void {
    if (this.session?.token === session.token) this.session = undefined;
  }

  private async authenticate(): Promise<Session> {
    const session =
      this.opts.authVersion === 1 ? await this.authV1() : this.opts.authVersion === 2 ? await this.authV2() : await this.authV3();
    this.session = session;
    return session;
  }

  private get authTarget(): Target {
    return { operation: 'auth', head: `authentication failed for user ${this.opts.user} at ${this.opts.authUrl}` };
  }

  /** An auth response that is 2xx but unusable. */
  private authFailure(reason: string, reply: Reply, cause?: unknown): SwiftError {
    const target = this.authTarget;
    return this.error(target, { summary: `${this.head(target)}: ${reason}`, httpStatus: reply.status, cause });
  }

  /** Sends an auth request (with retries); non-2xx replies become auth failures. */
  private async authRequest(method: Dispatcher.HttpMethod, url: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    const u = new URL(url);
    const target = this.authTarget;
    const { reply, note } = await this.sendWithRetries(
      target,
      () => ({
        method,
        origin: u.origin,
        path: `${u.pathname}${u.search}`,
        headers,
        ...(body === undefined ? {} : { body }),
        timeoutMs: this.opts.timeoutMs,
      }),
      true,
    );
    if (reply.status >= 300) throw this.httpError(target, reply, note);
    return reply;
  }

  private newSession(token: string | undefined, storageUrl: string | undefined, expiresAt: number | undefined, reply: Reply): Session {
    if (!token) throw this.authFailure('the response has no token', reply);
    if (!storageUrl) throw this.authFailure('the response has no storage URL', reply);
    let u: URL;
    try {
      u = new URL(storageUrl);
    } catch (e) {
      throw this.authFailure(`the storage URL \`${storageUrl}\` is invalid`, reply, e);
    }
    const session: Session = { token, origin: u.origin, basePath: u.pathname.replace(/\/+$/, '') };
    if (expiresAt !== undefined && Number.isFinite(expiresAt)) session.expiresAt = expiresAt;
    return session;
  }

  private async authV1(): Promise<Session> {
    const reply = await this.authRequest('GET', this.opts.authUrl, {
      'X-Auth-User': this.opts.user,
      'X-Auth-Key': this.opts.key,
    });
    const ttl = num(reply.headers['x-auth-token-expires']);
    return this.newSession(
      reply.headers['x-auth-token'] ?? reply.headers['x-storage-token'],
      reply.headers['x-storage-url'],
      ttl === undefined ? undefined : Date.now() + ttl * 1000,
      reply,
    );
  }

  private async authV2(): Promise<Session> {
    const url = /\/tokens\/?$/.test(this.opts.authUrl) ? this.opts.authUrl : `${this.opts.authUrl.replace(/\/+$/, '')}/tokens`;
    const body = JSON.stringify({
      auth: {
        tenantName: this.opts.project ?? this.opts.tenantName,
        passwordCredentials: { username: this.opts.user, password: this.opts.key },
      },
    });
    const reply = await this.authRequest('POST', url, { 'Content-Type': 'application/json', Accept: 'application/json' }, body);
    type V2 = {
      access?: {
        token?: { id?: string; expires?: string };
        serviceCatalog?: { type?: string; endpoints?: Record<string, string | undefined>[] }[];
      };
    };
    const access = this.json<V2>(reply).access;
    const iface = this.opts.endpointInterface ?? 'public';
    const endpoints = (access?.serviceCatalog ?? []).filter((s) => s.type === 'object-store').flatMap((s) => s.endpoints ?? []);
    const endpoint = endpoints.find((e) => !this.opts.region || e['region'] === this.opts.region);
    const storageUrl = endpoint?.[`${iface}URL`];
    if (!storageUrl) throw this.authFailure(this.noEndpoint(endpoints.map((e) => e['region'])), reply);
    return this.newSession(access?.token?.id, storageUrl, date(access?.token?.expires)?.getTime(), reply);
  }

  private async authV3(): Promise<Session> {
    const base = this.opts.authUrl.replace(/\/+$/, '');
    const url = base.endsWith('/auth/tokens') ? base : base.endsWith('/v3') ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
    const domain = this.opts.domain ?? 'Default';
    const body = JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: this.opts.user, domain: { name: this.opts.userDomain ?? domain }, password: this.opts.key } },
        },
        scope: {
          project: { name: this.opts.project ?? this.opts.tenantName, domain: { name: this.opts.projectDomain ?? domain } },
        },
      },
    });
    const reply = await this.authRequest('POST', url, { 'Content-Type': 'application/json', Accept: 'application/json' }, body);
    type V3 = {
      token?: {
        expires_at?: string;
        catalog?: { type?: string; endpoints?: { interface?: string; region?: string; region_id?: string; url?: string }[] }[];
      };
    };
    const token = this.json<V3>(reply).token;
    const iface = this.opts.endpointInterface ?? 'public';
    const region = this.opts.region;
    const endpoints = (token?.catalog ?? [])
      .filter((s) => s.type === 'object-store')
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.interface === iface);
    const endpoint = endpoints.find((e) => !region || e.region === region || e.region_id === region);
    if (!endpoint?.url) throw this.authFailure(this.noEndpoint(endpoints.map((e) => e.region ?? e.region_id)), reply);
    return this.newSession(reply.headers['x-subject-token'], endpoint.url, date(token?.expires_at)?.getTime(), reply);
  }

  private noEndpoint(regions: (string | undefined)[]): string {
    const iface = this.opts.endpointInterface ?? 'public';
    const where = this.opts.region ? ` in region ${this.opts.region}` : '';
    const known = [...new Set(regions.filter((r) => r !== undefined))];
    return `the catalog has no ${iface} object-store endpoint${where}${known.length ? ` (regions: ${known.join(', ')})` : ''}`;
  }

  private json<T>(reply: Reply): T {
    try {
      return JSON.parse(reply.data.toString('utf8')) as T;
    } catch (e) {
      throw this.authFailure(`the response is not JSON: ${responseMessage(reply.data)}`, reply, e);
    }
  }

  private validate(): void {
    const o = this.opts;
    const problems: string[] = [];
    if (!o.authUrl) problems.push('authUrl is required');
    else if (!URL.canParse(o.authUrl)) problems.push(`authUrl \`${o.authUrl}\` is not a URL`);
    if (!o.user) problems.push('user is required');
    if (![1, 2, 3].includes(o.authVersion)) problems.push(`authVersion must be 1, 2 or 3, not ${String(o.authVersion)}`);
    if (o.authVersion !== 1 && !(o.project ?? o.tenantName)) problems.push('Keystone auth needs project (tenantName)');
    for (const k of ['retries', 'startingBackoffMs', 'maxBackoffMs'] as const) {
      if (!(Number.isFinite(o[k]) && o[k] >= 0)) problems.push(`${k} must be a number >= 0`);
    }
    if (!(Number.isFinite(o.timeoutMs) && o.timeoutMs > 0)) problems.push('timeoutMs must be a number > 0');
    if (problems.length) {
      throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`Swift connection \`${o.connectionName}\`: ${problems.join('; ')}`]);
    }
  }
}

/** Passes a stream through unchanged while computing its MD5. */
function hashingStream(source: Readable): { stream: Readable; digest: () => string } {
  const hash = createHash('md5');
  let digest: string | undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  source.on('error', (e) => tap.destroy(e));
  source.pipe(tap);
  return { stream: tap, digest: () => (digest ??= hash.digest('hex')) };
}
