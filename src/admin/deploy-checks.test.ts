import { describe, expect, it } from 'vitest';
import { WharfError } from '../errors.js';
import { bulkRefusal, checkClashes, checkUpload, MAX_BULK_MODULES, parseBulkUpload } from './deploy-checks.js';

function refusal(fn: () => unknown): WharfError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WharfError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('checkUpload', () => {
  it('stores a module under its base name', () => {
    expect(checkUpload('src/a/crm.ts', 'x')).toBe('crm.ts');
    expect(checkUpload('crm.js', 'x')).toBe('crm.js');
  });
  it('refuses other files, empty sources and bad shapes', () => {
    expect(refusal(() => checkUpload('notes.md', 'x')).message).toBe(
      '`notes.md`: only .ts and .js files can be deployed',
    );
    expect(refusal(() => checkUpload('types.d.ts', 'x')).code).toBe('WHARF_ERR_DEPLOY_FAILED');
    const empty = refusal(() => checkUpload('a.ts', '  \n'));
    expect(empty.message).toBe('a.ts: the file is empty');
    expect(empty.details).toMatchObject({ file: 'a.ts', message: 'the file is empty' });
    expect(refusal(() => checkUpload('a.ts', 3)).code).toBe('WHARF_ERR_BAD_REQUEST');
  });
});

describe('parseBulkUpload', () => {
  it('takes modules with their own from', () => {
    expect(
      parseBulkUpload({
        modules: [
          { name: 'dir/a.ts', source: 'a', from: 'cli:dir/a.ts' },
          { name: 'b.js', source: 'b' },
        ],
      }),
    ).toEqual([
      { name: 'a.ts', source: 'a', from: 'cli:dir/a.ts' },
      { name: 'b.js', source: 'b', from: undefined },
    ]);
  });
  it('refuses an empty or missing list, a non-object entry and a file given twice', () => {
    expect(refusal(() => parseBulkUpload({ modules: [] })).code).toBe('WHARF_ERR_BAD_REQUEST');
    expect(refusal(() => parseBulkUpload({ modules: 'a.ts' })).code).toBe('WHARF_ERR_BAD_REQUEST');
    expect(refusal(() => parseBulkUpload({ modules: [null] })).message).toBe('modules[0]: not { name, source }');
    const twice = refusal(() =>
      parseBulkUpload({
        modules: [
          { name: 'x/a.ts', source: 'a' },
          { name: 'y/a.ts', source: 'b' },
        ],
      }),
    );
    expect(twice.message).toBe('a.ts: given twice in one deploy (modules are stored by file name)');
    expect(twice.details).toMatchObject({ file: 'a.ts' });
  });
  it(`answers 413 beyond ${MAX_BULK_MODULES} modules`, () => {
    const e = refusal(() =>
      parseBulkUpload({ modules: Array.from({ length: MAX_BULK_MODULES + 1 }, (_, i) => ({ name: `${i}.ts` })) }),
    );
    expect(e.status).toBe(413);
    expect(e.message).toMatch(/at most 5000 modules \(this one has 5001\)/);
  });
});

describe('checkClashes', () => {
  const stored = [
    { name: 'crm.ts', services: ['crm.get', 'crm.put'] },
    { name: 'bill.ts', services: ['bill.get'] },
  ];
  it('passes distinct names, and a stored module that the deploy replaces', () => {
    expect(() =>
      checkClashes(
        [
          { name: 'new.ts', services: ['new.get'] },
          { name: 'crm.ts', services: ['crm.get'] },
        ],
        stored,
      ),
    ).not.toThrow();
    // crm.put moves from crm.ts (redeployed without it) to crm2.ts in one deploy.
    expect(() =>
      checkClashes(
        [
          { name: 'crm.ts', services: ['crm.get'] },
          { name: 'crm2.ts', services: ['crm.put'] },
        ],
        stored,
      ),
    ).not.toThrow();
  });
  it('refuses a name declared by two deployed modules (400)', () => {
    const e = refusal(() =>
      checkClashes(
        [
          { name: 'a.ts', services: ['x.one'] },
          { name: 'b.ts', services: ['x.two', 'x.one'] },
        ],
        [],
      ),
    );
    expect(e.status).toBe(400);
    expect(e.message).toBe('b.ts: service `x.one` is also declared in a.ts, deployed with it');
    expect(e.details).toMatchObject({ file: 'b.ts', service: 'x.one', module: 'a.ts' });
  });
  it('refuses a name a stored module keeps (409, as a single deploy)', () => {
    const e = refusal(() => checkClashes([{ name: 'new.ts', services: ['bill.get'] }], stored));
    expect(e.status).toBe(409);
    expect(e.message).toBe('new.ts: service `bill.get` is already deployed from bill.ts');
    expect(e.details).toMatchObject({ file: 'new.ts', service: 'bill.get', module: 'bill.ts' });
  });
});

describe('bulkRefusal', () => {
  it('answers with the first refusal, its location, and every refusal in details.errors', () => {
    const compile = new WharfError('WHARF_ERR_DEPLOY_FAILED', ['a.ts:4:9: Expected identifier'], {
      details: { file: 'a.ts', line: 4, column: 9, message: 'Expected identifier', lineText: 'return {{' },
    });
    const e = bulkRefusal([
      { file: 'a.ts', error: compile },
      { file: 'b.ts', error: new Error('b.ts: exports no service class') },
    ]);
    expect(e.code).toBe('WHARF_ERR_DEPLOY_FAILED');
    expect(e.status).toBe(400);
    expect(e.message).toBe('a.ts:4:9: Expected identifier (and 1 more modules refused; nothing deployed)');
    expect(e.details).toMatchObject({
      file: 'a.ts',
      line: 4,
      column: 9,
      errors: [
        { file: 'a.ts', line: 4, message: 'Expected identifier' },
        { file: 'b.ts', message: 'exports no service class' },
      ],
    });
  });
  it('keeps a single refusal as a single deploy words it', () => {
    const e = bulkRefusal([
      { file: 'c.ts', error: new WharfError('WHARF_ERR_DEPLOY_FAILED', ['c.ts: the file is empty']) },
    ]);
    expect(e.message).toBe('c.ts: the file is empty');
    expect(e.details).toMatchObject({ file: 'c.ts', message: 'the file is empty' });
  });
});
