/**
 * Test setup shared by the Swift tests: the real Swift they use (SWIFT_AUTH_URL, SWIFT_USER, SWIFT_KEY;
 * `bash scripts/swift-aio.sh up`), a per-run name prefix, the availability check (tests fail, never
 * skip, when Swift is not usable), container cleanup, and small helpers for results.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { rejectionOf } from './rejection.js';
import { SwiftError, type SwiftClient } from '../../src/connectors/swift/client.js';

export const AUTH_URL = process.env['SWIFT_AUTH_URL'] ?? 'http://127.0.0.1:8080/auth/v1.0';
export const USER = process.env['SWIFT_USER'] ?? 'test:tester';
export const KEY = process.env['SWIFT_KEY'] ?? 'testing';

/** A name prefix unique to this test run: `<prefix>-<time>-<random>`. */
export function runName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Why Swift cannot be used through `client` (HEAD on the account failed), or undefined when it can. */
export async function swiftUnavailable(client: SwiftClient): Promise<Error | undefined> {
  try {
    await client.headAccount();
    return undefined;
  } catch (e) {
    return new Error(
      `Swift is not usable at ${AUTH_URL} as ${USER} (${e instanceof Error ? e.message : String(e)}). ` +
        'Start it with `bash scripts/swift-aio.sh up` (as root), or set SWIFT_AUTH_URL, SWIFT_USER and SWIFT_KEY.',
    );
  }
}

/** Deletes these containers and their objects; one that does not exist (404) is skipped. */
export async function removeContainers(client: SwiftClient, names: Iterable<string>): Promise<void> {
  for (const name of names) {
    try {
      for await (const o of client.listObjects(name)) if ('name' in o) await client.deleteObject(name, o.name);
      await client.deleteContainer(name);
    } catch (e) {
      if (!(e instanceof SwiftError && e.httpStatus === 404)) throw e;
    }
  }
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The SwiftError `p` rejects with (expected to be one); throws when `p` succeeds. */
export function swiftFailure(p: Promise<unknown>): Promise<SwiftError> {
  return rejectionOf(p, SwiftError, 'expected a SwiftError, but the call succeeded');
}
