import { describe, expect, it } from 'vitest';
import { deployErrorView, isServiceFileName, lineColumn, parseInput } from './deploy';
import { clip, fmtAgo, fmtDuration, fmtOutput } from './format';

describe('deploy error view', () => {
  it('file:line:column, the message without its prefix, the line and a caret under the column', () => {
    const v = deployErrorView('broken.ts:4:24: Unexpected ";"', {
      file: 'broken.ts',
      line: 4,
      column: 24,
      lineText: '  handle() { return 1 +; }',
    });
    expect(v.location).toBe('broken.ts:4:24');
    expect(v.message).toBe('Unexpected ";"');
    expect(v.lineText).toBe('  handle() { return 1 +; }');
    expect(v.caret).toBe(' '.repeat(23) + '^');
    expect(v.lineText![v.caret!.length - 1]).toBe(';');
  });

  it('tabs stay tabs in the caret line', () => {
    expect(deployErrorView('x', { file: 'a.ts', line: 1, column: 3, lineText: '\t\tx' }).caret).toBe('\t\t^');
  });

  it('details.message wins; no position → only the file', () => {
    expect(deployErrorView('outer', { file: 'a.ts', message: 'inner' })).toEqual({
      location: 'a.ts',
      message: 'inner',
    });
    expect(deployErrorView('a.ts: the file is empty', undefined, 'a.ts')).toEqual({
      location: 'a.ts',
      message: 'the file is empty',
    });
    expect(deployErrorView('no file', undefined)).toEqual({ message: 'no file' });
  });

  it('bogus details are ignored', () => {
    expect(deployErrorView('m', { file: 3, line: -1, column: 'x', lineText: 5 })).toEqual({ message: 'm' });
  });

  it('service file names', () => {
    expect(isServiceFileName('a.ts')).toBe(true);
    expect(isServiceFileName('a.JS')).toBe(true);
    expect(isServiceFileName('a.d.ts')).toBe(false);
    expect(isServiceFileName('a.tsx')).toBe(false);
    expect(isServiceFileName('a.json')).toBe(false);
  });
});

describe('invoke input', () => {
  it('JSON or {} when empty', () => {
    expect(parseInput('')).toEqual({ ok: true, value: {} });
    expect(parseInput(' {"a": [1]} ')).toEqual({ ok: true, value: { a: [1] } });
    expect(parseInput('"x"')).toEqual({ ok: true, value: 'x' });
  });

  it('invalid JSON: a message with line and column', () => {
    const r = parseInput('{\n  "a": 1,\n}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^Not valid JSON at line 3, column 1: /);
    const r2 = parseInput('{"a":');
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.message).toMatch(/^Not valid JSON/);
  });

  it('line and column of an offset', () => {
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});

describe('format', () => {
  it('durations, ago, output', () => {
    expect(fmtDuration(12_500)).toBe('12 s');
    expect(fmtDuration(4 * 60_000 + 10_000)).toBe('4 min 10 s');
    expect(fmtDuration(2 * 3600_000 + 5 * 60_000)).toBe('2 h 5 min');
    expect(fmtDuration(3 * 86400_000 + 4 * 3600_000)).toBe('3 d 4 h');
    expect(fmtDuration(undefined)).toBe('');
    expect(fmtAgo('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z'))).toBe('5 min ago');
    expect(fmtAgo('nope')).toBe('nope');
    expect(fmtOutput({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(fmtOutput('text')).toBe('text');
    expect(fmtOutput(undefined)).toBe('(no output)');
    expect(clip('abcdef', 4)).toBe('abcd\n… (2 more characters not shown)');
    expect(clip('abc', 4)).toBe('abc');
  });
});
