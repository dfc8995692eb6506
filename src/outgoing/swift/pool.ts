/**
 * One generation of a connection's clients: `size` SwiftClients built from one set of settings. When the
 * settings change the connection starts a new generation and retires this one, which closes its clients
 * once the last borrowed one has come back.
 */
import { SwiftClient, type SwiftClientOptions } from '../../connectors/swift/client.js';

/** Sockets each client may open; a borrowed client is used by one service at a time, rarely in parallel. */
const CONNECTIONS_PER_CLIENT = 4;

export class ClientPool {
  readonly clients: readonly SwiftClient[];
  private readonly free: SwiftClient[];
  private readonly out = new Set<SwiftClient>();
  private retired = false;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private readonly whenDrained: Promise<void>;

  constructor(
    /** Identifies the settings this generation was built from. */
    readonly key: string,
    options: SwiftClientOptions,
    size: number,
  ) {
    this.clients = Array.from(
      { length: size },
      () => new SwiftClient({ connections: CONNECTIONS_PER_CLIENT, ...options }),
    );
    // LIFO: the most recently used client (warm token, open socket) goes out first
    this.free = [...this.clients].reverse();
    this.whenDrained = new Promise<void>((resolve) => (this.drained = resolve));
  }

  get size(): number {
    return this.clients.length;
  }

  get inUse(): number {
    return this.out.size;
  }

  get idle(): number {
    return this.free.length;
  }

  get isRetired(): boolean {
    return this.retired;
  }

  /** A free client, or undefined when all are borrowed (or the pool is retired). */
  take(): SwiftClient | undefined {
    if (this.retired) return undefined;
    const c = this.free.pop();
    if (c) this.out.add(c);
    return c;
  }

  /** Takes back a borrowed client. */
  give(client: SwiftClient): void {
    if (!this.out.delete(client)) return;
    this.free.push(client);
    if (this.retired && this.out.size === 0) this.drained?.();
  }

  /** No more borrows; resolves once every borrowed client is back and all are closed. */
  retire(): Promise<void> {
    this.retired = true;
    if (this.out.size === 0) this.drained?.();
    return this.whenDrained.then(() => this.close());
  }

  /** Closes every client now, borrowed or not. */
  close(): Promise<void> {
    this.retired = true;
    this.closing ??= Promise.allSettled(this.clients.map((c) => c.close())).then(() => undefined);
    return this.closing;
  }
}
