/**
 * SwiftClient against a real Swift: start one with `bash scripts/swift-aio.sh up`. These tests fail (they do
 * not skip) when Swift is not reachable. Settings: SWIFT_AUTH_URL, SWIFT_USER, SWIFT_KEY.
 */
import { createHash, randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SwiftClient, type ObjectEntry, type SubdirEntry } from '../../src/connectors/swift/client.js';
import {
  AUTH_URL,
  collect,
  KEY,
  readAll,
  removeContainers,
  runName,
  swiftFailure as failure,
  swiftUnavailable,
  USER,
} from '../support/swift.js';

const RUN = runName('wharf-it');
const created = new Set<string>();

function client(overrides: Partial<ConstructorParameters<typeof SwiftClient>[0]> = {}): SwiftClient {
  return new SwiftClient({
    connectionName: 'Integration Swift',
    authUrl: AUTH_URL,
    user: USER,
    key: KEY,
    retries: 2,
    startingBackoffMs: 100,
    timeoutMs: 10_000,
    ...overrides,
  });
}

/** A fresh container name for this run; removed (with its objects) in afterAll. */
async function container(swift: SwiftClient, suffix: string): Promise<string> {
  const name = `${RUN}-${suffix}`;
  created.add(name);
  await swift.putContainer(name);
  return name;
}

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');
const nameOf = (e: ObjectEntry | SubdirEntry): string => ('subdir' in e ? `dir:${e.subdir}` : e.name);

/** Observes the HTTP requests undici sends (no mocking): method, path and response status. */
interface SeenRequest {
  method: string;
  path: string;
  status?: number;
}
const seen: SeenRequest[] = [];
const byRequest = new WeakMap<object, SeenRequest>();
const onCreate = (msg: unknown): void => {
  const { request } = msg as { request: { method: string; path: string } };
  const entry: SeenRequest = { method: request.method, path: request.path };
  byRequest.set(request, entry);
  seen.push(entry);
};
const onHeaders = (msg: unknown): void => {
  const { request, response } = msg as { request: object; response: { statusCode: number } };
  const entry = byRequest.get(request);
  if (entry) entry.status = response.statusCode;
};

let swift: SwiftClient;
/** Why Swift cannot be used; every test then fails with it (they never skip). */
let unavailable: Error | undefined;

beforeAll(async () => {
  diagnostics.subscribe('undici:request:create', onCreate);
  diagnostics.subscribe('undici:request:headers', onHeaders);
  swift = client();
  unavailable = await swiftUnavailable(swift);
});

beforeEach(() => {
  if (unavailable) throw unavailable;
});

afterAll(async () => {
  diagnostics.unsubscribe('undici:request:create', onCreate);
  diagnostics.unsubscribe('undici:request:headers', onHeaders);
  if (unavailable) return swift.close();
  await removeContainers(swift, created);
  await swift.close();
});

afterEach(() => {
  seen.length = 0;
});

describe('SwiftClient against a real Swift', () => {
  it('puts, gets, heads and deletes an object with metadata', async () => {
    const c = await container(swift, 'objects');
    const body = JSON.stringify({ invoice: 42, lines: [1, 2, 3] });
    const put = await swift.putObject(c, 'CRM/Invoice 42.json', body, {
      contentType: 'application/json',
      metadata: { Customer: 'ACME', City: 'Zürich' },
    });
    expect(put.etag).toBe(md5(body));

    const got = await swift.getObject(c, 'CRM/Invoice 42.json');
    expect(got.body.toString()).toBe(body);
    expect(got.contentType).toBe('application/json');
    expect(got.metadata).toEqual({ customer: 'ACME', city: 'Zürich' });
    expect(got.etag).toBe(md5(body));
    expect(got.contentLength).toBe(Buffer.byteLength(body));
    expect(got.lastModified).toBeInstanceOf(Date);

    await swift.postObject(c, 'CRM/Invoice 42.json', { Status: 'paid' });
    const head = await swift.headObject(c, 'CRM/Invoice 42.json');
    expect(head.metadata).toEqual({ status: 'paid' });
    expect(head.contentLength).toBe(Buffer.byteLength(body));

    await swift.deleteObject(c, 'CRM/Invoice 42.json');
    const gone = await failure(swift.headObject(c, 'CRM/Invoice 42.json'));
    expect(gone.status).toBe(404);
    expect(gone.httpStatus).toBe(404);
  });

  it('round-trips odd object names (spaces, unicode, ?, #, %, .., //)', async () => {
    const c = await container(swift, 'names');
    const names = ['a b/ü?#%.txt', 'dir/../x', './dot', 'x//y', '東京/報告書 1', 'plus+semi;colon:&='];
    for (const n of names) await swift.putObject(c, n, `body of ${n}`);
    for (const n of names) expect((await swift.getObject(c, n)).body.toString()).toBe(`body of ${n}`);
    const listed = (await collect(swift.listObjects(c))).map(nameOf);
    expect(new Set(listed)).toEqual(new Set(names));
  });

  it('copies an object, keeping and adding metadata', async () => {
    const c = await container(swift, 'copy-src');
    const d = await container(swift, 'copy dst');
    await swift.putObject(c, 'orig', 'copy me', { metadata: { Kind: 'original' } });
    const copy = await swift.copyObject(c, 'orig', d, 'nested/copy', { metadata: { Copied: 'yes' } });
    expect(copy.etag).toBe(md5('copy me'));
    const got = await swift.getObject(d, 'nested/copy');
    expect(got.body.toString()).toBe('copy me');
    expect(got.metadata).toEqual({ kind: 'original', copied: 'yes' });
    const missing = await failure(swift.copyObject(c, 'no-such', d, 'x'));
    expect(missing.status).toBe(404);
  });

  it('creates, lists, heads and deletes containers', async () => {
    const names = [`${RUN}-list-a`, `${RUN}-list-b`, `${RUN}-list-c`];
    for (const n of names) created.add(n);
    await swift.putContainer(names[0]!, { metadata: { Owner: 'billing' } });
    await swift.putContainer(names[1]!);
    await swift.putContainer(names[2]!);
    const listed = await collect(swift.listContainers({ prefix: `${RUN}-list-`, limit: 2 }));
    expect(listed.map((x) => x.name)).toEqual(names);
    const head = await swift.headContainer(names[0]!);
    expect(head.metadata).toEqual({ owner: 'billing' });
    expect(head.objectCount).toBe(0);

    await swift.putObject(names[1]!, 'o', 'x');
    const busy = await failure(swift.deleteContainer(names[1]!));
    expect(busy.httpStatus).toBe(409);
    await swift.deleteObject(names[1]!, 'o');
    for (const n of names) await swift.deleteContainer(n);
    const after = await collect(swift.listContainers({ prefix: `${RUN}-list-` }));
    expect(after).toEqual([]);
    expect((await swift.headAccount()).containerCount).toBeGreaterThanOrEqual(0);
  });

  it('follows listing pages: limit=2 over 5 objects takes 3 requests', async () => {
    const c = await container(swift, 'pages');
    const names = ['o1', 'o2', 'o3', 'o4', 'o5'];
    for (const n of names) await swift.putObject(c, n, n);
    seen.length = 0;
    const listed = await collect(swift.listObjects(c, { limit: 2 }));
    expect(listed.map(nameOf)).toEqual(names);
    expect(listed[0]).toMatchObject({ name: 'o1', bytes: 2, hash: md5('o1') });
    const gets = seen.filter((r) => r.method === 'GET' && r.path.includes('format=json'));
    expect(gets).toHaveLength(3);
    expect(gets.map((r) => new URLSearchParams(r.path.split('?')[1]).get('marker'))).toEqual([null, 'o2', 'o4']);
  });

  it('lists with a delimiter: objects and subdir entries, across pages', async () => {
    const c = await container(swift, 'delim');
    for (const n of ['a/1', 'a/2', 'b/1', 'b/c/1', 'top']) await swift.putObject(c, n, n);
    expect((await collect(swift.listObjects(c, { delimiter: '/', limit: 1 }))).map(nameOf)).toEqual([
      'dir:a/',
      'dir:b/',
      'top',
    ]);
    expect((await collect(swift.listObjects(c, { delimiter: '/', prefix: 'b/' }))).map(nameOf)).toEqual([
      'b/1',
      'dir:b/c/',
    ]);
  });

  it('uploads a stream and downloads it as a stream', async () => {
    const c = await container(swift, 'stream');
    const chunks = Array.from({ length: 48 }, () => randomBytes(64 * 1024));
    const whole = Buffer.concat(chunks);
    const put = await swift.putObject(c, 'big.bin', Readable.from(chunks), { contentType: 'application/octet-stream' });
    expect(put.etag).toBe(md5(whole));
    const got = await swift.getObject(c, 'big.bin', { stream: true });
    expect(got.body).toBeInstanceOf(Readable);
    expect(got.contentLength).toBe(whole.length);
    const downloaded = await readAll(got.body);
    expect(md5(downloaded)).toBe(md5(whole));
  });

  it('detects an ETag that does not match the body (Swift answers 422)', async () => {
    const c = await container(swift, 'etag');
    const err = await failure(swift.putObject(c, 'x', 'payload', { etag: md5('something else') }));
    expect(err.httpStatus).toBe(422);
    await expect(swift.headObject(c, 'x')).rejects.toMatchObject({ status: 404 });
  });

  it('reports a wrong key clearly, naming the connection and the user', async () => {
    const bad = client({ connectionName: 'Invoice Dispatcher', key: 'not-the-key' });
    try {
      const err = await failure(bad.headAccount());
      expect(err.status).toBe(502);
      expect(err.httpStatus).toBe(401);
      expect(err.operation).toBe('auth');
      expect(err.message).toMatch(
        new RegExp(
          `^Swift connection \`Invoice Dispatcher\`: authentication failed for user ${USER} at ${AUTH_URL.replaceAll('.', '\\.')}: HTTP 401 Unauthorized`,
        ),
      );
    } finally {
      await bad.close();
    }
  });

  it('renders a missing container as 404', async () => {
    const err = await failure(swift.putObject(`${RUN}-does-not-exist`, 'Invoice', 'x'));
    expect(err.status).toBe(404);
    expect(err.httpStatus).toBe(404);
    expect(err.code).toBe('WHARF_ERR_UPSTREAM');
    expect(err.message).toBe(
      `Swift connection \`Integration Swift\`: put_object ${RUN}-does-not-exist/Invoice failed: HTTP 404 Not Found: The resource could not be found.`,
    );
    const list = await failure(collect(swift.listObjects(`${RUN}-does-not-exist`)));
    expect(list.status).toBe(404);
  });

  it('a user without .admin gets 403, reported as 502 with Swift message', async () => {
    const tester3 = client({ user: 'test:tester3', key: 'testing3' });
    try {
      const err = await failure(tester3.putContainer(`${RUN}-forbidden`));
      expect(err.httpStatus).toBe(403);
      expect(err.status).toBe(502);
      expect(err.message).toContain('HTTP 403 Forbidden');
    } finally {
      await tester3.close();
    }
  });

  it('logs in again once when Swift rejects the cached token', async () => {
    const c = await container(swift, 'reauth');
    await swift.putObject(c, 'x', 'still here');
    seen.length = 0;
    swift.invalidateTokenForTests();
    const got = await swift.getObject(c, 'x');
    expect(got.body.toString()).toBe('still here');
    expect(seen.map((r) => `${r.method} ${r.status ?? '?'}`)).toEqual(['GET 401', 'GET 200', 'GET 200']);
    expect(seen[1]?.path).toBe(new URL(AUTH_URL).pathname);
    seen.length = 0;
    await swift.headObject(c, 'x');
    expect(seen).toHaveLength(1);
  });
});
