import { describe, expect, it } from 'vitest';
import { globProblem, globToRegExp } from './glob.js';
import { errorContainerOf, notifierProblems, parseWatch, swiftNotifierKind } from './kind.js';
import { metadataValue } from './metadata.js';
import { MAX_RETRY_DELAY_MS, nextAttemptAt, parseKey } from './records.js';

const m = (glob: string, name: string): boolean => globToRegExp(glob).test(name);

describe('globs', () => {
  it('matches whole names: * (also across /), ?, classes, alternatives, escapes', () => {
    expect(m('*', 'a/b/c.xml')).toBe(true);
    expect(m('*.xml', 'in/a.xml')).toBe(true);
    expect(m('*.xml', 'a.xml.bak')).toBe(false);
    expect(m('in/*', 'in/x')).toBe(true);
    expect(m('in/*', 'out/in/x')).toBe(false);
    expect(m('inv-??.json', 'inv-01.json')).toBe(true);
    expect(m('inv-??.json', 'inv-1.json')).toBe(false);
    expect(m('[a-c]*', 'b1')).toBe(true);
    expect(m('[!a-c]*', 'b1')).toBe(false);
    expect(m('*.{xml,json}', 'x.json')).toBe(true);
    expect(m('*.{xml,json}', 'x.csv')).toBe(false);
    expect(m('a+b(1).txt', 'a+b(1).txt')).toBe(true);
    expect(m('\\*.txt', '*.txt')).toBe(true);
    expect(m('\\*.txt', 'a.txt')).toBe(false);
    expect(m('a,b', 'a,b')).toBe(true);
    expect(m('*', 'line1\nline2')).toBe(true);
  });

  it('says what is wrong with a bad glob', () => {
    expect(globProblem('[abc')).toBe('unclosed `[` at position 1');
    expect(globProblem('{a,b')).toBe('unclosed `{`');
    expect(globProblem('a}')).toBe('`}` without `{` at position 2');
    expect(globProblem('x\\')).toBe('trailing `\\`');
    expect(globProblem('*.xml')).toBeUndefined();
  });
});

describe('notifications.openstackSwift kind', () => {
  const base = { name: 'n', connection: 'c', containers: ['inbox'], service: 's' };
  const problems = (input: Record<string, unknown>): string => {
    const r = swiftNotifierKind.schema.safeParse({ ...base, ...input });
    return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };

  it('applies the defaults', () => {
    expect(swiftNotifierKind.schema.parse(base)).toMatchObject({
      intervalMs: 5000,
      namePattern: '*',
      negatePattern: false,
      fetchData: true,
      dataFormat: 'plain',
      afterSuccess: 'delete',
      maxFailures: 5,
      maxObjectSize: 10 * 1024 * 1024,
    });
  });

  it('refuses bad fields clearly', () => {
    expect(problems({ containers: [] })).toMatch(/containers: must list at least one container/);
    expect(problems({ containers: ['a/b'] })).toMatch(/containers.0: `a\/b`: container name cannot contain `\/`/);
    expect(problems({ containers: [':prefix'] })).toMatch(/containers.0: `:prefix`: container name must not be empty/);
    expect(problems({ namePattern: '[ab' })).toMatch(/namePattern: invalid glob: unclosed `\[`/);
    expect(problems({ afterSuccess: 'archive' })).toMatch(/afterSuccess/);
    expect(problems({ intervalMs: 10 })).toMatch(/intervalMs: must be at least 100/);
    expect(problems({ service: '' })).toMatch(/service: must name a service/);
    expect(problems({ containers: ['inbox:in/2024/'] })).toBe('');
  });

  it('parses container:prefix', () => {
    expect(parseWatch('inbox')).toEqual({ container: 'inbox', prefix: '' });
    expect(parseWatch('inbox:in/2024/')).toEqual({ container: 'inbox', prefix: 'in/2024/' });
    expect(parseWatch('inbox:a:b')).toEqual({ container: 'inbox', prefix: 'a:b' });
  });

  it('check: moveTo required for move; no loops into watched containers', () => {
    const c = (x: Record<string, unknown>) => notifierProblems(swiftNotifierKind.schema.parse({ ...base, ...x }));
    expect(c({ afterSuccess: 'move' })).toEqual(['moveTo: required when afterSuccess is `move`']);
    expect(c({ afterSuccess: 'move', moveTo: 'inbox' })).toEqual([
      'moveTo: `inbox` is a watched container (objects would loop)',
    ]);
    expect(c({ containers: ['inbox', 'inbox-errors'] })).toEqual([
      'errorContainer: `inbox-errors` is a watched container (failed objects would loop)',
    ]);
    expect(c({ afterSuccess: 'move', moveTo: 'done' })).toEqual([]);
    expect(errorContainerOf({}, 'inbox')).toBe('inbox-errors');
    expect(errorContainerOf({ errorContainer: 'bad' }, 'inbox')).toBe('bad');
  });
});

describe('state records and metadata', () => {
  it('backs off exponentially in intervals, capped', () => {
    expect(nextAttemptAt(0, 1000, 1)).toBe(900);
    expect(nextAttemptAt(0, 1000, 2)).toBe(1800);
    expect(nextAttemptAt(0, 1000, 4)).toBe(7200);
    expect(nextAttemptAt(0, 1000, 100)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('parses its keys; object names may contain / and :', () => {
    expect(parseKey('done:inbox/a/b:c')).toEqual({ kind: 'done', container: 'inbox', name: 'a/b:c' });
    expect(parseKey('fail:inbox/x')).toEqual({ kind: 'fail', container: 'inbox', name: 'x' });
    expect(parseKey('other')).toBeUndefined();
  });

  it('metadata values: one line, at most 256 bytes of UTF-8', () => {
    expect(metadataValue('a\r\nb\tc')).toBe('a b c');
    const long = metadataValue('é'.repeat(300));
    expect(Buffer.byteLength(long, 'utf8')).toBeLessThanOrEqual(256);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toContain('\uFFFD');
  });
});
