/**
 * Test rig for Wharf's HTTP/1.1 front on real sockets (used by its unit tests): an HttpFront with a
 * ChannelRouter, a test context with services, and the node:http fallback with Wharf's request listener
 * and client-error handler, exactly as a worker wires them; plus a raw-socket client that parses answers.
 */
import { createServer, type Server, type ServerOptions } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createTestContext, type TestContext, type TestService } from './connectors/context.js';
import { clientErrorHandler, createRequestListener } from '../../src/channels/http/handler.js';
import { httpChannelKind } from '../../src/channels/http/kind.js';
import { buildRoute } from '../../src/channels/http/route.js';
import { ChannelRouter } from '../../src/channels/http/router.js';
import { HttpFront, type FrontOptions } from '../../src/channels/http/front/front.js';

export interface Answer {
  status: number;
  head: string;
  headers: Record<string, string>;
  body: string;
}

export interface FrontRig {
  front: HttpFront;
  fallback: Server;
  ctx: TestContext;
  router: ChannelRouter<unknown>;
  port: number;
  /** Requests node:http's listener got (handed off by the front). */
  viaNode(): number;
  channel(fields: Record<string, unknown>): void;
  close(): Promise<void>;
}

export type RigOptions = Partial<Omit<FrontOptions, 'router' | 'hooks' | 'fallback'>> & {
  services?: Record<string, TestService>;
  /** node:http options of the fallback (its own deadlines). */
  node?: ServerOptions;
  /** Replaces Wharf's request listener on the fallback (after its checks are done by the caller). */
  listener?: Parameters<typeof createServer>[1];
};

export async function startFront(opts: RigOptions = {}): Promise<FrontRig> {
  const ctx = createTestContext({ services: opts.services ?? {} });
  const router = new ChannelRouter<unknown>();
  const logger = ctx.logger;
  const listener = opts.listener ?? createRequestListener({ router, logger });
  let viaNode = 0;
  const fallback = createServer({ keepAliveTimeout: 65_000, ...opts.node }, (req, res) => {
    viaNode++;
    listener(req, res);
  });
  fallback.on('clientError', clientErrorHandler(logger));
  const { services: _s, node: _n, listener: _l, ...frontOpts } = opts;
  const front = new HttpFront({
    keepAliveMs: 65_000,
    headersTimeoutMs: 60_000,
    ...frontOpts,
    router,
    hooks: { logger },
    fallback,
  });
  await front.listen(0, '127.0.0.1');
  const port = (front.server.address() as AddressInfo).port;
  return {
    front,
    fallback,
    ctx,
    router,
    port,
    viaNode: () => viaNode,
    channel(fields) {
      const config = httpChannelKind.schema.parse({ name: `ch-${String(fields['urlPath'])}`, ...fields });
      router.set(config.name, config.method, config.urlPath, buildRoute(config, ctx));
    },
    async close() {
      front.closeAll();
      await front.close();
    },
  };
}

/** Parses as many complete answers (Content-Length framed) as `data` holds. */
export function parseAnswers(data: Buffer, isHead = false): { done: Answer[]; rest: Buffer } {
  const done: Answer[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    const head = data.toString('latin1', at, end);
    const lines = head.split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1))
      headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
    const bodyLen = isHead ? 0 : Number(headers['content-length'] ?? 0);
    if (data.length < end + 4 + bodyLen) break;
    done.push({
      status: Number(lines[0]!.split(' ')[1]),
      head,
      headers,
      body: data.toString('utf8', end + 4, end + 4 + bodyLen),
    });
    at = end + 4 + bodyLen;
  }
  return { done, rest: data.subarray(at) };
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A raw HTTP/1.1 client: writes bytes as given, collects answers, notes when the server closes. */
export class RawClient {
  readonly socket: Socket;
  private data = Buffer.alloc(0);
  private got: Answer[] = [];
  closed = false;
  head = false;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      const r = parseAnswers(this.data, this.head);
      this.got.push(...r.done);
      this.data = Buffer.from(r.rest);
    });
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => undefined);
  }

  send(text: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  }

  /** Answers received and not yet taken. */
  get count(): number {
    return this.got.length;
  }

  async next(n = 1, ms = 5000): Promise<Answer[]> {
    const until = Date.now() + ms;
    while (this.got.length < n) {
      if (Date.now() > until)
        throw new Error(`expected ${n} answers, got ${this.got.length}; pending ${this.data.toString('latin1')}`);
      await tick(5);
    }
    return this.got.splice(0, n);
  }

  async waitClosed(ms = 5000): Promise<void> {
    const until = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > until) throw new Error('connection still open');
      await tick(5);
    }
  }
}
