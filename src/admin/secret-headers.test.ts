/**
 * Secret outgoing headers (issue 13): `outgoing.http` / `outgoing.soap` headers named in
 * `secretHeaders` (default Authorization and Proxy-Authorization, any case) are encrypted at rest,
 * masked in admin reads, exported as placeholders, kept when the mask comes back, opened for the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnmasse, renderEnmasse } from '../cli/enmasse-file.js';
import { getKind } from '../config/registry.js';
import { isEncrypted, MASK, maskFields, openFields, sealFields, SecretBox } from '../config/secrets.js';
import { WharfError } from '../errors.js';
import { registerBuiltinKinds } from '../kinds.js';
import { Odb } from '../odb/odb.js';
import { rejectionOf } from '../../test/support/rejection.js';
import { createObject, editObject, view } from './config-ops.js';
import { exportObjects, importObjects, type ImportItem } from './enmasse-ops.js';
import { historyDetail, listHistory } from './history-ops.js';

const box = SecretBox.fromHex('2a'.repeat(32));
const TOKEN = 'Bearer tok-7f3a9c';
let odb: Odb;

beforeAll(async () => {
  registerBuiltinKinds();
  odb = await Odb.open({ type: 'sqlite', path: ':memory:' });
  await odb.migrate();
  await odb.init('test');
});
afterAll(async () => {
  await odb?.close();
});

const run = <T>(fn: (w: Parameters<Parameters<Odb['write']>[0]>[0]) => Promise<T>): Promise<T> =>
  odb.write(fn).then((r) => r.result);
const raw = async (kind: string, name: string): Promise<Record<string, unknown>> =>
  (await odb.getObject(kind, name))!.data;
const headersOf = (d: Record<string, unknown>): Record<string, string> => d['headers'] as Record<string, string>;

describe('secret header entries in secrets.ts', () => {
  const specs = (): ReturnType<typeof getKind>['secrets'] => getKind('outgoing.http').secrets;

  it('seal encrypts only the secret headers (any case); open gives them back; mask hides them', () => {
    const data = {
      name: 'x',
      headers: { AUTHORIZATION: TOKEN, 'X-Api-Key': 'k1', Accept: 'application/json' },
      secretHeaders: ['authorization', 'x-api-key'],
    };
    const sealed = sealFields(box, data, specs());
    expect(isEncrypted(headersOf(sealed)['AUTHORIZATION'])).toBe(true);
    expect(isEncrypted(headersOf(sealed)['X-Api-Key'])).toBe(true);
    expect(headersOf(sealed)['Accept']).toBe('application/json');
    expect(data.headers.AUTHORIZATION).toBe(TOKEN); // the input is not changed
    expect(openFields(box, sealed, specs())).toEqual(data);
    expect(headersOf(maskFields(sealed, specs()))).toEqual({
      AUTHORIZATION: MASK,
      'X-Api-Key': MASK,
      Accept: 'application/json',
    });
  });

  it('an object without secretHeaders (stored before it existed) uses the defaults: Authorization, Proxy-Authorization', () => {
    const old = { name: 'x', headers: { authorization: TOKEN, 'Proxy-Authorization': 'Basic cHg=', 'X-Trace': '1' } };
    expect(headersOf(maskFields(old, specs()))).toEqual({
      authorization: MASK,
      'Proxy-Authorization': MASK,
      'X-Trace': '1',
    });
    expect(getKind('outgoing.http').schema.parse({ name: 'x', address: 'http://h' })['secretHeaders']).toEqual([
      'authorization',
      'proxy-authorization',
    ]);
    expect(getKind('outgoing.soap').schema.parse({ name: 'x', address: 'http://h' })['secretHeaders']).toEqual([
      'authorization',
      'proxy-authorization',
    ]);
  });
});

describe('admin operations on secret headers', () => {
  it('create: the ODB row holds no clear token; a view is masked; the connector config is clear', async () => {
    const obj = await run((w) =>
      createObject(
        w,
        'outgoing.http',
        { name: 'crm', address: 'http://127.0.0.1:1', headers: { Authorization: TOKEN, 'X-Tenant': 'acme' } },
        box,
      ),
    );
    expect(headersOf(obj)['Authorization']).toBe(TOKEN);
    const stored = await raw('outgoing.http', 'crm');
    expect(JSON.stringify(stored)).not.toContain('tok-7f3a9c');
    expect(isEncrypted(headersOf(stored)['Authorization'])).toBe(true);
    expect(headersOf(stored)['X-Tenant']).toBe('acme');
    const v = view(getKind('outgoing.http'), (await odb.getObject('outgoing.http', 'crm'))!);
    expect(headersOf(v.data)).toEqual({ Authorization: MASK, 'X-Tenant': 'acme' });
    expect(headersOf(openFields(box, stored, getKind('outgoing.http').secrets))['Authorization']).toBe(TOKEN);
  });

  it('edit: the mask (or a placeholder) sent back keeps the stored value, in any case of the name; a new value replaces it', async () => {
    const token = async (): Promise<string> =>
      box.decrypt(headersOf(await raw('outgoing.http', 'crm'))['Authorization']!);
    await run((w) =>
      editObject(w, 'outgoing.http', 'crm', { headers: { Authorization: MASK, 'X-Tenant': 'globex' } }, box),
    );
    expect(await token()).toBe(TOKEN);
    expect(headersOf(await raw('outgoing.http', 'crm'))['X-Tenant']).toBe('globex');
    await run((w) =>
      editObject(
        w,
        'outgoing.http',
        'crm',
        { headers: { Authorization: '${WHARF_UNSET_HERE}', 'X-Tenant': 'globex' } },
        box,
      ),
    );
    expect(await token()).toBe(TOKEN);
    await run((w) => editObject(w, 'outgoing.http', 'crm', { timeoutMs: 900 }, box));
    expect(await token()).toBe(TOKEN);
    await run((w) => editObject(w, 'outgoing.http', 'crm', { headers: { Authorization: 'Bearer new-one' } }, box));
    expect(await token()).toBe('Bearer new-one');
  });

  it('a mask for a header that has no stored value is refused naming it', async () => {
    const e = await rejectionOf(
      run((w) =>
        createObject(w, 'outgoing.http', { name: 'nope', address: 'http://h', headers: { Authorization: MASK } }, box),
      ),
      WharfError,
      'refused',
    );
    expect(e.details!['problems']).toEqual(['headers.Authorization: a value is required']);
  });

  it('secretHeaders chooses which: a custom header becomes secret, a header left out stays clear', async () => {
    await run((w) =>
      createObject(
        w,
        'outgoing.soap',
        {
          name: 'soap-key',
          address: 'http://h',
          headers: { 'X-Api-Key': 'k-123', Authorization: 'Basic YTpi' },
          secretHeaders: ['x-api-key'],
        },
        box,
      ),
    );
    const stored = headersOf(await raw('outgoing.soap', 'soap-key'));
    expect(isEncrypted(stored['X-Api-Key'])).toBe(true);
    expect(stored['Authorization']).toBe('Basic YTpi');
    const bad = await rejectionOf(
      run((w) =>
        createObject(w, 'outgoing.http', { name: 'bad', address: 'http://h', secretHeaders: ['not a header'] }, box),
      ),
      WharfError,
      'refused',
    );
    expect(bad.message).toMatch(/secretHeaders\.0: must be a header name/);
  });

  it('history shows the headers masked and a re-save of the same token is not a change', async () => {
    const page = await listHistory(odb, { limit: 10, kind: 'outgoing.http', name: 'crm' }, box);
    const timeout = page.items.find((i) => i.summary?.includes('timeoutMs'));
    expect(timeout?.summary).toBe('changed: timeoutMs');
    const d = await historyDetail(odb, page.items[0]!.version, 'outgoing.http', 'crm');
    expect(JSON.stringify(d)).not.toMatch(/new-one|tok-7f3a9c|\$enc\$/);
    expect(headersOf(d.current!)['Authorization']).toBe(MASK);
  });
});

describe('enmasse and secret headers', () => {
  it('export: secret headers as ${WHARF_...} placeholders; import with the env restores them; without it keeps stored values', async () => {
    const out = await exportObjects(odb, box);
    const crm = out.find((o) => o.kind === 'outgoing.http' && o.data['name'] === 'crm')!;
    expect(headersOf(crm.data)).toEqual({ Authorization: '${WHARF_HTTP_CRM_HEADERS_AUTHORIZATION}' });
    expect(JSON.stringify(out)).not.toMatch(/new-one|k-123|\$enc\$/);
    const yaml = renderEnmasse(out, '');
    // a fresh ODB: the env gives the values
    const fresh = await Odb.open({ type: 'sqlite', path: ':memory:' });
    try {
      await fresh.migrate();
      await fresh.init('test');
      const items: ImportItem[] = parseEnmasse(yaml, 'x.yaml', {
        WHARF_HTTP_CRM_HEADERS_AUTHORIZATION: 'Bearer from-env',
        WHARF_SOAP_SOAP_KEY_HEADERS_X_API_KEY: 'k-env',
      });
      await fresh.write((w) => importObjects(w, items, { replace: false }, box));
      expect(box.decrypt(headersOf((await fresh.getObject('outgoing.http', 'crm'))!.data)['Authorization']!)).toBe(
        'Bearer from-env',
      );
      // without the env in a fresh ODB: refused by name
      const bare = parseEnmasse(yaml, 'x.yaml', {});
      const again = await Odb.open({ type: 'sqlite', path: ':memory:' });
      await again.migrate();
      await again.init('test');
      const e = await rejectionOf(
        again.write((w) => importObjects(w, bare, { replace: false }, box)),
        WharfError,
        'refused',
      );
      expect(e.message).toContain(
        'headers.Authorization: environment variable WHARF_HTTP_CRM_HEADERS_AUTHORIZATION is not set',
      );
      await again.close();
    } finally {
      await fresh.close();
    }
    // into the same ODB without the env: unchanged, the stored token kept
    const plan = await odb.write((w) => importObjects(w, parseEnmasse(yaml, 'x.yaml', {}), { replace: true }, box));
    expect(plan.result.find((p) => p.name === 'crm')?.action).toBe('unchanged');
    expect(box.decrypt(headersOf(await raw('outgoing.http', 'crm'))['Authorization']!)).toBe('Bearer new-one');
  });

  it('an import that changes a secret header shows it masked in the plan', async () => {
    const plan = await odb.write((w) =>
      importObjects(
        w,
        [
          {
            kind: 'outgoing.http',
            data: {
              name: 'crm',
              address: 'http://127.0.0.1:1',
              timeoutMs: 900,
              headers: { Authorization: 'Bearer third' },
            },
          },
        ],
        { replace: true },
        box,
      ),
    );
    const e = plan.result.find((p) => p.name === 'crm')!;
    expect(e.action).toBe('edit');
    expect(JSON.stringify(e.diff)).not.toMatch(/third|new-one/);
    expect(e.diff).toEqual([{ field: 'headers', from: { Authorization: MASK }, to: { Authorization: MASK } }]);
  });
});
