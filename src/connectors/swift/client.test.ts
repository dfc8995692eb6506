import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { encodeSwiftPath, parseCustomOptions, SwiftClient, type SwiftClientOptions } from './client.js';
import { freePort } from '../../../test/support/net.js';
import { collect, readAll, swiftFailure as failure } from '../../../test/support/swift.js';

// ---------------------------------------------------------------------------------------------------------
// An in-process fake Swift: tempauth, Keystone v2/v3 token endpoints and a tiny object store in a Map.

interface StoredObject {
  body: Buffer;
  headers: Record<string, string>;
}

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Answers a request instead of the fake when it returns true. */
type Hook = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

class FakeSwift {
  readonly requests: Seen[] = [];
  readonly tokens = new Set<string>();
  readonly containers = new Map<string, Record<string, string>>();
  readonly objects = new Map<string, StoredObject>(); // key: `${container}\n${name}`
  readonly hooks: Hook[] = [];
  authCount = 0;
  /** Return a wrong ETag on object PUT. */
  corruptEtag = false;
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get authUrl(): string {
    return `${this.url}/auth/v1.0`;
  }

  /** Storage requests seen (auth requests excluded). */
  get storageRequests(): Seen[] {
    return this.requests.filter((r) => r.url.startsWith('/v1/'));
  }

  /** The next `n` storage requests get `status`. */
  failNext(n: number, status: number, headers: Record<string, string> = {}): void {
    let left = n;
    this.hooks.push((req, res) => {
      if (left <= 0 || !req.url?.startsWith('/v1/')) return false;
      left--;
      res.writeHead(status, headers).end(`injected ${status}`);
      return true;
    });
  }

  /** Forgets all tokens, like a Swift restart (tokens live in memcached). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    for (const hook of this.hooks) if (await hook(req, res)) return;
    const body = await readAll(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname === '/auth/v1.0') return this.tempauth(req, res);
    if (url.pathname === '/v3/auth/tokens' && req.method === 'POST') return this.keystoneV3(body, res);
    if (url.pathname === '/v2.0/tokens' && req.method === 'POST') return this.keystoneV2(body, res);
    // raw path segments: /v1/<account>/<container>/<object...>
    const segs = (req.url ?? '').split('?')[0]!.split('/').slice(2).map(decodeURIComponent);
    if (segs[0] === undefined || !segs[0].startsWith('AUTH_')) return void res.writeHead(404).end('no such path');
    const token = req.headers['x-auth-token'];
    if (typeof token !== 'string' || !this.tokens.has(token)) {
      return void res
        .writeHead(401)
        .end('<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized.</p></html>');
    }
    const [, container, ...rest] = segs;
    if (container === undefined || container === '') return this.account(req, url, res);
    if (rest.length === 0) return this.container(req, url, container, res);
    return this.object(req, container, rest.join('/'), body, res);
  }

  private tempauth(req: IncomingMessage, res: ServerResponse): void {
    this.authCount++;
    if (req.headers['x-auth-user'] !== 'test:tester' || req.headers['x-auth-key'] !== 'testing') {
      return void res
        .writeHead(401)
        .end('<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized.</p></html>');
    }
    const token = `AUTH_tk${this.authCount}`;
    this.tokens.add(token);
    res
      .writeHead(200, {
        'X-Auth-Token': token,
        'X-Storage-Url': `${this.url}/v1/AUTH_test`,
        'X-Auth-Token-Expires': '86400',
      })
      .end();
  }

  private keystoneV3(body: Buffer, res: ServerResponse): void {
    this.authCount++;
    const auth = JSON.parse(body.toString()) as {
      auth: {
        identity: { password: { user: { name: string; password: string; domain: { name: string } } } };
        scope: { project: { name: string } };
      };
    };
    const user = auth.auth.identity.password.user;
    if (
      user.name !== 'demo' ||
      user.password !== 'secret' ||
      user.domain.name !== 'Default' ||
      auth.auth.scope.project.name !== 'demo'
    ) {
      return void res
        .writeHead(401, { 'Content-Type': 'application/json' })
        .end('{"error":{"code":401,"message":"The request you have made requires authentication."}}');
    }
    const token = `ks3-${this.authCount}`;
    this.tokens.add(token);
    const endpoint = (iface: string, region: string, account: string): Record<string, string> => ({
      interface: iface,
      region,
      region_id: region,
      url: `${this.url}/v1/${account}`,
    });
    res.writeHead(201, { 'X-Subject-Token': token, 'Content-Type': 'application/json' }).end(
      JSON.stringify({
        token: {
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          catalog: [
            { type: 'identity', endpoints: [endpoint('public', 'RegionOne', 'identity')] },
            {
              type: 'object-store',
              endpoints: [
                endpoint('internal', 'RegionOne', 'AUTH_internal1'),
                endpoint('public', 'RegionOne', 'AUTH_public1'),
                endpoint('public', 'RegionTwo', 'AUTH_public2'),
              ],
            },
          ],
        },
      }),
    );
  }

  private keystoneV2(body: Buffer, res: ServerResponse): void {
    this.authCount++;
    const auth = JSON.parse(body.toString()) as {
      auth: { tenantName: string; passwordCredentials: { username: string; password: string } };
    };
    if (auth.auth.passwordCredentials.username !== 'demo' || auth.auth.passwordCredentials.password !== 'secret') {
      return void res.writeHead(401).end('{"error":{"code":401}}');
    }
    const token = `ks2-${this.authCount}`;
    this.tokens.add(token);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(
      JSON.stringify({
        access: {
          token: { id: token, expires: new Date(Date.now() + 3600_000).toISOString() },
          serviceCatalog: [
            {
              type: 'object-store',
              endpoints: [
                {
                  region: 'RegionOne',
                  publicURL: `${this.url}/v1/AUTH_v2one`,
                  internalURL: `${this.url}/v1/AUTH_v2int`,
                },
                { region: 'RegionTwo', publicURL: `${this.url}/v1/AUTH_v2two` },
              ],
            },
          ],
        },
      }),
    );
  }

  private account(req: IncomingMessage, url: URL, res: ServerResponse): void {
    if (req.method === 'HEAD') {
      return void res
        .writeHead(204, { 'X-Account-Container-Count': String(this.containers.size), 'X-Account-Meta-Tier': 'gold' })
        .end();
    }
    const prefix = url.searchParams.get('prefix') ?? '';
    const names = [...this.containers.keys()].filter((n) => n.startsWith(prefix)).sort();
    this.listing(
      url,
      names.map((name) => ({ name, count: this.names(name).length, bytes: 0 })),
      res,
    );
  }

  private container(req: IncomingMessage, url: URL, name: string, res: ServerResponse): void {
    const meta = this.containers.get(name);
    switch (req.method) {
      case 'PUT':
        this.containers.set(name, { ...meta, ...metaOf(req, 'x-container-meta-') });
        return void res.writeHead(meta ? 202 : 201).end();
      case 'DELETE':
        if (!meta) return notFound(res);
        if (this.names(name).length)
          return void res.writeHead(409).end('<html><h1>Conflict</h1><p>There was a conflict.</p></html>');
        this.containers.delete(name);
        return void res.writeHead(204).end();
      case 'HEAD':
        if (!meta) return notFound(res);
        return void res.writeHead(204, { ...meta, 'X-Container-Object-Count': String(this.names(name).length) }).end();
      case 'GET': {
        if (!meta) return notFound(res);
        const prefix = url.searchParams.get('prefix') ?? '';
        const delimiter = url.searchParams.get('delimiter');
        const items: ({ name: string } | { subdir: string })[] = [];
        for (const n of this.names(name).filter((n) => n.startsWith(prefix))) {
          const cut = delimiter ? n.indexOf(delimiter, prefix.length) : -1;
          if (cut < 0) items.push({ name: n, ...this.entry(name, n) });
          else if (!items.some((i) => 'subdir' in i && i.subdir === n.slice(0, cut + 1)))
            items.push({ subdir: n.slice(0, cut + 1) });
        }
        return this.listing(url, items, res);
      }
      default:
        res.writeHead(405).end();
    }
  }

  private object(req: IncomingMessage, container: string, name: string, body: Buffer, res: ServerResponse): void {
    const key = `${container}\n${name}`;
    const stored = this.objects.get(key);
    switch (req.method) {
      case 'PUT': {
        if (!this.containers.has(container)) return notFound(res);
        const from = req.headers['x-copy-from'];
        let source: StoredObject = { body, headers: {} };
        if (typeof from === 'string') {
          const [, c, ...o] = from.split('/').map(decodeURIComponent);
          const src = this.objects.get(`${c}\n${o.join('/')}`);
          if (!src) return notFound(res);
          source = { body: src.body, headers: { ...src.headers } };
        }
        const etag = md5(source.body);
        const headers = {
          ...source.headers,
          ...metaOf(req, 'x-object-meta-'),
          'content-type': req.headers['content-type'] ?? source.headers['content-type'] ?? 'application/octet-stream',
          etag,
        };
        this.objects.set(key, { body: source.body, headers });
        return void res.writeHead(201, { Etag: this.corruptEtag ? md5('something else') : etag }).end();
      }
      case 'POST':
        if (!stored) return notFound(res);
        stored.headers = {
          'content-type': stored.headers['content-type']!,
          etag: stored.headers['etag']!,
          ...metaOf(req, 'x-object-meta-'),
        };
        return void res.writeHead(202).end();
      case 'DELETE':
        if (!stored) return notFound(res);
        this.objects.delete(key);
        return void res.writeHead(204).end();
      case 'GET':
      case 'HEAD':
        if (!stored) return notFound(res);
        res.writeHead(200, {
          ...stored.headers,
          'Content-Length': String(stored.body.length),
          'Last-Modified': new Date(0).toUTCString(),
        });
        return void res.end(req.method === 'GET' ? stored.body : undefined);
      default:
        res.writeHead(405).end();
    }
  }

  private names(container: string): string[] {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(`${container}\n`))
      .map((k) => k.slice(container.length + 1))
      .sort();
  }

  private entry(container: string, name: string): Record<string, unknown> {
    const o = this.objects.get(`${container}\n${name}`)!;
    return {
      bytes: o.body.length,
      hash: o.headers['etag'],
      content_type: o.headers['content-type'],
      last_modified: '1970-01-01T00:00:00.000000',
    };
  }

  /** Swift's JSON listing semantics: names > marker, < end_marker, at most `limit` (default 10000). */
  private listing(url: URL, items: ({ name: string } | { subdir: string })[], res: ServerResponse): void {
    const marker = url.searchParams.get('marker') ?? '';
    const end = url.searchParams.get('end_marker');
    const limit = Number(url.searchParams.get('limit') ?? 10000);
    const keyOf = (i: { name: string } | { subdir: string }): string => ('subdir' in i ? i.subdir : i.name);
    const page = items.filter((i) => keyOf(i) > marker && (end === null || keyOf(i) < end)).slice(0, limit);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(page));
  }
}

function md5(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

function notFound(res: ServerResponse): void {
  res
    .writeHead(404, { 'Content-Type': 'text/html; charset=UTF-8' })
    .end('<html><h1>Not Found</h1><p>The resource could not be found.</p></html>');
}

function metaOf(req: IncomingMessage, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (k.startsWith(prefix) && typeof v === 'string') out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Partial<SwiftClientOptions> = {}): Promise<{ fake: FakeSwift; client: SwiftClient }> {
  const fake = await new FakeSwift().listen();
  cleanups.push(() => fake.close());
  const client = new SwiftClient({
    connectionName: 'Invoice Dispatcher',
    authUrl: fake.authUrl,
    user: 'test:tester',
    key: 'testing',
    startingBackoffMs: 5,
    maxBackoffMs: 20,
    ...options,
  });
  cleanups.push(() => client.close());
  fake.containers.set('CRM', {});
  return { fake, client };
}

describe('SwiftClient against a fake Swift', () => {
  it('logs in once and reuses the token', async () => {
    const { fake, client } = await setup();
    await client.putObject('CRM', 'a', 'x');
    await client.getObject('CRM', 'a');
    await client.headAccount();
    expect(fake.authCount).toBe(1);
    expect(new Set(fake.storageRequests.map((r) => r.headers['x-auth-token']))).toEqual(new Set(['AUTH_tk1']));
  });

  it('shares one login between concurrent requests', async () => {
    const { fake, client } = await setup();
    await Promise.all([client.headAccount(), client.headAccount(), client.headContainer('CRM')]);
    expect(fake.authCount).toBe(1);
  });

  it('re-authenticates once on 401 and retries the request', async () => {
    const { fake, client } = await setup();
    await client.putObject('CRM', 'a', 'one');
    fake.revokeTokens();
    const got = await client.getObject('CRM', 'a');
    expect(got.body.toString()).toBe('one');
    expect(fake.authCount).toBe(2);
    expect(fake.storageRequests.map((r) => r.headers['x-auth-token'])).toEqual(['AUTH_tk1', 'AUTH_tk1', 'AUTH_tk2']);
  });

  it('gives up when the new token is rejected too (only one re-authentication)', async () => {
    const { fake, client } = await setup();
    fake.hooks.push((req, res) => (req.url?.startsWith('/v1/') ? (res.writeHead(401).end('no'), true) : false));
    const err = await failure(client.headContainer('CRM'));
    expect(fake.authCount).toBe(2);
    expect(fake.storageRequests).toHaveLength(2);
    expect(err.httpStatus).toBe(401);
    expect(err.status).toBe(502);
    expect(err.message).toContain('even after logging in again');
  });

  it('retries 503 with backoff, then succeeds', async () => {
    const { fake, client } = await setup({ startingBackoffMs: 40, maxBackoffMs: 1000 });
    fake.failNext(2, 503);
    const t0 = performance.now();
    await client.headContainer('CRM');
    const elapsed = performance.now() - t0;
    expect(fake.storageRequests).toHaveLength(3);
    // backoff 40 ms then 80 ms, each jittered down to no less than half
    expect(elapsed).toBeGreaterThanOrEqual(55);
  });

  it('retries 429 and 498 as well', async () => {
    const { fake, client } = await setup();
    fake.failNext(1, 429);
    fake.failNext(1, 498);
    await client.headContainer('CRM');
    expect(fake.storageRequests).toHaveLength(3);
  });

  it('caps the backoff at maxBackoffMs', async () => {
    const { fake, client } = await setup({ retries: 3, startingBackoffMs: 10_000, maxBackoffMs: 30 });
    fake.failNext(3, 500);
    const t0 = performance.now();
    await client.headContainer('CRM');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(fake.storageRequests).toHaveLength(4);
  });

  it('stops after `retries` retries with the last status in the error', async () => {
    const { fake, client } = await setup({ retries: 2 });
    fake.failNext(10, 503);
    const err = await failure(client.putObject('CRM', 'Invoice', 'x'));
    expect(fake.storageRequests).toHaveLength(3);
    expect(err.httpStatus).toBe(503);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(
      'Swift connection `Invoice Dispatcher`: put_object CRM/Invoice failed: HTTP 503 Service Unavailable: injected 503 (after 3 attempts)',
    );
  });

  it('retries connection refused until Swift comes up', async () => {
    const port = await freePort();
    const client = new SwiftClient({
      connectionName: 'Late',
      authUrl: `http://127.0.0.1:${port}/auth/v1.0`,
      user: 'test:tester',
      key: 'testing',
      retries: 8,
      startingBackoffMs: 40,
      maxBackoffMs: 40,
    });
    cleanups.push(() => client.close());
    const pending = client.headAccount();
    await new Promise((r) => setTimeout(r, 60));
    const fake = await new FakeSwift().listen(port);
    cleanups.push(() => fake.close());
    await expect(pending).resolves.toMatchObject({ containerCount: 0 });
    expect(fake.authCount).toBe(1);
  });

  it('reports connection refused after the retries, naming the connection', async () => {
    const port = await freePort();
    const client = new SwiftClient({
      connectionName: 'Nowhere',
      authUrl: `http://127.0.0.1:${port}/auth/v1.0`,
      user: 'test:tester',
      key: 'testing',
      retries: 2,
      startingBackoffMs: 1,
    });
    cleanups.push(() => client.close());
    const err = await failure(client.headAccount());
    expect(err.httpStatus).toBeUndefined();
    expect(err.status).toBe(502);
    expect(err.retryable).toBe(true);
    expect(err.operation).toBe('auth');
    expect(err.message).toMatch(
      /^Swift connection `Nowhere`: authentication failed for user test:tester at http:\/\/127\.0\.0\.1:\d+\/auth\/v1\.0: .*ECONNREFUSED.*\(after 3 attempts\)$/,
    );
  });

  it('does not retry a 404 and renders it as 404', async () => {
    const { fake, client } = await setup();
    const err = await failure(client.getObject('CRM', 'Invoice'));
    expect(fake.storageRequests).toHaveLength(1);
    expect(err).toBeInstanceOf(WharfError);
    expect(err.status).toBe(404);
    expect(err.httpStatus).toBe(404);
    expect(err.code).toBe('WHARF_ERR_UPSTREAM');
    expect(err.retryable).toBe(false);
    expect(err).toMatchObject({
      connectionName: 'Invoice Dispatcher',
      operation: 'get_object',
      container: 'CRM',
      object: 'Invoice',
    });
    expect(err.swiftMessage).toBe('The resource could not be found.');
    expect(err.message).toBe(
      'Swift connection `Invoice Dispatcher`: get_object CRM/Invoice failed: HTTP 404 Not Found: The resource could not be found.',
    );
  });

  it('fires the per-request timeout (504, not retried)', async () => {
    const { fake, client } = await setup({ timeoutMs: 150 });
    await client.headAccount();
    fake.hooks.push(async (req, res) => {
      if (!req.url?.includes('/CRM')) return false;
      await new Promise((r) => setTimeout(r, 1000));
      res.writeHead(204).end();
      return true;
    });
    const t0 = performance.now();
    const err = await failure(client.headContainer('CRM'));
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(600);
    expect(err.code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
    expect(err.status).toBe(504);
    expect(err.message).toBe(
      'Swift connection `Invoice Dispatcher`: head_container CRM failed: no response within 150 ms',
    );
    expect(fake.storageRequests.filter((r) => r.url.includes('/CRM'))).toHaveLength(1);
  });

  it('lets a per-call timeoutMs override the client default', async () => {
    const { fake, client } = await setup({ timeoutMs: 5000 });
    fake.hooks.push(async (req, res) => {
      if (!req.url?.includes('/CRM')) return false;
      await new Promise((r) => setTimeout(r, 500));
      res.writeHead(204).end();
      return true;
    });
    const err = await failure(client.headContainer('CRM', { timeoutMs: 50 }));
    expect(err.status).toBe(504);
  });

  it('follows listing pages until a short page', async () => {
    const { fake, client } = await setup();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (const n of names) await client.putObject('CRM', n, n);
    const got = await collect(client.listObjects('CRM', { limit: 3 }));
    expect(got.map((o) => ('name' in o ? o.name : o.subdir))).toEqual(names);
    const listings = fake.storageRequests.filter((r) => r.method === 'GET');
    expect(listings.map((r) => new URL(r.url, 'http://x').searchParams.get('marker'))).toEqual([null, 'c', 'f']);
    expect(got[0]).toEqual({
      name: 'a',
      bytes: 1,
      hash: md5('a'),
      contentType: 'application/octet-stream',
      lastModified: '1970-01-01T00:00:00.000000',
    });
  });

  it('asks for one more page when the last page is full', async () => {
    const { fake, client } = await setup();
    for (const n of ['a', 'b', 'c', 'd']) await client.putObject('CRM', n, n);
    expect(await collect(client.listObjects('CRM', { limit: 2 }))).toHaveLength(4);
    expect(fake.storageRequests.filter((r) => r.method === 'GET')).toHaveLength(3);
  });

  it('lists with prefix, marker and delimiter (subdir entries)', async () => {
    const { client } = await setup();
    for (const n of ['x/1', 'y/1', 'y/2', 'y/z/1', 'z']) await client.putObject('CRM', n, n);
    const top = await collect(client.listObjects('CRM', { delimiter: '/', limit: 1 }));
    expect(top.map((o) => ('subdir' in o ? `dir:${o.subdir}` : o.name))).toEqual(['dir:x/', 'dir:y/', 'z']);
    const y = await collect(client.listObjects('CRM', { prefix: 'y/', delimiter: '/' }));
    expect(y.map((o) => ('subdir' in o ? `dir:${o.subdir}` : o.name))).toEqual(['y/1', 'y/2', 'dir:y/z/']);
    const after = await collect(client.listObjects('CRM', { marker: 'y/1', endMarker: 'z' }));
    expect(after.map((o) => ('name' in o ? o.name : ''))).toEqual(['y/2', 'y/z/1']);
  });

  it('lists containers page by page', async () => {
    const { fake, client } = await setup();
    for (const c of ['c1', 'c2', 'c3', 'c4', 'c5']) await client.putContainer(c);
    const got = await collect(client.listContainers({ limit: 2, prefix: 'c' }));
    expect(got.map((c) => c.name)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(fake.storageRequests.filter((r) => r.method === 'GET')).toHaveLength(3);
  });

  it('round-trips object, container and account metadata (UTF-8 values too)', async () => {
    const { client } = await setup();
    await client.putObject('CRM', 'Invoice', '{"n":1}', {
      contentType: 'application/json',
      metadata: { Color: 'blue', City: 'Zürich 東京' },
    });
    const head = await client.headObject('CRM', 'Invoice');
    expect(head.metadata).toEqual({ color: 'blue', city: 'Zürich 東京' });
    expect(head.contentType).toBe('application/json');
    expect(head.contentLength).toBe(7);
    expect(head.etag).toBe(md5('{"n":1}'));
    expect(head.lastModified).toEqual(new Date(0));
    await client.postObject('CRM', 'Invoice', { Size: 'L' });
    expect((await client.getObject('CRM', 'Invoice')).metadata).toEqual({ size: 'L' });
    await client.putContainer('Meta', { metadata: { Owner: 'ops' } });
    expect((await client.headContainer('Meta')).metadata).toEqual({ owner: 'ops' });
    expect((await client.headAccount()).metadata).toEqual({ tier: 'gold' });
  });

  it('URL-encodes container and object names per path segment', async () => {
    const { fake, client } = await setup();
    fake.containers.set('my box', {});
    const odd = ['a b/ü?#%/../x.txt', '/leading//double', './dot', 'plus+semi;colon:amp&eq=', '東京/報告書'];
    for (const name of odd) await client.putObject('my box', name, name);
    const paths = fake.storageRequests.map((r) => r.url.replace('/v1/AUTH_test', ''));
    expect(paths[0]).toBe('/my%20box/a%20b/%C3%BC%3F%23%25/%2E%2E/x.txt');
    expect(paths[1]).toBe('/my%20box//leading//double');
    expect(paths[2]).toBe('/my%20box/%2E/dot');
    for (const name of odd) expect((await client.getObject('my box', name)).body.toString()).toBe(name);
    const listed = await collect(client.listObjects('my box'));
    expect(listed.map((o) => ('name' in o ? o.name : ''))).toEqual([...odd].sort());
    expect(encodeSwiftPath('a/b c')).toBe('a/b%20c');
  });

  it('sends the body MD5 as ETag and detects a mismatching ETag from Swift', async () => {
    const { fake, client } = await setup();
    const ok = await client.putObject('CRM', 'good', Buffer.from('payload'));
    expect(ok.etag).toBe(md5('payload'));
    expect(fake.storageRequests.at(-1)?.headers['etag']).toBe(md5('payload'));
    fake.corruptEtag = true;
    const err = await failure(client.putObject('CRM', 'Invoice', 'payload'));
    expect(err.message).toBe(
      `Swift connection \`Invoice Dispatcher\`: put_object CRM/Invoice failed: ETag mismatch: the body's MD5 is ${md5('payload')}, Swift stored ${md5('something else')}`,
    );
    expect(err.status).toBe(502);
    const streamErr = await failure(
      client.putObject('CRM', 'stream', Readable.from([Buffer.from('pay'), Buffer.from('load')])),
    );
    expect(streamErr.message).toContain('ETag mismatch');
    await expect(client.putObject('CRM', 'unchecked', 'payload', { etag: false })).resolves.toBeDefined();
    await expect(client.putObject('CRM', 'expected', 'payload', { etag: md5('other') })).rejects.toThrow(
      /ETag mismatch/,
    );
  });

  it('uploads and downloads streams', async () => {
    const { client } = await setup();
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000, i));
    const put = await client.putObject('CRM', 'big', Readable.from(chunks), {
      contentType: 'application/octet-stream',
    });
    expect(put.etag).toBe(md5(Buffer.concat(chunks)));
    const got = await client.getObject('CRM', 'big', { stream: true });
    expect(got.body).toBeInstanceOf(Readable);
    expect((await readAll(got.body)).equals(Buffer.concat(chunks))).toBe(true);
    expect(got.contentLength).toBe(50_000);
  });

  it('never retries a stream body, and says so', async () => {
    const { fake, client } = await setup();
    await client.headAccount();
    fake.failNext(1, 503);
    const err = await failure(client.putObject('CRM', 'Invoice', Readable.from(['a', 'b'])));
    expect(fake.storageRequests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(err.httpStatus).toBe(503);
    expect(err.message).toContain('not retried: the request body is a stream and cannot be replayed');
  });

  it('copies, deletes and manages containers', async () => {
    const { client } = await setup();
    await client.putObject('CRM', 'src', 'data', { metadata: { Kind: 'a' } });
    await client.putContainer('Archive');
    await client.copyObject('CRM', 'src', 'Archive', 'dst', { metadata: { Copied: 'yes' } });
    const copy = await client.getObject('Archive', 'dst');
    expect(copy.body.toString()).toBe('data');
    expect(copy.metadata).toEqual({ kind: 'a', copied: 'yes' });
    const missing = await failure(client.copyObject('CRM', 'nope', 'Archive', 'x'));
    expect(missing.status).toBe(404);
    expect(missing.message).toContain('copy_object CRM/nope to Archive/x failed: HTTP 404');
    const busy = await failure(client.deleteContainer('Archive'));
    expect(busy.httpStatus).toBe(409);
    await client.deleteObject('Archive', 'dst');
    await client.deleteContainer('Archive');
    expect((await failure(client.headContainer('Archive'))).status).toBe(404);
  });

  it('reports failed authentication as 502 naming the user and auth URL', async () => {
    const { fake, client } = await setup({ key: 'wrong' });
    const err = await failure(client.headAccount());
    expect(err.status).toBe(502);
    expect(err.httpStatus).toBe(401);
    expect(err.operation).toBe('auth');
    expect(err.message).toBe(
      `Swift connection \`Invoice Dispatcher\`: authentication failed for user test:tester at ${fake.authUrl}: HTTP 401 Unauthorized: This server could not verify that you are authorized.`,
    );
    expect(fake.authCount).toBe(1);
  });

  it('sends custom headers with every storage request', async () => {
    const { fake, client } = await setup({
      customHeaders: parseCustomOptions('X-Trace = wharf\n# comment\n\nX-Tenant=a=b\n'),
    });
    await client.headAccount();
    expect(fake.storageRequests[0]?.headers).toMatchObject({ 'x-trace': 'wharf', 'x-tenant': 'a=b' });
  });

  it('fails calls after close()', async () => {
    const { client } = await setup();
    await client.headAccount();
    await client[Symbol.asyncDispose]();
    const err = await failure(client.headAccount());
    expect(err.message).toContain('the client is closed');
  });

  it('test hook: a corrupted token is replaced by logging in again', async () => {
    const { fake, client } = await setup();
    await client.headAccount();
    client.invalidateTokenForTests();
    await client.headAccount();
    expect(fake.authCount).toBe(2);
  });
});

describe('Keystone', () => {
  async function keystone(
    version: 2 | 3,
    extra: Partial<SwiftClientOptions> = {},
  ): Promise<{ fake: FakeSwift; client: SwiftClient }> {
    const fake = await new FakeSwift().listen();
    cleanups.push(() => fake.close());
    const client = new SwiftClient({
      connectionName: 'KS',
      authVersion: version,
      authUrl: `${fake.url}/${version === 3 ? 'v3' : 'v2.0'}`,
      user: 'demo',
      key: 'secret',
      project: 'demo',
      retries: 0,
      ...extra,
    });
    cleanups.push(() => client.close());
    return { fake, client };
  }

  it('v3: uses X-Subject-Token and the public object-store endpoint from the catalog', async () => {
    const { fake, client } = await keystone(3);
    await client.headAccount();
    const req = fake.storageRequests[0]!;
    expect(req.url).toBe('/v1/AUTH_public1');
    expect(req.headers['x-auth-token']).toBe('ks3-1');
  });

  it('v3: picks the region and interface asked for', async () => {
    const two = await keystone(3, { region: 'RegionTwo' });
    await two.client.headAccount();
    expect(two.fake.storageRequests[0]?.url).toBe('/v1/AUTH_public2');
    const internal = await keystone(3, { endpointInterface: 'internal' });
    await internal.client.headAccount();
    expect(internal.fake.storageRequests[0]?.url).toBe('/v1/AUTH_internal1');
  });

  it('v3: a region missing from the catalog is an auth failure listing the regions', async () => {
    const { client } = await keystone(3, { region: 'Mars' });
    const err = await failure(client.headAccount());
    expect(err.message).toMatch(
      /authentication failed for user demo at .*\/v3: the catalog has no public object-store endpoint in region Mars \(regions: RegionOne, RegionTwo\)$/,
    );
  });

  it('v3: wrong password is an auth failure with Keystone message', async () => {
    const { client } = await keystone(3, { key: 'nope' });
    const err = await failure(client.headAccount());
    expect(err.status).toBe(502);
    expect(err.httpStatus).toBe(401);
    expect(err.message).toContain('requires authentication');
  });

  it('v2: uses the token id and the serviceCatalog endpoint', async () => {
    const { fake, client } = await keystone(2, { region: 'RegionTwo' });
    await client.headAccount();
    expect(fake.storageRequests[0]?.url).toBe('/v1/AUTH_v2two');
    expect(fake.storageRequests[0]?.headers['x-auth-token']).toBe('ks2-1');
  });
});

describe('options and helpers', () => {
  it('rejects invalid options with a config error', () => {
    expect(() => new SwiftClient({ connectionName: 'X', authUrl: 'not a url', user: 'u', key: 'k' })).toThrow(
      /authUrl `not a url` is not a URL/,
    );
    expect(
      () => new SwiftClient({ connectionName: 'X', authUrl: 'http://k/v3', authVersion: 3, user: 'u', key: 'k' }),
    ).toThrow(/needs project/);
  });

  it('parseCustomOptions reads key=value lines', () => {
    expect(parseCustomOptions(' a = 1 \r\n#x=y\n\nb=c=d\nempty=')).toEqual({ a: '1', b: 'c=d', empty: '' });
    expect(() => parseCustomOptions('a=1\nnonsense')).toThrow(/Line 2: expected key=value/);
  });
});
