import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEnmasse, renderEnmasse } from '../cli/enmasse-file.js';
import { allKinds } from '../config/registry.js';
import { isEncrypted, MASK, SecretBox } from '../config/secrets.js';
import { WharfError } from '../errors.js';
import { registerBuiltinKinds } from '../kinds.js';
import { Odb } from '../odb/odb.js';
import { rejectionOf } from '../../test/support/rejection.js';
import {
  DryRunRollback,
  exportObjects,
  importObjects,
  placeholderName,
  type ImportItem,
  type PlanEntry,
} from './enmasse-ops.js';

const box = SecretBox.fromHex('1e'.repeat(32));
const opened: Odb[] = [];

/** A fresh, migrated in-memory SQLite ODB per test (config-ops and odb tests use temp files). */
async function freshOdb(): Promise<Odb> {
  const odb = await Odb.open({ type: 'sqlite', path: ':memory:' });
  await odb.migrate();
  await odb.init('test');
  opened.push(odb);
  return odb;
}

beforeAll(() => {
  registerBuiltinKinds();
});

afterAll(async () => {
  for (const o of opened) await o.close();
});

let odb: Odb;
beforeEach(async () => {
  odb = await freshOdb();
});

const doImport = (items: ImportItem[], replace = false, db = odb) =>
  db.write((w) => importObjects(w, items, { replace }, box));

async function dryRun(items: ImportItem[], replace = false): Promise<PlanEntry[]> {
  try {
    await odb.write(async (w) => {
      throw new DryRunRollback(await importObjects(w, items, { replace }, box));
    });
  } catch (e) {
    if (e instanceof DryRunRollback) return e.plan;
    throw e;
  }
  throw new Error('unreachable');
}

const refused = (p: Promise<unknown>): Promise<WharfError> =>
  rejectionOf(p, WharfError, 'expected the import to be refused');

const BASE: ImportItem[] = [
  // deliberately out of kind order: channels reference definitions that come later in the file
  {
    kind: 'channels.http',
    line: 10,
    data: { name: 'crm-get', urlPath: '/crm/{id}', method: 'GET', service: 'crm.get', security: 'crm-auth' },
  },
  {
    kind: 'channels.http',
    line: 16,
    data: { name: 'partner', urlPath: '/partner', service: 'p.in', security: 'partner-key' },
  },
  { kind: 'security.basicAuth', line: 2, data: { name: 'crm-auth', username: 'crm', password: 'crm-secret' } },
  { kind: 'security.apiKey', line: 6, data: { name: 'partner-key', key: 'partner-key-123' } },
  { kind: 'config.user', line: 20, data: { name: 'crm', values: { url: 'https://crm' } } },
];

describe('placeholderName', () => {
  it('WHARF_<kind without group>_<name>_<field>, snake upper case', () => {
    expect(placeholderName('security.basicAuth', 'crm-auth', 'password')).toBe('WHARF_BASIC_AUTH_CRM_AUTH_PASSWORD');
    expect(placeholderName('security.apiKey', 'Partner Key.v2', 'key')).toBe('WHARF_API_KEY_PARTNER_KEY_V2_KEY');
    expect(placeholderName('outgoing.http', '__x__', 'clientSecret')).toBe('WHARF_HTTP_X_CLIENT_SECRET');
  });
});

describe('importObjects', () => {
  it('creates everything in kind order, in one version, so references between imported objects resolve', async () => {
    const v0 = await odb.version();
    const { result: plan, version } = await doImport(BASE);
    expect(version).toBe(v0 + 1);
    expect(await odb.version()).toBe(v0 + 1);
    expect(plan).toEqual([
      { kind: 'security.basicAuth', name: 'crm-auth', action: 'create', line: 2 },
      { kind: 'security.apiKey', name: 'partner-key', action: 'create', line: 6 },
      { kind: 'config.user', name: 'crm', action: 'create', line: 20 },
      { kind: 'channels.http', name: 'crm-get', action: 'create', line: 10 },
      { kind: 'channels.http', name: 'partner', action: 'create', line: 16 },
    ]);
    expect((await odb.changesSince(v0)).every((c) => c.version === v0 + 1 && c.action === 'create')).toBe(true);
    const auth = (await odb.getObject('security.basicAuth', 'crm-auth'))!;
    expect(isEncrypted(auth.data['password'])).toBe(true);
    expect(box.decrypt(auth.data['password'] as string)).toBe('crm-secret');
    expect((await odb.getObject('channels.http', 'crm-get'))!.data).toMatchObject({
      method: 'GET',
      dataFormat: 'json',
      active: true,
    });
  });

  it('importing the same objects again is unchanged everywhere, secrets included', async () => {
    await doImport(BASE);
    const { result } = await doImport(BASE);
    expect(result.map((p) => p.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('without --replace an object that differs refuses the whole import, naming line and fields', async () => {
    await doImport(BASE);
    const v0 = await odb.version();
    const items: ImportItem[] = [
      { kind: 'config.user', line: 3, data: { name: 'new-one' } },
      { kind: 'channels.http', line: 7, data: { ...BASE[0]!.data, service: 'crm.get.v2', timeoutMs: 5000 } },
    ];
    const e = await refused(doImport(items));
    expect(e).toMatchObject({ code: 'WHARF_ERR_CONFIG_INVALID', status: 400 });
    expect(e.message).toBe(
      'enmasse import refused, nothing was changed:\nline 7: HTTP channel `crm-get` already exists and differs in service, timeoutMs (use --replace to overwrite)',
    );
    expect(e.details!['problems']).toEqual([
      {
        kind: 'channels.http',
        name: 'crm-get',
        line: 7,
        message: 'HTTP channel `crm-get` already exists and differs in service, timeoutMs (use --replace to overwrite)',
      },
    ]);
    // all or nothing: the valid new object was not written either
    expect(await odb.getObject('config.user', 'new-one')).toBeUndefined();
    expect(await odb.version()).toBe(v0);
  });

  it('with --replace differing objects are updated, listing the changed fields; secrets change silently', async () => {
    await doImport(BASE);
    const items: ImportItem[] = [
      { kind: 'security.basicAuth', line: 1, data: { name: 'crm-auth', username: 'crm', password: 'rotated' } },
      { kind: 'channels.http', line: 5, data: { ...BASE[0]!.data, service: 'crm.get.v2' } },
      { kind: 'config.user', line: 9, data: { name: 'crm', values: { url: 'https://crm' } } },
    ];
    const { result } = await doImport(items, true);
    expect(result).toEqual([
      {
        kind: 'security.basicAuth',
        name: 'crm-auth',
        action: 'edit',
        fields: ['password'],
        diff: [{ field: 'password', from: MASK, to: MASK }],
        line: 1,
      },
      { kind: 'config.user', name: 'crm', action: 'unchanged', line: 9 },
      {
        kind: 'channels.http',
        name: 'crm-get',
        action: 'edit',
        fields: ['service'],
        diff: [{ field: 'service', from: 'crm.get', to: 'crm.get.v2' }],
        line: 5,
      },
    ]);
    expect(box.decrypt((await odb.getObject('security.basicAuth', 'crm-auth'))!.data['password'] as string)).toBe(
      'rotated',
    );
    // --replace does not delete objects missing from the file
    expect(await odb.getObject('channels.http', 'partner')).toBeDefined();
  });

  it('a secret left as a placeholder keeps the stored value (unchanged)', async () => {
    await doImport(BASE);
    const { result } = await doImport(
      [
        {
          kind: 'security.basicAuth',
          line: 1,
          data: { name: 'crm-auth', username: 'crm', password: '${WHARF_BASIC_AUTH_CRM_AUTH_PASSWORD}' },
        },
      ],
      true,
    );
    expect(result[0]!.action).toBe('unchanged');
    expect(box.decrypt((await odb.getObject('security.basicAuth', 'crm-auth'))!.data['password'] as string)).toBe(
      'crm-secret',
    );
  });

  it('collects every problem with its line, sorted, and writes nothing', async () => {
    const items: ImportItem[] = [
      { kind: 'channels.http', line: 30, data: { name: 'dangling', urlPath: '/d', service: 's', security: 'nobody' } },
      { kind: 'channels.smtp', line: 12, data: { name: 'x' } },
      { kind: 'security.basicAuth', line: 20, data: { name: 'env-auth', username: 'u', password: '${UNSET_VAR}' } },
      { kind: 'config.user', line: 2, data: { name: 'ok' } },
      { kind: 'config.user', line: 5, data: { name: 'ok' } },
      { kind: 'channels.http', line: 40, data: { name: 'bad-field', urlPath: '/b', service: 's', colour: 'red' } },
    ];
    const e = await refused(doImport(items));
    expect(e.message.split('\n')).toEqual([
      'enmasse import refused, nothing was changed:',
      'line 5: User config `ok` appears twice in the file',
      'line 12: unknown object kind `channels.smtp`',
      'line 20: HTTP Basic Auth definition `env-auth`: password: environment variable UNSET_VAR is not set',
      'line 30: HTTP channel `dangling`: security: no HTTP Basic Auth definition or API key definition named `nobody`',
      'line 40: HTTP channel `bad-field`: colour: unknown field',
    ]);
    expect(await odb.listObjects()).toEqual([]);
    expect(await odb.version()).toBe(0);
  });

  it('path conflicts inside the file and against stored channels are found', async () => {
    await doImport([BASE[2]!, BASE[0]!]);
    const items: ImportItem[] = [
      {
        kind: 'channels.http',
        line: 1,
        data: { name: 'clash-stored', urlPath: '/crm/{other}', method: 'GET', service: 's' },
      },
      { kind: 'channels.http', line: 5, data: { name: 'twin-a', urlPath: '/twin', service: 's' } },
      { kind: 'channels.http', line: 9, data: { name: 'twin-b', urlPath: '/twin', service: 's' } },
    ];
    const e = await refused(doImport(items));
    const problems = e.details!['problems'] as Array<{ line: number; message: string }>;
    expect(problems.find((p) => p.line === 1)?.message).toContain('is already served by channel `crm-get`');
    expect(problems.some((p) => p.line === 5 || p.line === 9)).toBe(true);
  });

  it('items without a line are reported without one', async () => {
    const e = await refused(doImport([{ kind: 'nope.kind', data: { name: 'x' } }]));
    expect(e.message).toBe('enmasse import refused, nothing was changed:\nunknown object kind `nope.kind`');
  });
});

describe('dry run', () => {
  it('returns the plan and rolls everything back, version included', async () => {
    await doImport([BASE[4]!]);
    const v0 = await odb.version();
    const plan = await dryRun(
      [...BASE.slice(0, 4), { kind: 'config.user', line: 20, data: { name: 'crm', values: { url: 'changed' } } }],
      true,
    );
    expect(plan.map((p) => `${p.name}:${p.action}`)).toEqual([
      'crm-auth:create',
      'partner-key:create',
      'crm:edit',
      'crm-get:create',
      'partner:create',
    ]);
    expect(plan.find((p) => p.name === 'crm')?.fields).toEqual(['values']);
    expect(await odb.version()).toBe(v0);
    expect(await odb.getObject('security.basicAuth', 'crm-auth')).toBeUndefined();
    expect((await odb.getObject('config.user', 'crm'))!.data['values']).toEqual({ url: 'https://crm' });
  });

  it('a dry run with problems reports them the same way', async () => {
    await expect(dryRun([{ kind: 'config.user', line: 3, data: { name: '' } }])).rejects.toThrow(
      /^enmasse import refused, nothing was changed:\nline 3: /,
    );
  });
});

describe('exportObjects', () => {
  it('kinds in registration order, names sorted, fields in schema order, secrets as ${WHARF_...} placeholders', async () => {
    await doImport([
      ...BASE,
      { kind: 'security.basicAuth', line: 3, data: { name: 'a-first', username: 'x', password: 'y' } },
      { kind: 'channels.http', line: 30, data: { service: 'z', urlPath: '/z', name: 'aaa' } },
    ]);
    const out = await exportObjects(odb, box);
    const order = allKinds().map((k) => k.id);
    const kindsOut = out.map((o) => o.kind);
    expect([...kindsOut].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(kindsOut);
    expect(out.filter((o) => o.kind === 'channels.http').map((o) => o.data['name'])).toEqual([
      'aaa',
      'crm-get',
      'partner',
    ]);
    expect(out.filter((o) => o.kind === 'security.basicAuth').map((o) => o.data['name'])).toEqual([
      'a-first',
      'crm-auth',
    ]);
    const auth = out.find((o) => o.data['name'] === 'crm-auth')!;
    expect(auth.data).toEqual({
      name: 'crm-auth',
      active: true,
      username: 'crm',
      password: '${WHARF_BASIC_AUTH_CRM_AUTH_PASSWORD}',
      realm: 'Wharf',
    });
    expect(Object.keys(auth.data)).toEqual(['name', 'active', 'username', 'password', 'realm']);
    expect(out.find((o) => o.data['name'] === 'partner-key')!.data['key']).toBe('${WHARF_API_KEY_PARTNER_KEY_KEY}');
    const ch = out.find((o) => o.data['name'] === 'aaa')!;
    expect(Object.keys(ch.data).slice(0, 5)).toEqual(['name', 'active', 'urlPath', 'method', 'service']);
    expect(JSON.stringify(out)).not.toMatch(/crm-secret|\$enc\$/);
  });

  it('export → import into the same ODB is all unchanged', async () => {
    await doImport(BASE);
    const exported = await exportObjects(odb, box);
    const { result } = await doImport(exported.map((o) => ({ kind: o.kind, data: o.data })));
    expect(new Set(result.map((p) => p.action))).toEqual(new Set(['unchanged']));
  });

  it('export → YAML → import into a fresh ODB (secrets from env) → export gives the identical file', async () => {
    await doImport(BASE);
    const first = renderEnmasse(await exportObjects(odb, box), '# export\n');
    const env = { WHARF_BASIC_AUTH_CRM_AUTH_PASSWORD: 'crm-secret', WHARF_API_KEY_PARTNER_KEY_KEY: 'partner-key-123' };
    const items = parseEnmasse(first, 'export.yaml', env);
    const other = await freshOdb();
    const { result } = await doImport(items, false, other);
    expect(result.every((p) => p.action === 'create')).toBe(true);
    const second = renderEnmasse(await exportObjects(other, box), '# export\n');
    expect(second).toBe(first);
    expect(box.decrypt((await other.getObject('security.apiKey', 'partner-key'))!.data['key'] as string)).toBe(
      'partner-key-123',
    );
  });

  it('into a fresh ODB without the env, the placeholders are refused by name', async () => {
    await doImport(BASE);
    const items = parseEnmasse(renderEnmasse(await exportObjects(odb, box), ''), 'export.yaml', {});
    const e = await refused(doImport(items, false, await freshOdb()));
    expect(e.message).toContain('password: environment variable WHARF_BASIC_AUTH_CRM_AUTH_PASSWORD is not set');
    expect(e.message).toContain('key: environment variable WHARF_API_KEY_PARTNER_KEY_KEY is not set');
  });

  it('an empty ODB exports nothing', async () => {
    expect(await exportObjects(odb, box)).toEqual([]);
  });
});

describe("importObjects: checks see the file's own version of the objects it changes (regression, fixed in 39f01a3)", () => {
  it('moving channel A off a path and adding B on it works whatever their order in the file', async () => {
    await doImport([{ kind: 'channels.http', line: 1, data: { name: 'a', urlPath: '/orders', service: 's' } }]);
    const file: ImportItem[] = [
      // B first: its path check must compare against A as in this file (/orders/v1), not as stored (/orders)
      { kind: 'channels.http', line: 2, data: { name: 'b', urlPath: '/orders', service: 's2' } },
      { kind: 'channels.http', line: 6, data: { name: 'a', urlPath: '/orders/v1', service: 's' } },
    ];
    const { result } = await doImport(file, true);
    expect(result.map((p) => `${p.name}:${p.action}`)).toEqual(['b:create', 'a:edit']);
  });
});
