/**
 * An in-memory OpenStack Swift for `testService`: what `this.cloud.swift(name)` gives a service. Borrowed
 * clients are Wharf's own `PooledSwiftClient` (so `createMissingContainers` and the clear 404 for a missing
 * container behave as on a server) over an in-memory store; every put is recorded.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SwiftError, type SwiftClient } from '../../connectors/swift/client.js';
import type { SwiftConnection } from '../../outgoing/swift/connection.js';
import { PooledSwiftClient } from '../../outgoing/swift/pooled-client.js';

type Body = Buffer | string | Uint8Array | Readable;

export interface SwiftPut {
  readonly container: string;
  readonly name: string;
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  /** The body as UTF-8 text. */
  text(): string;
}

interface Stored {
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  etag: string;
  lastModified: Date;
}

export interface FakeSwiftOptions {
  /** The connection's name in error messages (default: the name the test gives it under `cloud.swift`). */
  name?: string;
  /** As the connection setting: a put into a missing container creates it (default true). */
  createMissingContainers?: boolean;
  /** Containers and objects present at the start: `{ CRM: { 'a.txt': 'hello' } }` (`{}` = an empty container). */
  containers?: Readonly<Record<string, Readonly<Record<string, string | Buffer>>>>;
}

/** The recorder and store of a fake Swift connection; `this.cloud.swift(name)` returns its `connection`. */
export interface FakeSwift {
  readonly kind: 'swift';
  /** Every successful `putObject`, in order. */
  readonly puts: readonly SwiftPut[];
  /** Object names per container, now. */
  containers(): Record<string, string[]>;
  /** An object's body as stored now, or undefined. */
  object(container: string, name: string): Buffer | undefined;
  /** @internal what the service sees */
  connection(name: string): SwiftConnection;
}

async function bytesOf(body: Body): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** The part of SwiftClient that PooledSwiftClient calls, over Maps. */
class MemorySwift {
  readonly store = new Map<string, Map<string, Stored>>();
  readonly puts: SwiftPut[] = [];

  constructor(public connectionName: string) {}

  private missing(operation: string, container: string, object?: string): SwiftError {
    const what = object === undefined ? container : `${container}/${object}`;
    return new SwiftError({
      connectionName: this.connectionName,
      operation,
      container,
      ...(object === undefined ? {} : { object }),
      httpStatus: 404,
      summary: `${operation} ${what} failed: HTTP 404 Not Found`,
    });
  }

  private bucket(operation: string, container: string, object?: string): Map<string, Stored> {
    const c = this.store.get(container);
    if (!c) throw this.missing(operation, container, object);
    return c;
  }

  private stored(operation: string, container: string, name: string): Stored {
    const o = this.bucket(operation, container, name).get(name);
    if (!o) throw this.missing(operation, container, name);
    return o;
  }

  private info(o: Stored): {
    headers: Record<string, string>;
    metadata: Record<string, string>;
    contentType: string;
    etag: string;
    contentLength: number;
    lastModified: Date;
  } {
    return {
      headers: { 'content-type': o.contentType, etag: o.etag },
      metadata: { ...o.metadata },
      contentType: o.contentType,
      etag: o.etag,
      contentLength: o.body.length,
      lastModified: o.lastModified,
    };
  }

  async putObject(
    container: string,
    name: string,
    body: Body,
    options: { contentType?: string; metadata?: Record<string, string> } = {},
  ) {
    const bucket = this.bucket('put_object', container, name);
    const bytes = await bytesOf(body);
    const etag = md5(bytes);
    const metadata = { ...(options.metadata ?? {}) };
    bucket.set(name, {
      body: bytes,
      contentType: options.contentType ?? 'application/octet-stream',
      metadata,
      etag,
      lastModified: new Date(),
    });
    this.puts.push({
      container,
      name,
      body: bytes,
      contentType: options.contentType,
      metadata,
      text: () => bytes.toString('utf8'),
    });
    return { etag, headers: { etag } };
  }

  async getObject(container: string, name: string, options: { stream?: boolean } = {}) {
    const o = this.stored('get_object', container, name);
    return {
      ...this.info(o),
      body: options.stream ? Readable.from([o.body]) : Buffer.from(o.body),
    };
  }

  async headObject(container: string, name: string) {
    return this.info(this.stored('head_object', container, name));
  }

  async deleteObject(container: string, name: string) {
    this.stored('delete_object', container, name);
    this.store.get(container)!.delete(name);
  }

  async postObject(container: string, name: string, metadata: Record<string, string>) {
    this.stored('post_object', container, name).metadata = { ...metadata };
  }

  async copyObject(
    srcContainer: string,
    srcName: string,
    dstContainer: string,
    dstName: string,
    options: { metadata?: Record<string, string> } = {},
  ) {
    const src = this.stored('copy_object', srcContainer, srcName);
    const dst = this.bucket('copy_object', dstContainer, dstName);
    dst.set(dstName, {
      ...src,
      metadata: { ...src.metadata, ...(options.metadata ?? {}) },
      lastModified: new Date(),
    });
    return { etag: src.etag, headers: { etag: src.etag } };
  }

  async putContainer(name: string) {
    if (!this.store.has(name)) this.store.set(name, new Map());
  }

  async deleteContainer(name: string) {
    const c = this.bucket('delete_container', name);
    if (c.size > 0) {
      throw new SwiftError({
        connectionName: this.connectionName,
        operation: 'delete_container',
        container: name,
        httpStatus: 409,
        summary: `delete_container ${name} failed: HTTP 409 Conflict (not empty)`,
      });
    }
    this.store.delete(name);
  }

  async headContainer(name: string) {
    const c = this.bucket('head_container', name);
    let bytes = 0;
    for (const o of c.values()) bytes += o.body.length;
    return { headers: {}, metadata: {}, objectCount: c.size, bytesUsed: bytes };
  }

  async headAccount() {
    let objects = 0;
    let bytes = 0;
    for (const c of this.store.values()) {
      objects += c.size;
      for (const o of c.values()) bytes += o.body.length;
    }
    return {
      headers: {},
      metadata: {},
      containerCount: this.store.size,
      objectCount: objects,
      bytesUsed: bytes,
    };
  }

  async *listContainers(options: { prefix?: string } = {}) {
    for (const [name, c] of [...this.store.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (options.prefix && !name.startsWith(options.prefix)) continue;
      let bytes = 0;
      for (const o of c.values()) bytes += o.body.length;
      yield { name, count: c.size, bytes };
    }
  }

  async *listObjects(container: string, options: { prefix?: string } = {}) {
    const c = this.bucket('list_objects', container);
    for (const name of [...c.keys()].sort()) {
      if (options.prefix && !name.startsWith(options.prefix)) continue;
      const o = c.get(name)!;
      yield {
        name,
        bytes: o.body.length,
        hash: o.etag,
        contentType: o.contentType,
        lastModified: o.lastModified.toISOString(),
      };
    }
  }

  invalidateTokenForTests(): void {}
}

/** A fake Swift connection: `cloud: { swift: { 'Invoice Dispatcher': fakeSwift() } }`. */
export function fakeSwift(options: FakeSwiftOptions = {}): FakeSwift {
  const mem = new MemorySwift(options.name ?? 'swift');
  for (const [c, objects] of Object.entries(options.containers ?? {})) {
    const bucket = new Map<string, Stored>();
    for (const [o, body] of Object.entries(objects)) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      bucket.set(o, {
        body: bytes,
        contentType: 'application/octet-stream',
        metadata: {},
        etag: md5(bytes),
        lastModified: new Date(),
      });
    }
    mem.store.set(c, bucket);
  }
  const createMissing = options.createMissingContainers ?? true;
  let inUse = 0;
  const borrow = (): PooledSwiftClient => {
    inUse++;
    return new PooledSwiftClient({
      client: mem as unknown as SwiftClient,
      createMissingContainers: () => createMissing,
      outcome: () => undefined,
      giveBack: () => void inUse--,
    });
  };
  const conn = {
    get name() {
      return mem.connectionName;
    },
    client: async () => borrow(),
    async withClient<T>(fn: (client: PooledSwiftClient) => Promise<T> | T): Promise<T> {
      const client = borrow();
      try {
        return await fn(client);
      } finally {
        client.release();
      }
    },
    stats: () => ({
      size: 1,
      inUse,
      idle: inUse > 0 ? 0 : 1,
      waiting: 0,
      inUseOnRetiredPools: 0,
    }),
  };
  return {
    kind: 'swift',
    puts: mem.puts,
    containers() {
      const out: Record<string, string[]> = {};
      for (const [c, objects] of mem.store) out[c] = [...objects.keys()].sort();
      return out;
    },
    object(container, name) {
      return mem.store.get(container)?.get(name)?.body;
    },
    connection(name) {
      if (options.name === undefined) mem.connectionName = name;
      return conn as unknown as SwiftConnection;
    },
  };
}
