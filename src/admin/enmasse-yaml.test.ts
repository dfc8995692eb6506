import { describe, expect, it } from 'vitest';
import { registerBuiltinKinds } from '../kinds.js';
import { didYouMean, EnmasseYamlError, parseEnmasseYaml } from './enmasse-yaml.js';

registerBuiltinKinds();

function problems(text: string): string[] {
  try {
    parseEnmasseYaml(text, {});
  } catch (e) {
    if (e instanceof EnmasseYamlError) return e.problems.map((p) => `${p.line ?? '?'}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('enmasse file problems in Wharf words', () => {
  it('says which line is badly indented and how', () => {
    expect(problems('channels:\n  http:\n    - name: a\n     urlPath: /x\n')).toEqual([
      '4: bad indentation: `urlPath: /x` starts at column 6, the line above (`- name: a`) at column 7; the fields of one object start at the same column (under its `- `)',
    ]);
    expect(problems('channels:\n  http:\n    - name: a\n        urlPath: /x\n')[0]).toMatch(
      /^4: bad indentation: `urlPath: \/x` starts at column 9, the line above \(`- name: a`\) at column 7/,
    );
    expect(problems('channels:\n  http:\n    - name: a\n      urlPath: /x\n   service: s\n')[0]).toMatch(
      /^5: bad indentation: `service: s` starts at column 4/,
    );
    expect(problems('channels:\n\thttp:\n')).toEqual(['2: a tab indents this line: indent with spaces only']);
    expect(problems('channels:\n  http:\n    - name: "a\n')[0]).toMatch(/^\d: not valid YAML: Missing closing "quote$/);
  });

  it('suggests the kind or field meant', () => {
    expect(problems('channels:\n  htp:\n    - name: a\n')[0]).toMatch(
      /^2: unknown object kind `channels.htp` \(did you mean `channels.http`\?\)/,
    );
    expect(problems('chanels:\n  http:\n    - name: a\n')[0]).toMatch(
      /^2: unknown object kind `chanels.http` \(did you mean `channels.http`\?\)/,
    );
    expect(problems('channels:\n  smtp:\n    - name: a\n')[0]).toMatch(
      /^2: unknown object kind `channels.smtp` \(known: /,
    );
    expect(problems('channels:\n  http:\n    - name: a\n      urlpath: /x\n      servce: s\n')).toEqual([
      '4: HTTP channel `a`: unknown field `urlpath` (did you mean `urlPath`?)',
      '5: HTTP channel `a`: unknown field `servce` (did you mean `service`?)',
    ]);
    expect(didYouMean('zzzzzz', ['name', 'urlPath'])).toBeUndefined();
  });

  it('accepts a correct file', () => {
    expect(parseEnmasseYaml('channels:\n  http:\n    - name: a\n      urlPath: /x\n      service: s\n', {})).toEqual([
      { kind: 'channels.http', data: { name: 'a', urlPath: '/x', service: 's' }, line: 3 },
    ]);
  });
});
