import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Unauthorized, WharfError } from '../errors.js';
import { METRICS_CHALLENGE, MetricsAccess, sameToken } from './metrics-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-metrics-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'metrics.token'), 'tok-123\n');

/** The admin check: `admin:pw` in Basic is the one good credential. */
async function adminCheck(h: IncomingHttpHeaders): Promise<string> {
  if (h.authorization === `Basic ${Buffer.from('admin:pw').toString('base64')}`) return 'admin';
  throw new Unauthorized('Invalid admin credentials', 'Basic realm="Wharf admin"');
}

async function refusal(p: Promise<unknown>): Promise<WharfError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WharfError);
  return e as WharfError;
}

describe('MetricsAccess', () => {
  const access = new MetricsAccess({ bearerTokenFile: 'metrics.token', baseDir: dir, adminCheck });

  it('takes the bearer token from the file (relative to the server directory)', async () => {
    expect(await access.check({ authorization: 'Bearer tok-123' }, '127.0.0.1')).toBe('token');
    expect(await access.check({ authorization: 'bearer  tok-123 ' }, '127.0.0.1')).toBe('token');
  });

  it('takes admin credentials', async () => {
    expect(
      await access.check({ authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` }, '127.0.0.1'),
    ).toBe('admin:admin');
  });

  it('refuses no credentials, a wrong token and a wrong password with 401 and both challenges', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer tok-1234' },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${Buffer.from('admin:no').toString('base64')}` },
      { authorization: 'Digest x' },
    ]) {
      const e = await refusal(access.check(headers, '127.0.0.1'));
      expect(e.status).toBe(401);
      expect(e.code).toBe('WHARF_ERR_UNAUTHORIZED');
      expect(e.headers?.['www-authenticate']).toBe(METRICS_CHALLENGE);
    }
  });

  it('without a token file only admin credentials work; public opens it', async () => {
    const noFile = new MetricsAccess({ bearerTokenFile: 'missing.token', baseDir: dir, adminCheck });
    expect((await refusal(noFile.check({ authorization: 'Bearer tok-123' }, undefined))).status).toBe(401);
    const none = new MetricsAccess({ baseDir: dir, adminCheck });
    expect((await refusal(none.check({ authorization: 'Bearer ' }, undefined))).status).toBe(401);
    expect(await new MetricsAccess({ public: true, baseDir: dir, adminCheck }).check({}, undefined)).toBe('public');
  });

  it('a rotated token works once the cache expires (no restart)', async () => {
    let now = 1_000_000;
    const file = join(dir, 'rotating.token');
    writeFileSync(file, 'old\n');
    const a = new MetricsAccess({ bearerTokenFile: file, baseDir: '/', adminCheck, now: () => now });
    expect(await a.check({ authorization: 'Bearer old' }, undefined)).toBe('token');
    writeFileSync(file, 'new\n');
    now += 10_000;
    expect(await a.check({ authorization: 'Bearer new' }, undefined)).toBe('token');
    expect((await refusal(a.check({ authorization: 'Bearer old' }, undefined))).status).toBe(401);
  });

  it('other errors of the admin check (429) pass through', async () => {
    const a = new MetricsAccess({
      baseDir: dir,
      adminCheck: () => Promise.reject(new WharfError('WHARF_ERR_TOO_MANY_REQUESTS', ['slow down'])),
    });
    const e = await refusal(a.check({ authorization: 'Basic eDp5' }, undefined));
    expect(e.status).toBe(429);
  });

  it('sameToken: equal strings only, never an empty expected token', () => {
    expect(sameToken('a', 'a')).toBe(true);
    expect(sameToken('a', 'b')).toBe(false);
    expect(sameToken('a', 'aa')).toBe(false);
    expect(sameToken('', '')).toBe(false);
  });
});
