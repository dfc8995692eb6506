/**
 * The seed example, tested with wharf-esb/testing and no server: its Swift puts are recorded, a missing
 * target is refused as the channel refuses it, and a missing Swift connection is named. The module is
 * loaded as a server deploys it (loadServices), so its `import ... from 'wharf-esb'` is this very Wharf.
 * The last test runs the node:test version of these tests (invoice-dispatcher.node-test.mjs) against
 * the built package (dist/, `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { WharfError } from '../src/errors.js';
import type { AnyServiceClass } from '../src/service/service.js';
import { fakeSwift, loadServices, testService } from '../src/testing/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const body = '{"id":"123"}';

describe('examples/invoice-dispatcher.ts with wharf-esb/testing', () => {
  let dispatcher: AnyServiceClass;
  beforeAll(async () => {
    dispatcher = (await loadServices(new URL('./invoice-dispatcher.ts', import.meta.url)))['invoice.dispatcher']!;
  });

  it('stores the request body as object Invoice in one container per target', async () => {
    const swift = fakeSwift();
    const r = await testService(dispatcher, { format: 'json', body, query: { target: ['CRM', 'Billing'] }, cloud: { swift: { 'Invoice Dispatcher': swift } } });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(swift.puts.map((p) => ({ container: p.container, name: p.name, body: p.text() }))).toEqual([
      { container: 'CRM', name: 'Invoice', body },
      { container: 'Billing', name: 'Invoice', body },
    ]);
  });

  it('refuses a request without a target, as the channel does, and stores nothing', async () => {
    const swift = fakeSwift();
    const call = testService(dispatcher, { format: 'json', body, cloud: { swift: { 'Invoice Dispatcher': swift } } });
    await expect(call).rejects.toBeInstanceOf(WharfError);
    await expect(call).rejects.toMatchObject({ code: 'WHARF_ERR_MISSING_ELEMENT', status: 400, message: 'Missing required element `target`' });
    expect(swift.puts).toHaveLength(0);
  });

  it('names the Swift connection the test did not give', async () => {
    await expect(testService(dispatcher, { input: { target: ['CRM'] }, raw: body })).rejects.toMatchObject({
      code: 'WHARF_ERR_NO_SUCH_CONNECTION',
      message: 'No OpenStack Swift connection named `Invoice Dispatcher`',
    });
  });

  it('the node:test version passes against the built package (import from wharf-esb/testing)', () => {
    expect(existsSync(`${ROOT}/dist/testing/index.js`), 'dist/testing/index.js is missing: run `npm run build` first').toBe(true);
    const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'examples/invoice-dispatcher.node-test.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# pass 3$/m);
    expect(r.stdout).toMatch(/^# fail 0$/m);
  });
});
