/**
 * BUG-DEMONSTRATING TEST (see the test report): asserts the correct behaviour and fails until
 * src/admin/config-ops.ts (validate's CheckContext) is fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../config/secrets.js';
import { registerBuiltinKinds } from '../kinds.js';
import { Odb } from '../odb/odb.js';
import { importObjects, type ImportItem } from './enmasse-ops.js';

const box = SecretBox.fromHex('2a'.repeat(32));
let odb: Odb;

beforeAll(async () => {
  registerBuiltinKinds();
  odb = await Odb.open({ type: 'sqlite', path: ':memory:' });
  await odb.migrate();
  await odb.init('test');
});
afterAll(async () => odb?.close());

describe('BUG enmasse import: checks see the stored version of objects the file changes', () => {
  it('BUG-15: moving channel A off a path and adding B on it works whatever their order in the file', async () => {
    await odb.write((w) => importObjects(w, [{ kind: 'channels.http', line: 1, data: { name: 'a', urlPath: '/orders', service: 's' } }], { replace: false }, box));
    const file: ImportItem[] = [
      // B first: its path check compares against A as STORED (/orders), not as in this file (/orders/v1)
      { kind: 'channels.http', line: 2, data: { name: 'b', urlPath: '/orders', service: 's2' } },
      { kind: 'channels.http', line: 6, data: { name: 'a', urlPath: '/orders/v1', service: 's' } },
    ];
    // today: "line 2: HTTP channel `b`: urlPath: ANY /orders is already served by channel `a` (ANY /orders)"
    const { result } = await odb.write((w) => importObjects(w, file, { replace: true }, box));
    expect(result.map((p) => `${p.name}:${p.action}`)).toEqual(['b:create', 'a:edit']);
  });
});
