/**
 * A small OpenStack Swift client on undici: tempauth (v1.0) and Keystone v2/v3 authentication (auth.ts),
 * a cached token that is renewed once on 401, retries with capped exponential backoff, per-request
 * timeouts, and object, container and account operations. Every failure is a {@link SwiftError}
 * (errors.ts); the public types are in types.ts, wire encoding in wire.ts.
 */
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { WharfError } from '../../errors.js';
import { authenticate, authTarget } from './auth.js';
import {
  AttemptTimeout,
  describeError,
  errorCode,
  isConnectionError,
  NOT_REPLAYABLE,
  responseMessage,
  RETRYABLE_STATUS,
  SwiftError,
  type SwiftErrorInit,
} from './errors.js';
import type {
  AccountInfo,
  ContainerEntry,
  ContainerInfo,
  GetObjectOptions,
  ListContainersOptions,
  ListObjectsOptions,
  MetadataOptions,
  ObjectEntry,
  ObjectInfo,
  PutObjectOptions,
  PutObjectResult,
  RequestOptions,
  SubdirEntry,
  SwiftBody,
  SwiftClientOptions,
  SwiftObject,
} from './types.js';
import {
  date,
  EMPTY,
  encodeSwiftPath,
  flattenHeaders,
  hashingStream,
  isStream,
  md5,
  metadataOf,
  metaHeaders,
  num,
  objectInfo,
  query,
  unquote,
  type Exchange,
  type Outcome,
  type Reply,
  type Session,
  type StorageRequest,
  type Target,
} from './wire.js';

// The client's types, errors and option parsing, from their own modules: importers keep one path.
export type * from './types.js';
export { SwiftError, type SwiftErrorInit } from './errors.js';
export { parseCustomOptions } from './options.js';
export { encodeSwiftPath } from './wire.js';

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

  async putObject(
    container: string,
    name: string,
    body: SwiftBody,
    options: PutObjectOptions = {},
  ): Promise<PutObjectResult> {
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
    const reply = await this.storage(target, {
      method: 'PUT',
      path: this.objectPath(container, name),
      headers,
      body: sent,
      timeoutMs: options.timeoutMs,
    });
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

  getObject(
    container: string,
    name: string,
    options: GetObjectOptions & { stream: true },
  ): Promise<SwiftObject<Readable>>;
  getObject(
    container: string,
    name: string,
    options?: GetObjectOptions & { stream?: false },
  ): Promise<SwiftObject<Buffer>>;
  getObject(container: string, name: string, options?: GetObjectOptions): Promise<SwiftObject>;
  async getObject(container: string, name: string, options: GetObjectOptions = {}): Promise<SwiftObject> {
    const reply = await this.storage(
      { operation: 'get_object', container, object: name },
      {
        method: 'GET',
        path: this.objectPath(container, name),
        headers: options.headers,
        stream: options.stream === true,
        timeoutMs: options.timeoutMs,
      },
    );
    return { ...objectInfo(reply.headers), body: reply.stream ?? reply.data };
  }

  async headObject(container: string, name: string, options: RequestOptions = {}): Promise<ObjectInfo> {
    const reply = await this.storage(
      { operation: 'head_object', container, object: name },
      {
        method: 'HEAD',
        path: this.objectPath(container, name),
        headers: options.headers,
        timeoutMs: options.timeoutMs,
      },
    );
    return objectInfo(reply.headers);
  }

  async deleteObject(container: string, name: string, options: RequestOptions = {}): Promise<void> {
    await this.storage(
      { operation: 'delete_object', container, object: name },
      {
        method: 'DELETE',
        path: this.objectPath(container, name),
        headers: options.headers,
        timeoutMs: options.timeoutMs,
      },
    );
  }

  /** Replaces the object's metadata (Swift's POST semantics: keys not given are removed). */
  async postObject(
    container: string,
    name: string,
    metadata: Record<string, string>,
    options: RequestOptions = {},
  ): Promise<void> {
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
      else
        yield {
          name: raw.name,
          bytes: raw.bytes,
          hash: raw.hash,
          contentType: raw.content_type,
          lastModified: raw.last_modified,
        };
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
      const reply = await this.storage(target, {
        method: 'GET',
        path: `${path}${q}`,
        headers: options.headers,
        timeoutMs: options.timeoutMs,
      });
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
    if (reason && swiftMessage.startsWith(reason))
      swiftMessage = swiftMessage.slice(reason.length).replace(/^[\s:.]+/, '');
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
    const session = await authenticate({
      opts: this.opts,
      request: (method, url, headers, body) => this.authRequest(method, url, headers, body),
      failure: (reason, reply, cause) => this.authFailure(reason, reply, cause),
    });
    this.session = session;
    return session;
  }

  /** An auth response that is 2xx but unusable. */
  private authFailure(reason: string, reply: Reply, cause?: unknown): SwiftError {
    const target = authTarget(this.opts);
    return this.error(target, { summary: `${this.head(target)}: ${reason}`, httpStatus: reply.status, cause });
  }

  /** Sends an auth request (with retries); non-2xx replies become auth failures. */
  private async authRequest(
    method: Dispatcher.HttpMethod,
    url: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Reply> {
    const u = new URL(url);
    const target = authTarget(this.opts);
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

  private validate(): void {
    const o = this.opts;
    const problems: string[] = [];
    if (!o.authUrl) problems.push('authUrl is required');
    else if (!URL.canParse(o.authUrl)) problems.push(`authUrl \`${o.authUrl}\` is not a URL`);
    if (!o.user) problems.push('user is required');
    if (![1, 2, 3].includes(o.authVersion))
      problems.push(`authVersion must be 1, 2 or 3, not ${String(o.authVersion)}`);
    if (o.authVersion !== 1 && !(o.project ?? o.tenantName)) problems.push('Keystone auth needs project (tenantName)');
    for (const k of ['retries', 'startingBackoffMs', 'maxBackoffMs'] as const) {
      if (!(Number.isFinite(o[k]) && o[k] >= 0)) problems.push(`${k} must be a number >= 0`);
    }
    if (!(Number.isFinite(o.timeoutMs) && o.timeoutMs > 0)) problems.push('timeoutMs must be a number > 0');
    if (problems.length) {
      throw new WharfError('WHARF_ERR_CONFIG_INVALID', [
        `Swift connection \`${o.connectionName}\`: ${problems.join('; ')}`,
      ]);
    }
  }
}
