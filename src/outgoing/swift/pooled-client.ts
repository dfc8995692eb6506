/**
 * What `client()` hands a service: one SwiftClient of the pool, borrowed until `release()` (or the end of
 * an `await using` block). It offers the client's operations, adds `createMissingContainers` and a clear
 * 404 for a missing container, and refuses to be used once returned.
 */
import type { Readable } from 'node:stream';
import {
  type SwiftClient,
  SwiftError,
  type AccountInfo,
  type ContainerEntry,
  type ContainerInfo,
  type GetObjectOptions,
  type ListContainersOptions,
  type ListObjectsOptions,
  type MetadataOptions,
  type ObjectEntry,
  type ObjectInfo,
  type PutObjectOptions,
  type PutObjectResult,
  type RequestOptions,
  type SubdirEntry,
  type SwiftBody,
  type SwiftObject,
} from '../../connectors/swift/client.js';

/** How a borrowed client reaches back to its pool. */
export interface Borrow {
  readonly client: SwiftClient;
  /** Read on every put: the connection's current setting. */
  createMissingContainers(): boolean;
  /** Each operation's outcome, for the connection's health. */
  outcome(error: unknown): void;
  /** Returns the client to the pool it came from; called once. */
  giveBack(): void;
}

function isStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}

export class PooledSwiftClient implements AsyncDisposable {
  private borrow: Borrow | undefined;
  readonly connectionName: string;

  constructor(borrow: Borrow) {
    this.borrow = borrow;
    this.connectionName = borrow.client.connectionName;
  }

  /** False once the client went back to the pool. */
  get borrowed(): boolean {
    return this.borrow !== undefined;
  }

  /** Returns the client to the pool. Idempotent; the object must not be used afterwards. */
  release(): void {
    const b = this.borrow;
    this.borrow = undefined;
    b?.giveBack();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  // ---- objects

  /**
   * Stores an object. A missing container is a 404 error naming it, or, when the connection has
   * `createMissingContainers`, is created and the put retried.
   */
  async putObject(
    container: string,
    name: string,
    body: SwiftBody,
    options?: PutObjectOptions,
  ): Promise<PutObjectResult> {
    const b = this.current();
    const createMissing = b.createMissingContainers();
    return this.track(b, async () => {
      // a stream cannot be sent twice: make sure of the container first
      if (createMissing && isStream(body)) await this.ensureContainer(b.client, container);
      try {
        return await b.client.putObject(container, name, body, options);
      } catch (e) {
        if (!(e instanceof SwiftError && e.httpStatus === 404)) throw e;
        if (!createMissing || isStream(body)) throw missingContainer(e, container, name);
        await b.client.putContainer(container);
        return await b.client.putObject(container, name, body, options);
      }
    });
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
  getObject(container: string, name: string, options?: GetObjectOptions): Promise<SwiftObject> {
    const b = this.current();
    return this.track(b, () => b.client.getObject(container, name, options));
  }

  headObject(container: string, name: string, options?: RequestOptions): Promise<ObjectInfo> {
    const b = this.current();
    return this.track(b, () => b.client.headObject(container, name, options));
  }

  deleteObject(container: string, name: string, options?: RequestOptions): Promise<void> {
    const b = this.current();
    return this.track(b, () => b.client.deleteObject(container, name, options));
  }

  /** Replaces the object's metadata (keys not given are removed). */
  postObject(
    container: string,
    name: string,
    metadata: Record<string, string>,
    options?: RequestOptions,
  ): Promise<void> {
    const b = this.current();
    return this.track(b, () => b.client.postObject(container, name, metadata, options));
  }

  /** Server-side copy; metadata given here is added to (or overrides) the source's. */
  copyObject(
    srcContainer: string,
    srcName: string,
    dstContainer: string,
    dstName: string,
    options?: MetadataOptions,
  ): Promise<PutObjectResult> {
    const b = this.current();
    return this.track(b, () => b.client.copyObject(srcContainer, srcName, dstContainer, dstName, options));
  }

  // ---- containers and account

  putContainer(name: string, options?: MetadataOptions): Promise<void> {
    const b = this.current();
    return this.track(b, () => b.client.putContainer(name, options));
  }

  /** Fails with HTTP 409 from Swift if the container is not empty. */
  deleteContainer(name: string, options?: RequestOptions): Promise<void> {
    const b = this.current();
    return this.track(b, () => b.client.deleteContainer(name, options));
  }

  headContainer(name: string, options?: RequestOptions): Promise<ContainerInfo> {
    const b = this.current();
    return this.track(b, () => b.client.headContainer(name, options));
  }

  headAccount(options?: RequestOptions): Promise<AccountInfo> {
    const b = this.current();
    return this.track(b, () => b.client.headAccount(options));
  }

  /** All containers of the account, page by page. Iterate it before releasing the client. */
  listContainers(options?: ListContainersOptions): AsyncIterable<ContainerEntry> {
    const b = this.current();
    return this.trackIterable(() => b.client.listContainers(options));
  }

  /** All objects of a container (and `subdir` entries with a delimiter). Iterate before releasing. */
  listObjects(container: string, options?: ListObjectsOptions): AsyncIterable<ObjectEntry | SubdirEntry> {
    const b = this.current();
    return this.trackIterable(() => b.client.listObjects(container, options));
  }

  /**
   * For tests: makes the cached token unknown to Swift, as after a Swift restart.
   * @internal
   */
  invalidateTokenForTests(): void {
    this.current().client.invalidateTokenForTests();
  }

  // ---- internals

  private current(): Borrow {
    if (!this.borrow) {
      throw new Error(
        `A client of Swift connection \`${this.connectionName}\` was used after it was returned to the pool`,
      );
    }
    return this.borrow;
  }

  private async track<T>(b: Borrow, op: () => Promise<T>): Promise<T> {
    try {
      const result = await op();
      b.outcome(undefined);
      return result;
    } catch (e) {
      b.outcome(e);
      throw e;
    }
  }

  private async *trackIterable<T>(open: () => AsyncIterable<T>): AsyncGenerator<T> {
    const b = this.current();
    try {
      for await (const item of open()) {
        if (!this.borrow) this.current(); // released while iterating: stop with a clear error
        yield item;
      }
      b.outcome(undefined);
    } catch (e) {
      b.outcome(e);
      throw e;
    }
  }

  private async ensureContainer(client: SwiftClient, container: string): Promise<void> {
    try {
      await client.headContainer(container);
    } catch (e) {
      if (!(e instanceof SwiftError && e.httpStatus === 404)) throw e;
      await client.putContainer(container);
    }
  }
}

function missingContainer(e: SwiftError, container: string, name: string): SwiftError {
  return new SwiftError({
    connectionName: e.connectionName,
    operation: 'put_object',
    container,
    object: name,
    httpStatus: 404,
    ...(e.swiftMessage === undefined ? {} : { swiftMessage: e.swiftMessage }),
    summary:
      `put_object ${container}/${name} failed: container \`${container}\` does not exist (HTTP 404); ` +
      'create it, or set createMissingContainers on the connection',
    cause: e,
  });
}
