// The seed example tested with node:test and wharf-esb/testing (no vitest, no server):
//   npm run build && node --test examples/invoice-dispatcher.node-test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WharfError } from 'wharf-esb';
import { fakeSwift, loadServices, testService } from 'wharf-esb/testing';

// Node runs no TypeScript: load the .ts module as a server deploys it.
const { 'invoice.dispatcher': InvoiceDispatcher } = await loadServices(new URL('./invoice-dispatcher.ts', import.meta.url));
const body = '{"id":"123"}';

test('stores the body in one Swift container per target', async () => {
  const swift = fakeSwift();
  const r = await testService(InvoiceDispatcher, { format: 'json', body, query: { target: ['CRM', 'Billing'] }, cloud: { swift: { 'Invoice Dispatcher': swift } } });
  assert.equal(r.status, 200);
  assert.deepEqual(
    swift.puts.map((p) => [p.container, p.name, p.text()]),
    [
      ['CRM', 'Invoice', body],
      ['Billing', 'Invoice', body],
    ],
  );
});

test('a missing target is refused with the channel error', async () => {
  const swift = fakeSwift();
  await assert.rejects(testService(InvoiceDispatcher, { format: 'json', body, cloud: { swift: { 'Invoice Dispatcher': swift } } }), (e) => {
    assert.ok(e instanceof WharfError);
    assert.equal(e.code, 'WHARF_ERR_MISSING_ELEMENT');
    assert.equal(e.message, 'Missing required element `target`');
    return true;
  });
  assert.equal(swift.puts.length, 0);
});

test('a Swift connection the test did not give is named', async () => {
  await assert.rejects(testService(InvoiceDispatcher, { input: { target: ['CRM'] } }), { code: 'WHARF_ERR_NO_SUCH_CONNECTION', message: 'No OpenStack Swift connection named `Invoice Dispatcher`' });
});
