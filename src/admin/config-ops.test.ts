import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKind } from '../config/registry.js';
import { isEncrypted, MASK, SecretBox } from '../config/secrets.js';
import { WharfError } from '../errors.js';
import { registerBuiltinKinds } from '../kinds.js';
import type { Odb, OdbWriter } from '../odb/odb.js';
import { tempOdb, type TempOdb } from '../../test/support/temp-odb.js';
import { rejectionOf } from '../../test/support/rejection.js';
import { createObject, deleteObject, editObject, PLACEHOLDER_RE, referencesTo, view } from './config-ops.js';

let tmp: TempOdb;
let odb: Odb;
const box = SecretBox.fromHex('0f'.repeat(32));

beforeAll(async () => {
  registerBuiltinKinds();
  tmp = await tempOdb('wharf-config-ops');
  odb = tmp.odb;
});

afterAll(async () => {
  await tmp?.close();
});

const run = <T>(fn: (w: OdbWriter) => Promise<T>): Promise<T> => odb.write(fn).then((r) => r.result);
const create = (kind: string, data: Record<string, unknown>) => run((w) => createObject(w, kind, data, box));
const edit = (kind: string, name: string, patch: Record<string, unknown>) =>
  run((w) => editObject(w, kind, name, patch, box));
const remove = (kind: string, name: string) => run((w) => deleteObject(w, kind, name));

const failure = (p: Promise<unknown>): Promise<WharfError> => rejectionOf(p, WharfError, 'expected an error');

async function rawData(kind: string, name: string): Promise<string | undefined> {
  const r = await odb.db
    .selectFrom('wharf_object')
    .select('data')
    .where('kind', '=', kind)
    .where('name', '=', name)
    .executeTakeFirst();
  return r?.data;
}

describe('create', () => {
  it('validates, applies defaults, stores and bumps the version once', async () => {
    const v0 = await odb.version();
    const obj = await create('channels.http', {
      name: 'crm-get',
      urlPath: '/crm/{id}',
      method: 'GET',
      service: 'crm.get',
    });
    expect(obj).toMatchObject({
      name: 'crm-get',
      active: true,
      urlPath: '/crm/{id}',
      method: 'GET',
      dataFormat: 'json',
      soapVersion: '1.1',
      paramsPriority: 'query',
      paramsOverBody: true,
      maxDepth: 64,
      timeoutMs: 30_000,
    });
    expect(await odb.version()).toBe(v0 + 1);
    expect(await odb.changesSince(v0)).toEqual([
      { version: v0 + 1, kind: 'channels.http', name: 'crm-get', action: 'create' },
    ]);
    expect((await odb.getObject('channels.http', 'crm-get'))?.data).toEqual(obj);
  });

  it('a second object of the same name is 409 OBJECT_EXISTS', async () => {
    await create('config.user', { name: 'dup', values: { a: 1 } });
    const e = await failure(create('config.user', { name: 'dup' }));
    expect(e).toMatchObject({
      code: 'WHARF_ERR_OBJECT_EXISTS',
      status: 409,
      message: 'User config `dup` already exists',
    });
  });

  it('invalid input is a 400 naming each field and the reason; nothing is written', async () => {
    const v0 = await odb.version();
    const e = await failure(
      create('channels.http', { name: 'bad', urlPath: 'no-slash', service: '', bogus: 1, method: 'FETCH' }),
    );
    expect(e).toMatchObject({ code: 'WHARF_ERR_CONFIG_INVALID', status: 400 });
    expect(e.message).toMatch(/^HTTP channel `bad`: /);
    const problems = e.details!['problems'] as string[];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^urlPath: must start with \//),
        expect.stringMatching(/^service: /),
        expect.stringMatching(/^method: /),
        'bogus: unknown field',
      ]),
    );
    expect(await odb.version()).toBe(v0);
    expect(await odb.getObject('channels.http', 'bad')).toBeUndefined();
  });

  it('the /wharf prefix is reserved', async () => {
    const e = await failure(create('channels.http', { name: 'admin-clash', urlPath: '/wharf/admin/x', service: 's' }));
    expect(e.message).toContain('urlPath: the /wharf prefix is reserved for the admin API');
  });

  it('an unknown kind is 404 UNKNOWN_KIND', async () => {
    const e = await failure(create('channels.nope', { name: 'x' }));
    expect(e).toMatchObject({
      code: 'WHARF_ERR_UNKNOWN_KIND',
      status: 404,
      message: 'Unknown object kind `channels.nope`',
    });
  });
});

describe('references', () => {
  it('a channel naming a missing security definition is a 400 naming the field', async () => {
    const e = await failure(
      create('channels.http', { name: 'secured', urlPath: '/secured', service: 's', security: 'no-such-def' }),
    );
    expect(e).toMatchObject({ code: 'WHARF_ERR_CONFIG_INVALID', status: 400 });
    expect(e.details!['problems']).toEqual([
      'security: no HTTP Basic Auth definition or API key definition named `no-such-def`',
    ]);
    expect(e.message).toBe(
      'HTTP channel `secured`: security: no HTTP Basic Auth definition or API key definition named `no-such-def`',
    );
  });

  it('a definition of any security kind satisfies the reference; a referenced one cannot be deleted (409) or renamed', async () => {
    await create('security.apiKey', { name: 'partner-key', key: 'k-12345678' });
    await create('channels.http', { name: 'partner', urlPath: '/partner', service: 's', security: 'partner-key' });
    expect(await run((w) => referencesTo(w, 'security.apiKey', 'partner-key'))).toEqual(['HTTP channel `partner`']);

    const v0 = await odb.version();
    const del = await failure(remove('security.apiKey', 'partner-key'));
    expect(del).toMatchObject({
      code: 'WHARF_ERR_OBJECT_IN_USE',
      status: 409,
      message: 'API key definition `partner-key` is used by HTTP channel `partner`',
      details: { usedBy: ['HTTP channel `partner`'] },
    });
    const ren = await failure(edit('security.apiKey', 'partner-key', { name: 'renamed-key' }));
    expect(ren.code).toBe('WHARF_ERR_OBJECT_IN_USE');
    expect(await odb.version()).toBe(v0);

    await remove('channels.http', 'partner');
    await remove('security.apiKey', 'partner-key');
    expect(await odb.getObject('security.apiKey', 'partner-key')).toBeUndefined();
  });

  it('clearing the reference on the channel frees the definition', async () => {
    await create('security.basicAuth', { name: 'ba', username: 'u', password: 'p' });
    await create('channels.http', { name: 'ba-ch', urlPath: '/ba', service: 's', security: 'ba' });
    await edit('channels.http', 'ba-ch', { security: undefined });
    await remove('security.basicAuth', 'ba');
  });
});

describe('secrets', () => {
  it('are encrypted at rest, returned in clear to the caller, masked in views', async () => {
    const obj = await create('security.basicAuth', { name: 'crm-auth', username: 'crm', password: 'Sup3r$ecret' });
    expect(obj['password']).toBe('Sup3r$ecret');
    const raw = (await rawData('security.basicAuth', 'crm-auth'))!;
    expect(raw).not.toContain('Sup3r$ecret');
    const stored = JSON.parse(raw) as Record<string, unknown>;
    expect(isEncrypted(stored['password'])).toBe(true);
    expect(box.decrypt(stored['password'] as string)).toBe('Sup3r$ecret');
    expect(stored['username']).toBe('crm');

    const v = view(getKind('security.basicAuth'), (await odb.getObject('security.basicAuth', 'crm-auth'))!);
    expect(v).toMatchObject({
      kind: 'security.basicAuth',
      name: 'crm-auth',
      data: { username: 'crm', password: MASK, realm: 'Wharf' },
    });
    expect(typeof v.version).toBe('number');
    expect(JSON.stringify(v)).not.toContain('$enc$');
  });

  it('an edit sending the mask or a placeholder back keeps the stored secret; a new value replaces it', async () => {
    await create('security.basicAuth', { name: 'keep', username: 'u', password: 'first' });
    await edit('security.basicAuth', 'keep', { username: 'u2', password: MASK });
    const read = async (): Promise<string> =>
      box.decrypt(JSON.parse((await rawData('security.basicAuth', 'keep'))!)['password'] as string);
    expect(await read()).toBe('first');
    await edit('security.basicAuth', 'keep', { password: '${WHARF_UNSET_FOR_TEST}' });
    expect(await read()).toBe('first');
    await edit('security.basicAuth', 'keep', { realm: 'R' });
    expect(await read()).toBe('first');
    await edit('security.basicAuth', 'keep', { password: 'second' });
    expect(await read()).toBe('second');
    expect((await odb.getObject('security.basicAuth', 'keep'))!.data).toMatchObject({ username: 'u2', realm: 'R' });
  });

  it('a new object with a placeholder or mask for a secret names the unset variable', async () => {
    const e = await failure(create('security.basicAuth', { name: 'env', username: 'u', password: '${CRM_PASSWORD}' }));
    expect(e.details!['problems']).toEqual(['password: environment variable CRM_PASSWORD is not set']);
    const m = await failure(create('security.basicAuth', { name: 'env', username: 'u', password: MASK }));
    expect(m.details!['problems']).toEqual(['password: a value is required']);
    expect(PLACEHOLDER_RE.test('${A_1}')).toBe(true);
    expect(PLACEHOLDER_RE.test('x${A}')).toBe(false);
  });
});

describe('edit, rename and delete', () => {
  it('edit is a partial update validated as a whole', async () => {
    await create('channels.http', { name: 'partial', urlPath: '/partial', service: 'a', method: 'POST' });
    const obj = await edit('channels.http', 'partial', { service: 'b' });
    expect(obj).toMatchObject({ name: 'partial', urlPath: '/partial', method: 'POST', service: 'b' });
    const e = await failure(edit('channels.http', 'partial', { maxDepth: 0 }));
    expect(e.message).toMatch(/maxDepth: /);
    expect((await odb.getObject('channels.http', 'partial'))!.data['maxDepth']).toBe(64);
  });

  it('a field set to null is removed: back to its default or empty (secrets too); null for a required field is a 400', async () => {
    await create('channels.http', { name: 'nulls', urlPath: '/nulls', service: 'a', maxDepth: 10, timeoutMs: 5000 });
    const obj = await edit('channels.http', 'nulls', { maxDepth: null, timeoutMs: null });
    expect(obj['maxDepth']).toBe(64);
    const data = (await odb.getObject('channels.http', 'nulls'))!.data;
    expect(data['maxDepth']).toBe(64);
    expect(Object.values(data)).not.toContain(null);
    const e = await failure(edit('channels.http', 'nulls', { urlPath: null }));
    expect(e.details!['problems']).toEqual([expect.stringMatching(/^urlPath: /)]);
    expect((await odb.getObject('channels.http', 'nulls'))!.data['urlPath']).toBe('/nulls');
    await create('security.basicAuth', { name: 'null-secret', username: 'u', password: 'p' });
    const s = await failure(edit('security.basicAuth', 'null-secret', { password: null }));
    expect(s.details!['problems']).toEqual([expect.stringMatching(/^password: /)]);
    expect(await failure(edit('channels.http', 'nulls', { name: null }))).toMatchObject({
      code: 'WHARF_ERR_CONFIG_INVALID',
    });
  });

  it('editing or deleting what does not exist is 404', async () => {
    expect(await failure(edit('channels.http', 'ghost', { service: 'x' }))).toMatchObject({
      code: 'WHARF_ERR_OBJECT_NOT_FOUND',
      status: 404,
      message: 'HTTP channel `ghost` does not exist',
    });
    expect((await failure(remove('channels.http', 'ghost'))).code).toBe('WHARF_ERR_OBJECT_NOT_FOUND');
  });

  it('a name in the patch renames: one version, a delete and a create', async () => {
    await create('security.basicAuth', { name: 'old-name', username: 'u', password: 'pw' });
    const v0 = await odb.version();
    const obj = await edit('security.basicAuth', 'old-name', { name: 'new-name' });
    expect(obj.name).toBe('new-name');
    expect(await odb.version()).toBe(v0 + 1);
    expect(await odb.getObject('security.basicAuth', 'old-name')).toBeUndefined();
    const stored = (await odb.getObject('security.basicAuth', 'new-name'))!;
    expect(box.decrypt(stored.data['password'] as string)).toBe('pw');
    expect((await odb.changesSince(v0)).map((c) => `${c.name}:${c.action}`).sort()).toEqual([
      'new-name:create',
      'old-name:delete',
    ]);
  });

  it('renaming onto an existing name is 409', async () => {
    await create('config.user', { name: 'r1' });
    await create('config.user', { name: 'r2' });
    expect(await failure(edit('config.user', 'r1', { name: 'r2' }))).toMatchObject({
      code: 'WHARF_ERR_OBJECT_EXISTS',
      message: 'User config `r2` already exists',
    });
  });

  it('delete removes and records the change', async () => {
    await create('config.user', { name: 'gone' });
    const v0 = await odb.version();
    await remove('config.user', 'gone');
    expect(await odb.getObject('config.user', 'gone')).toBeUndefined();
    expect(await odb.changesSince(v0)).toEqual([
      { version: v0 + 1, kind: 'config.user', name: 'gone', action: 'delete' },
    ]);
  });
});

describe('channel path conflicts', () => {
  it('the same path is fine under different methods, refused under the same method or ANY', async () => {
    await create('channels.http', { name: 'p-get', urlPath: '/paths/{id}', method: 'GET', service: 's' });
    await create('channels.http', { name: 'p-post', urlPath: '/paths/{id}', method: 'POST', service: 's' });
    const same = await failure(
      create('channels.http', { name: 'p-get2', urlPath: '/paths/{other}', method: 'GET', service: 's' }),
    );
    expect(same.details!['problems']).toEqual([
      'urlPath: GET /paths/{other} is already served by channel `p-get` (GET /paths/{id})',
    ]);
    const any = await failure(create('channels.http', { name: 'p-any', urlPath: '/paths/{x}', service: 's' }));
    expect(any.details!['problems']).toHaveLength(2);
  });

  it('an object never conflicts with itself, also when renamed', async () => {
    await create('channels.http', { name: 'self', urlPath: '/self', service: 's' });
    await edit('channels.http', 'self', { service: 't' });
    await edit('channels.http', 'self', { name: 'self-renamed' });
    expect((await odb.getObject('channels.http', 'self-renamed'))!.data['urlPath']).toBe('/self');
  });

  it('moving a channel onto another one’s path is refused', async () => {
    await create('channels.http', { name: 'mv-a', urlPath: '/mv/a', service: 's' });
    await create('channels.http', { name: 'mv-b', urlPath: '/mv/b', service: 's' });
    const e = await failure(edit('channels.http', 'mv-b', { urlPath: '/mv/a' }));
    expect(e.message).toContain('is already served by channel `mv-a`');
  });
});
