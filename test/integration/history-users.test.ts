/**
 * Config history and admin users on a real server, through the real CLI and admin API: every
 * change recorded with who and the data after it, a version's data against the current one
 * (secrets masked), restore as a new version that is live at once (also of a deleted object, with
 * its secrets as they were), bad versions → 404/400; users created, listed, re-passworded and
 * deleted by `wharf user`, the last one kept, a deleted user's credentials refused.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createEnv, eventually, ROOT, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface HistoryItem {
  version: number;
  at: string;
  who: string | null;
  kind: string;
  name: string;
  action: string;
  summary?: string;
}
interface Detail extends HistoryItem {
  data: Record<string, unknown> | null;
  current: Record<string, unknown> | null;
}
interface ApiErr {
  error: { code: string; message: string; details?: { problems?: string[] } };
}

/** `wharf ARGS` with `input` on its standard input. */
function cliWithStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('config history and admin users', () => {
  let env: TestEnv;
  /** Admin API call as someone other than the test helper's admin. */
  const as = async <T>(
    auth: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const r = await env.fetch(path, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  const history = async (q = ''): Promise<{ items: HistoryItem[]; next?: number }> => {
    const r = await env.admin<{ items: HistoryItem[]; next?: number }>('GET', `/wharf/admin/history${q}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const call = (password: string): Promise<Response> =>
    env.fetch('/hist/echo', {
      method: 'POST',
      body: '{"n":1}',
      headers: { authorization: basic('client', password), 'content-type': 'application/json' },
    });

  beforeAll(async () => {
    env = await createEnv();
  });
  afterAll(async () => {
    await env?.destroy();
  });

  let v1 = 0; // security definition created (password pw-one-111)
  let vDeploy = 0;

  it('records who and the data after every change: CLI user, admin API user, a new user; deploys too', async () => {
    await env.deploy('echo.ts', ECHO);
    const deploys = await history('?kind=service.module');
    expect(deploys.items[0]).toMatchObject({
      kind: 'service.module',
      name: 'echo.ts',
      action: 'deploy',
      who: 'wharf.cli',
    });
    vDeploy = deploys.items[0]!.version;

    await env.ok([
      'security',
      'basic-auth',
      'create',
      'ENV',
      '--name',
      'hist-sec',
      '--username',
      'client',
      '--password',
      'pw-one-111',
    ]);
    await env.ok([
      'channel',
      'create',
      'ENV',
      '--name',
      'hist-ch',
      '--url-path',
      '/hist/echo',
      '--service',
      'test.echo',
      '--security',
      'hist-sec',
    ]);
    await eventually(async () => (await call('pw-one-111')).status === 200, 10_000, 'channel with security answers');

    const created = await history('?kind=security.basicAuth&name=hist-sec');
    expect(created.items).toHaveLength(1);
    expect(created.items[0]).toMatchObject({
      kind: 'security.basicAuth',
      name: 'hist-sec',
      action: 'create',
      who: 'wharf.cli',
    });
    expect(created.items[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    v1 = created.items[0]!.version;

    // an edit by the admin API's own user, then one by a user made with `wharf user create`
    const e1 = await env.admin<{ version: number }>('PATCH', '/wharf/admin/config/security.basicAuth/hist-sec', {
      password: 'pw-two-222',
    });
    expect(e1.status).toBe(200);
    const out = await env.ok(['user', 'create', 'ENV', 'alice@example.org', '--password', 'alice-pass-1']);
    expect(out).toContain('alice@example.org');
    expect(out).not.toContain('alice-pass-1');
    const e2 = await as<{ version: number }>(
      basic('alice@example.org', 'alice-pass-1'),
      'PATCH',
      '/wharf/admin/config/security.basicAuth/hist-sec',
      { realm: 'Alice' },
    );
    expect(e2.status).toBe(200);
    await eventually(async () => (await call('pw-two-222')).status === 200, 10_000, 'new password live');
    expect((await call('pw-one-111')).status).toBe(401);

    const all = await history('?kind=security.basicAuth&name=hist-sec');
    expect(all.items.map((i) => [i.version, i.action, i.who])).toEqual([
      [e2.body.version, 'edit', 'alice@example.org'],
      [e1.body.version, 'edit', 'admin'],
      [v1, 'create', 'wharf.cli'],
    ]);
    expect(all.items.map((i) => i.summary)).toEqual(['changed: realm', 'changed: password', undefined]);
    // the whole log, newest first; the deploy is in it
    const log = await history('?limit=500');
    expect(log.items[0]!.version).toBe(e2.body.version);
    expect(log.items.map((i) => i.version)).toEqual([...log.items.map((i) => i.version)].sort((a, b) => b - a));
    expect(log.items.some((i) => i.version === vDeploy && i.action === 'deploy')).toBe(true);
  });

  it('shows a version against the current data, secrets masked; a module version; paging with before/next', async () => {
    const d = await env.admin<Detail>('GET', `/wharf/admin/history/${v1}/security.basicAuth/hist-sec`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({
      version: v1,
      kind: 'security.basicAuth',
      name: 'hist-sec',
      action: 'create',
      who: 'wharf.cli',
    });
    expect(d.body.data).toMatchObject({ name: 'hist-sec', username: 'client', password: '******', realm: 'Wharf' });
    expect(d.body.current).toMatchObject({ name: 'hist-sec', username: 'client', password: '******', realm: 'Alice' });
    expect(JSON.stringify(d.body)).not.toMatch(/pw-|\$enc\$/);

    const m = await env.admin<Detail>('GET', `/wharf/admin/history/${vDeploy}/service.module/echo.ts`);
    expect(m.status).toBe(200);
    expect(m.body.data).toMatchObject({
      services: expect.arrayContaining(['test.echo']),
      deployedFrom: expect.stringContaining('cli:'),
    });
    expect(m.body.data!['hash']).toBe(m.body.current!['hash']);

    const p1 = await history('?limit=2');
    expect(p1.items).toHaveLength(2);
    expect(p1.next).toBe(p1.items[1]!.version);
    const p2 = await history(`?limit=2&before=${p1.next}`);
    expect(p2.items[0]!.version).toBeLessThan(p1.next!);
  });

  it('refuses bad history requests with a clear error', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/wharf/admin/history?limit=0', 400, /limit: must be a whole number from 1 to 500/],
      ['/wharf/admin/history?limit=501', 400, /limit/],
      ['/wharf/admin/history?limit=abc', 400, /limit/],
      ['/wharf/admin/history?before=-1', 400, /before: must be a config version/],
      ['/wharf/admin/history?kind=a&kind=b', 400, /kind: give it once/],
      ['/wharf/admin/history?colour=red', 400, /colour: unknown parameter/],
      ['/wharf/admin/history/abc/security.basicAuth/hist-sec', 400, /version: must be a config version/],
      ['/wharf/admin/history/99999999/security.basicAuth/hist-sec', 404, /config version 99999999 does not exist/],
      ['/wharf/admin/history/2147483647/security.basicAuth/hist-sec', 404, /config version 2147483647 does not exist/],
      ['/wharf/admin/history/2147483648/security.basicAuth/hist-sec', 400, /version: must be a config version/],
      ['/wharf/admin/history?before=99999999999', 400, /before: must be a config version/],
      ['/wharf/admin/history?before=2147483647&limit=1', 200, /.^/],
      [
        `/wharf/admin/history/${v1 - 1}/security.basicAuth/hist-sec`,
        404,
        /HTTP Basic Auth definition `hist-sec` did not exist at config version/,
      ],
      [`/wharf/admin/history/${v1}/no.such.kind/x`, 404, /Unknown object kind/],
    ];
    for (const [path, status, message] of cases) {
      const r = await env.admin<ApiErr>('GET', path);
      expect([path, r.status]).toEqual([path, status]);
      if (status !== 200) expect(r.body.error.message).toMatch(message);
    }
    const inj = await env.admin<ApiErr>('GET', `/wharf/admin/history?kind=${encodeURIComponent("x' or 1=1 --")}`);
    expect(inj.status).toBe(200);
    expect((inj.body as unknown as { items: unknown[] }).items).toEqual([]);
  });

  it('restores an earlier version as a new version: live at once, secret as it was, recorded with who', async () => {
    const before = await history('?limit=1');
    const r = await as<{ restored: string; fromVersion: number; version: number }>(
      basic('alice@example.org', 'alice-pass-1'),
      'POST',
      '/wharf/admin/config/security.basicAuth/hist-sec/restore',
      { version: v1 },
    );
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ restored: 'hist-sec', fromVersion: v1, version: before.items[0]!.version + 1 });
    await eventually(async () => (await call('pw-one-111')).status === 200, 10_000, 'restored password live');
    expect((await call('pw-two-222')).status).toBe(401);
    const obj = await env.admin<{ data: Record<string, unknown>; version: number }>(
      'GET',
      '/wharf/admin/config/security.basicAuth/hist-sec',
    );
    expect(obj.body).toMatchObject({ version: r.body.version, data: { realm: 'Wharf', password: '******' } });
    const top = await history('?limit=1');
    expect(top.items[0]).toMatchObject({
      version: r.body.version,
      kind: 'security.basicAuth',
      name: 'hist-sec',
      action: 'edit',
      who: 'alice@example.org',
    });
    // the history itself was not rewritten
    const d = await env.admin<Detail>('GET', `/wharf/admin/history/${v1}/security.basicAuth/hist-sec`);
    expect(d.body.action).toBe('create');
  });

  it('restores a deleted object (re-created, live); a version where it did not exist or was deleted → 404; bad bodies → 400', async () => {
    const live = await env.admin<{ version: number }>('GET', '/wharf/admin/config/channels.http/hist-ch');
    await env.ok(['channel', 'delete', 'ENV', 'hist-ch']);
    await eventually(async () => (await call('pw-one-111')).status === 404, 10_000, 'channel gone');
    const del = await history('?kind=channels.http&name=hist-ch&limit=1');
    expect(del.items[0]).toMatchObject({ action: 'delete', who: 'wharf.cli' });
    const dd = await env.admin<Detail>('GET', `/wharf/admin/history/${del.items[0]!.version}/channels.http/hist-ch`);
    expect(dd.body).toMatchObject({ action: 'delete', data: null, current: null });

    const gone = await env.admin<ApiErr>('POST', '/wharf/admin/config/channels.http/hist-ch/restore', {
      version: del.items[0]!.version,
    });
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toMatch(/HTTP channel `hist-ch` did not exist at config version/);
    const never = await env.admin<ApiErr>('POST', '/wharf/admin/config/channels.http/hist-ch/restore', { version: v1 });
    expect(never.status).toBe(404);
    const other = await env.admin<ApiErr>('POST', '/wharf/admin/config/channels.http/no-such/restore', {
      version: live.body.version,
    });
    expect(other.status).toBe(404);
    for (const body of [
      {},
      { version: 'x' },
      { version: 0 },
      { version: 1.5 },
      { version: live.body.version, extra: 1 },
    ]) {
      const b = await env.admin<ApiErr>('POST', '/wharf/admin/config/channels.http/hist-ch/restore', body);
      expect(b.status).toBe(400);
      expect(b.body.error.code).toBe('WHARF_ERR_CONFIG_INVALID');
      expect(b.body.error.details?.problems?.[0]).toMatch(/^(version|extra): /);
    }
    const unknownKind = await env.admin<ApiErr>('POST', '/wharf/admin/config/no.kind/x/restore', { version: 1 });
    expect(unknownKind.status).toBe(404);

    const ok = await env.admin<{ restored: string; version: number }>(
      'POST',
      '/wharf/admin/config/channels.http/hist-ch/restore',
      { version: live.body.version },
    );
    expect(ok.status).toBe(200);
    await eventually(async () => (await call('pw-one-111')).status === 200, 10_000, 'restored channel live');
    expect((await history('?kind=channels.http&name=hist-ch&limit=1')).items[0]).toMatchObject({
      version: ok.body.version,
      action: 'create',
      who: 'admin',
    });
  });

  it('restore validates like an edit: a version naming an object that is gone is refused (400), nothing written', async () => {
    const v = (await history('?kind=channels.http&name=hist-ch&limit=1')).items[0]!.version;
    // the channel's security definition is referenced: delete the channel, then the definition
    await env.ok(['channel', 'delete', 'ENV', 'hist-ch']);
    await env.ok(['security', 'basic-auth', 'delete', 'ENV', 'hist-sec']);
    const top = (await history('?limit=1')).items[0]!.version;
    const r = await env.admin<ApiErr>('POST', '/wharf/admin/config/channels.http/hist-ch/restore', { version: v });
    expect(r.status).toBe(400);
    expect(r.body.error.details?.problems).toEqual([expect.stringMatching(/^security: no .* named `hist-sec`/)]);
    expect((await history('?limit=1')).items[0]!.version).toBe(top);
  });

  it('users: create with a generated password, list, change the password, delete; bad input → 400 naming the field', async () => {
    const created = await env.ok(['user', 'create', 'ENV', 'bob']);
    const pw = /password:\[([^\]]+)\]/.exec(created)?.[1];
    expect(pw).toBeDefined();
    expect(pw!.length).toBeGreaterThanOrEqual(16);
    expect((await as(basic('bob', pw!), 'GET', '/wharf/admin/version')).status).toBe(200);

    const list = await env.ok(['user', 'list', 'ENV']);
    for (const u of ['admin', 'wharf.cli', 'alice@example.org', 'bob']) expect(list).toContain(u);
    const api = await env.admin<{ items: Array<{ username: string; createdAt: string }> }>('GET', '/wharf/admin/users');
    expect(api.body.items.map((u) => u.username)).toEqual(['admin', 'alice@example.org', 'bob', 'wharf.cli']);
    expect(api.body.items.every((u) => /^\d{4}-\d{2}-\d{2}T/.test(u.createdAt))).toBe(true);
    expect(JSON.stringify(api.body)).not.toMatch(/scrypt|hash/);

    const viaStdin = await cliWithStdin(['user', 'password', env.dir, 'bob', '--password-stdin'], 'bob-new-pass\n');
    expect([viaStdin.code, viaStdin.stderr]).toEqual([0, '']);
    expect(viaStdin.stdout).toContain('Password of `bob` changed');
    expect(viaStdin.stdout).not.toContain('bob-new-pass');
    const both = await env.cli(['user', 'password', 'ENV', 'bob', '--password', 'x', '--password-stdin']);
    expect(both.code).toBe(2);
    // (failed attempts are throttled: poll with the new password, then try the old one once)
    await eventually(
      async () => (await as(basic('bob', 'bob-new-pass'), 'GET', '/wharf/admin/version')).status === 200,
      10_000,
      'new password accepted',
    );
    expect((await as(basic('bob', pw!), 'GET', '/wharf/admin/version')).status).toBe(401);

    const dup = await env.cli(['user', 'create', 'ENV', 'bob', '--password', 'whatever-1']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/admin user `bob` already exists/);
    const short = await env.cli(['user', 'create', 'ENV', 'carol', '--password', 'short']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/password: at least 8 characters/);
    const bad: Array<[unknown, RegExp]> = [
      [{ username: 'a b', password: 'long-enough' }, /^username: /],
      [{ username: '<script>', password: 'long-enough' }, /^username: /],
      [{ username: 'x'.repeat(65), password: 'long-enough' }, /^username: /],
      [{ username: '..', password: 'long-enough' }, /^username: cannot be only dots/],
      [{ username: 'carol' }, /^password: a password is required/],
      [{ username: 'carol', password: '' }, /^password: a password is required/],
      [{ username: 'carol', password: 12345678 }, /^password: must be a string/],
      [{ username: 'carol', password: 'x'.repeat(2000) }, /^password: at most 1024/],
      [{ username: 'carol', password: 'long-enough', admin: true }, /^admin: unknown field/],
    ];
    for (const [body, problem] of bad) {
      const r = await env.admin<ApiErr>('POST', '/wharf/admin/users', body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('WHARF_ERR_CONFIG_INVALID');
      expect(r.body.error.details?.problems?.[0]).toMatch(problem);
    }
    const notJson = await env.fetch('/wharf/admin/users', {
      method: 'POST',
      headers: { authorization: basic('bob', 'bob-new-pass'), 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(notJson.status).toBe(400);
    expect((await env.admin('PATCH', '/wharf/admin/users/nobody', { password: 'long-enough' })).status).toBe(404);
    expect((await env.admin('PATCH', '/wharf/admin/users/bob', { password: 'short' })).status).toBe(400);
    expect((await env.admin('DELETE', '/wharf/admin/users/nobody')).status).toBe(404);
    const noAuth = await env.fetch('/wharf/admin/users');
    expect(noAuth.status).toBe(401);

    const del = await env.ok(['user', 'delete', 'ENV', 'bob']);
    expect(del).toContain('bob');
    await eventually(
      async () => (await as(basic('bob', 'bob-new-pass'), 'GET', '/wharf/admin/version')).status === 401,
      10_000,
      "deleted user's credentials refused",
    );
    expect(await env.ok(['user', 'list', 'ENV'])).not.toMatch(/\bbob\b/);
  });

  it('refuses to delete the last user (409)', async () => {
    const password = 'last-one-pass';
    await env.ok(['user', 'create', 'ENV', 'last', '--password', password]);
    const last = basic('last', password);
    for (const u of ['admin', 'alice@example.org', 'wharf.cli']) {
      const r = await as(last, 'DELETE', `/wharf/admin/users/${encodeURIComponent(u)}`);
      expect([u, r.status]).toEqual([u, 200]);
    }
    const r = await as<ApiErr>(last, 'DELETE', '/wharf/admin/users/last');
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/`last` is the last admin user/);
    const users = await as<{ items: Array<{ username: string }> }>(last, 'GET', '/wharf/admin/users');
    expect(users.body.items.map((u) => u.username)).toEqual(['last']);
  });
});
