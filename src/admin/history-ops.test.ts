import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEncrypted, MASK, SecretBox } from '../config/secrets.js';
import { WharfError } from '../errors.js';
import { registerBuiltinKinds } from '../kinds.js';
import type { Odb } from '../odb/odb.js';
import { tempOdb, type TempOdb } from '../../test/support/temp-odb.js';
import { rejectionOf } from '../../test/support/rejection.js';
import { createObject, deleteObject, editObject } from './config-ops.js';
import { historyDetail, listHistory, parseHistoryQuery, planRestore, restoreObject } from './history-ops.js';
import { createUser, deleteUser, setPassword } from './user-routes.js';

let tmp: TempOdb;
let odb: Odb;
const box = SecretBox.fromHex('0e'.repeat(32));
const failure = (p: Promise<unknown>): Promise<WharfError> => rejectionOf(p, WharfError, 'expected an error');

beforeAll(async () => {
  registerBuiltinKinds();
  tmp = await tempOdb('wharf-history-ops');
  odb = tmp.odb;
});

afterAll(async () => {
  await tmp?.close();
});

const SEC = 'security.basicAuth';
const raw = async (name: string): Promise<Record<string, unknown>> => (await odb.getObject(SEC, name))!.data;

describe('history list', () => {
  it('parses and checks the query', () => {
    expect(parseHistoryQuery({})).toEqual({ kind: undefined, name: undefined, before: undefined, limit: 50 });
    expect(parseHistoryQuery({ kind: 'k', name: 'n', limit: '500', before: '7' })).toEqual({
      kind: 'k',
      name: 'n',
      before: 7,
      limit: 500,
    });
    expect(parseHistoryQuery({ kind: '', limit: '1' })).toMatchObject({ kind: undefined, limit: 1 });
    for (const [q, problem] of [
      [{ limit: '0' }, /^limit: /],
      [{ limit: '1e3' }, /^limit: /],
      [{ limit: '-5' }, /^limit: /],
      [{ before: '0' }, /^before: /],
      [{ before: '1.5' }, /^before: /],
      [{ before: '99999999999999999999' }, /^before: /],
      [{ before: '2147483648' }, /^before: /],
      [{ kind: ['a', 'b'] }, /^kind: give it once/],
      [{ name: 'x'.repeat(201) }, /^name: at most 200/],
      [{ x: '1' }, /^x: unknown parameter/],
    ] as const) {
      let err: unknown;
      try {
        parseHistoryQuery(q as Record<string, string | string[]>);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WharfError);
      expect((err as WharfError).details?.['problems']).toEqual([expect.stringMatching(problem)]);
    }
  });

  it('never splits a version across pages; next is the last version shown', async () => {
    const { version: vMany } = await odb.write(
      async (w) => {
        for (const n of ['m1', 'm2', 'm3', 'm4', 'm5'])
          await createObject(w, 'config.user', { name: n, values: { n } }, box);
      },
      { who: 'importer' },
    );
    const { version: vOne } = await odb.write(
      (w) => createObject(w, 'config.user', { name: 'single', values: {} }, box),
      { who: 'alice' },
    );
    // limit 2: the newest version (1 change) + not a partial of the 5 → stop before it
    const p1 = await listHistory(odb, { kind: 'config.user', limit: 2 });
    expect(p1.items.map((i) => i.name)).toEqual(['single']);
    expect(p1.next).toBe(vOne);
    // limit 2 below vOne: the version of 5 comes whole
    const p2 = await listHistory(odb, { kind: 'config.user', limit: 2, before: p1.next });
    expect(p2.items.map((i) => [i.version, i.name, i.who])).toEqual(
      ['m1', 'm2', 'm3', 'm4', 'm5'].map((n) => [vMany, n, 'importer']),
    );
    expect(p2.next).toBe(vMany);
    const p3 = await listHistory(odb, { kind: 'config.user', limit: 2, before: p2.next });
    expect(p3).toEqual({ items: [] });
    // exactly limit items, none beyond: no next
    expect((await listHistory(odb, { kind: 'config.user', limit: 6 })).next).toBeUndefined();
  });

  it('summaries: changed field names (never values); a re-sealed unchanged secret is not a change; deploys name the hash', async () => {
    await odb.write((w) => createObject(w, SEC, { name: 'sum', username: 'u', password: 'secret-1' }, box));
    const e1 = await odb.write((w) => editObject(w, SEC, 'sum', { realm: 'R' }, box));
    const e2 = await odb.write((w) => editObject(w, SEC, 'sum', { password: 'secret-2', username: 'v' }, box));
    const e3 = await odb.write((w) => editObject(w, SEC, 'sum', {}, box));
    await odb.write((w) =>
      w.putModule({ name: 'm.ts', source: 'x', hash: 'abcdef0123456789', services: ['a', 'b'], deployedFrom: 't' }),
    );
    const page = await listHistory(odb, { limit: 5 }, box);
    const byVersion = new Map(page.items.map((i) => [i.version, i.summary]));
    expect(byVersion.get(e1.version)).toBe('changed: realm');
    expect(byVersion.get(e2.version)).toBe('changed: password, username');
    expect(byVersion.get(e3.version)).toBe('no field changed');
    expect(page.items[0]).toMatchObject({
      kind: 'service.module',
      action: 'deploy',
      summary: 'hash abcdef012345; services: a, b',
    });
    expect(JSON.stringify(page)).not.toMatch(/secret-|\$enc\$/);
  });
});

describe('history detail and restore', () => {
  it('detail masks secrets in the version and the current data; 404 before it existed or past the latest version', async () => {
    const c = await odb.write((w) => createObject(w, SEC, { name: 'det', username: 'u', password: 'pw-1' }, box), {
      who: 'bob',
    });
    await odb.write((w) => editObject(w, SEC, 'det', { password: 'pw-2', realm: 'X' }, box));
    const d = await historyDetail(odb, c.version, SEC, 'det');
    expect(d).toMatchObject({
      version: c.version,
      who: 'bob',
      action: 'create',
      data: { password: MASK, realm: 'Wharf' },
      current: { password: MASK, realm: 'X' },
    });
    expect((await failure(historyDetail(odb, c.version - 1, SEC, 'det'))).message).toMatch(
      /`det` did not exist at config version/,
    );
    expect((await failure(historyDetail(odb, (await odb.version()) + 1, SEC, 'det'))).status).toBe(404);
    expect((await failure(historyDetail(odb, c.version, 'no.kind', 'det'))).code).toBe('WHARF_ERR_UNKNOWN_KIND');
  });

  it('restore writes a new version with the secret exactly as stored then (no re-encryption, no double encryption)', async () => {
    const c = await odb.write((w) => createObject(w, SEC, { name: 'rs', username: 'u', password: 'first-pw' }, box));
    const sealedThen = (await raw('rs'))['password'];
    expect(isEncrypted(sealedThen)).toBe(true);
    await odb.write((w) => editObject(w, SEC, 'rs', { password: 'second-pw', realm: 'Later' }, box));
    const plan = await planRestore(odb, SEC, 'rs', { version: c.version });
    const r = await odb.write((w) => restoreObject(w, plan, box), { who: 'carol' });
    expect(r.result).toBe('edit');
    const now = await raw('rs');
    expect(now['password']).toBe(sealedThen);
    expect(box.decrypt(now['password'] as string)).toBe('first-pw');
    expect(now['realm']).toBe('Wharf');
    expect(await odb.objectAt(r.version, SEC, 'rs')).toMatchObject({ action: 'edit', who: 'carol' });
    expect((await odb.objectAt(c.version, SEC, 'rs'))?.action).toBe('create'); // history not rewritten
  });

  it('restore re-creates a deleted object; refuses a version where it was deleted or not there, bad bodies, and invalid references', async () => {
    await odb.write((w) => createObject(w, SEC, { name: 'ref-sec', username: 'u', password: 'pw-xyz' }, box));
    const c = await odb.write((w) =>
      createObject(w, 'channels.http', { name: 'rch', urlPath: '/rch', service: 's', security: 'ref-sec' }, box),
    );
    const del = await odb.write((w) => deleteObject(w, 'channels.http', 'rch'));
    expect((await failure(planRestore(odb, 'channels.http', 'rch', { version: del.version }))).status).toBe(404);
    expect((await failure(planRestore(odb, 'channels.http', 'rch', { version: c.version - 1 }))).status).toBe(404);
    for (const body of [
      {},
      { version: '0' },
      { version: -1 },
      { version: 'abc' },
      { version: 2 ** 31 },
      { version: [1] },
      { version: c.version, more: 1 },
    ]) {
      expect((await failure(planRestore(odb, 'channels.http', 'rch', body))).code).toBe('WHARF_ERR_CONFIG_INVALID');
    }
    const plan = await planRestore(odb, 'channels.http', 'rch', { version: String(c.version) });
    const r = await odb.write((w) => restoreObject(w, plan, box));
    expect(r.result).toBe('create');
    expect((await odb.getObject('channels.http', 'rch'))?.data).toMatchObject({ urlPath: '/rch', security: 'ref-sec' });
    // its security definition gone: the old version no longer validates, nothing is written
    await odb.write(async (w) => {
      await deleteObject(w, 'channels.http', 'rch');
      await deleteObject(w, SEC, 'ref-sec');
    });
    const v = await odb.version();
    const old = await planRestore(odb, 'channels.http', 'rch', { version: c.version }); // outside the write (SQLite: one connection)
    const e = await failure(odb.write((w) => restoreObject(w, old, box)));
    expect(e.code).toBe('WHARF_ERR_CONFIG_INVALID');
    expect(e.details?.['problems']).toEqual([expect.stringMatching(/^security: no .*`ref-sec`/)]);
    expect(await odb.version()).toBe(v);
  });
});

describe('changes recorded before history kept data', () => {
  it('detail and restore use the current data when the object has not changed since, else 404', async () => {
    const c = await odb.write((w) => createObject(w, SEC, { name: 'pre', username: 'u', password: 'pw-pre' }, box));
    await odb.db.updateTable('wharf_change').set({ data: null }).where('version', '=', c.version).execute();
    expect(await historyDetail(odb, c.version, SEC, 'pre')).toMatchObject({
      data: { username: 'u', password: MASK },
      current: { username: 'u' },
    });
    expect((await planRestore(odb, SEC, 'pre', { version: c.version })).data['username']).toBe('u');
    await odb.write((w) => editObject(w, SEC, 'pre', { username: 'v' }, box));
    expect((await failure(historyDetail(odb, c.version, SEC, 'pre'))).message).toMatch(/has no recorded data/);
    expect((await failure(planRestore(odb, SEC, 'pre', { version: c.version }))).status).toBe(404);
  });
});

describe('users', () => {
  it('create, password, delete; the last one stays', async () => {
    expect(await createUser(odb, { username: 'u1@x.org', password: 'password-1' })).toEqual({ created: 'u1@x.org' });
    expect((await failure(createUser(odb, { username: 'u1@x.org', password: 'password-1' }))).status).toBe(409);
    expect((await failure(createUser(odb, { username: 'u 2', password: 'password-1' }))).details?.['problems']).toEqual(
      [expect.stringMatching(/^username: /)],
    );
    expect((await failure(createUser(odb, { username: 'u2', password: 'short' }))).details?.['problems']).toEqual([
      'password: at least 8 characters',
    ]);
    expect((await failure(createUser(odb, {}))).details?.['problems']).toEqual([
      'username: a username is required',
      'password: a password is required',
    ]);
    expect(await setPassword(odb, 'u1@x.org', { password: 'password-2' })).toEqual({ updated: 'u1@x.org' });
    expect((await failure(setPassword(odb, 'nobody', { password: 'password-2' }))).status).toBe(404);
    expect(
      (await failure(setPassword(odb, 'u1@x.org', { password: 'password-2', username: 'x' }))).details?.['problems'],
    ).toEqual(['username: unknown field (password)']);
    await createUser(odb, { username: 'u2', password: 'password-1' });
    expect(await deleteUser(odb, 'u2')).toEqual({ deleted: 'u2' });
    expect((await failure(deleteUser(odb, 'u2'))).status).toBe(404);
    expect((await failure(deleteUser(odb, '../x'))).status).toBe(404);
    const e = await failure(deleteUser(odb, 'u1@x.org'));
    expect([e.status, e.message]).toEqual([409, '`u1@x.org` is the last admin user; create another one first']);
  });
});
