import { beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinKinds } from '../kinds.js';
import { parseEnmasse, renderEnmasse } from './enmasse-file.js';
import { CliError, EXIT } from './exit.js';

beforeAll(() => registerBuiltinKinds());

function cliError(fn: () => unknown): CliError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(EXIT.INVALID);
    return e as CliError;
  }
  throw new Error('expected a CliError');
}

const FILE = `# comment
security:
  basicAuth:
    - name: crm-auth
      username: crm
      password: \${CRM_PASSWORD}
channels:
  http:
    - name: crm-get
      urlPath: /crm/{id}
      method: GET
      service: crm.get
      security: crm-auth

    - name: crm-put
      urlPath: \${BASE_PATH}/put
      service: crm.put
config:
  user:
    - name: crm
      values:
        url: https://\${CRM_HOST}/api
        list:
          - \${CRM_HOST}
          - plain
        n: 5
`;

const ENV = { CRM_PASSWORD: 's3cret', BASE_PATH: '/crm', CRM_HOST: 'crm.example.com' };

describe('parseEnmasse', () => {
  it('turns the nested kinds into items with the line each object starts on', () => {
    const items = parseEnmasse(FILE, 'env.yaml', ENV);
    expect(items).toEqual([
      { kind: 'security.basicAuth', line: 4, data: { name: 'crm-auth', username: 'crm', password: 's3cret' } },
      {
        kind: 'channels.http',
        line: 9,
        data: { name: 'crm-get', urlPath: '/crm/{id}', method: 'GET', service: 'crm.get', security: 'crm-auth' },
      },
      { kind: 'channels.http', line: 15, data: { name: 'crm-put', urlPath: '/crm/put', service: 'crm.put' } },
      {
        kind: 'config.user',
        line: 20,
        data: { name: 'crm', values: { url: 'https://crm.example.com/api', list: ['crm.example.com', 'plain'], n: 5 } },
      },
    ]);
  });

  it('an unset variable in a secret field stays a placeholder (the server keeps the stored secret)', () => {
    const items = parseEnmasse(FILE, 'env.yaml', { BASE_PATH: '/crm', CRM_HOST: 'h' });
    expect(items[0]!.data['password']).toBe('${CRM_PASSWORD}');
  });

  it('an unset variable anywhere else is an error naming file, line, object and field', () => {
    const e = cliError(() => parseEnmasse(FILE, 'env.yaml', { CRM_PASSWORD: 'x' }));
    const lines = e.message.split('\n');
    expect(lines).toContain(
      'env.yaml:15: HTTP channel `crm-put`, field urlPath: environment variable BASE_PATH is not set',
    );
    expect(lines).toContain('env.yaml:20: User config `crm`, field values: environment variable CRM_HOST is not set');
    expect(lines).toHaveLength(3);
  });

  it('a secret embedded in a longer string is substituted like any other value', () => {
    const f = 'security:\n  apiKey:\n    - name: k\n      key: pre-${K}\n';
    expect(parseEnmasse(f, 'f.yaml', { K: 'abcdefgh' })[0]!.data['key']).toBe('pre-abcdefgh');
    expect(cliError(() => parseEnmasse(f, 'f.yaml', {})).message).toBe(
      'f.yaml:3: API key definition `k`, field key: environment variable K is not set',
    );
  });

  it('unknown kinds are named with their line and the known kinds', () => {
    const e = cliError(() => parseEnmasse('channels:\n  http: []\n  smtp:\n    - name: x\n', 'f.yaml', {}));
    expect(e.message).toMatch(/^f\.yaml:3: unknown object kind `channels\.smtp` \(known: .*channels\.http.*\)$/);
    expect(e.message).toContain('security.basicAuth');
  });

  it('every structural problem is reported, each with its line', () => {
    const text = [
      'channels: 5',
      'security:',
      '  basicAuth: {}',
      '  apiKey:',
      '    - just a string',
      'config:',
      '  user: []',
    ].join('\n');
    const e = cliError(() => parseEnmasse(text, 'f.yaml', {}));
    expect(e.message.split('\n')).toEqual([
      expect.stringMatching(/^f\.yaml:1: `channels` must map kinds to lists \(known kinds: /),
      'f.yaml:3: `security.basicAuth` must be a list of objects',
      'f.yaml:5: each API key definition must be a mapping of fields',
    ]);
  });

  it('YAML syntax errors and duplicate keys come back as file:line: message', () => {
    expect(
      cliError(() => parseEnmasse('channels:\n  http:\n    - name: a\n     bad: [\n', 'f.yaml', {})).message,
    ).toMatch(/^f\.yaml:\d+: /);
    const dup = cliError(() => parseEnmasse('channels:\n  http:\n    - name: a\n      name: b\n', 'f.yaml', {}));
    expect(dup.message).toBe('f.yaml:4: `name` appears twice in the same object or list');
  });

  it('an empty file is no objects; a file that is not a mapping is refused', () => {
    expect(parseEnmasse('', 'f.yaml', {})).toEqual([]);
    expect(parseEnmasse('# only a comment\n', 'f.yaml', {})).toEqual([]);
    expect(parseEnmasse('{}', 'f.yaml', {})).toEqual([]);
    expect(cliError(() => parseEnmasse('- a\n- b\n', 'f.yaml', {})).message).toBe(
      'f.yaml:1: expected a mapping of object kinds (e.g. channels: { http: [...] })',
    );
  });

  it('uses process.env by default', () => {
    process.env['WHARF_TEST_ENMASSE_SVC'] = 'from-env';
    try {
      const items = parseEnmasse(
        'channels:\n  http:\n    - name: a\n      urlPath: /a\n      service: ${WHARF_TEST_ENMASSE_SVC}\n',
        'f.yaml',
      );
      expect(items[0]!.data['service']).toBe('from-env');
    } finally {
      delete process.env['WHARF_TEST_ENMASSE_SVC'];
    }
  });
});

describe('renderEnmasse', () => {
  it('nests kinds, keeps order, puts the header first', () => {
    const text = renderEnmasse(
      [
        { kind: 'security.basicAuth', data: { name: 'a', username: 'u', password: '${WHARF_BASIC_AUTH_A_PASSWORD}' } },
        { kind: 'channels.http', data: { name: 'c', urlPath: '/c/{id}', service: 's' } },
        { kind: 'channels.http', data: { name: 'd', urlPath: '/d', service: 's' } },
      ],
      '# header\n',
    );
    expect(text).toBe(
      [
        '# header',
        'security:',
        '  basicAuth:',
        '    - name: a',
        '      username: u',
        '      password: ${WHARF_BASIC_AUTH_A_PASSWORD}',
        'channels:',
        '  http:',
        '    - name: c',
        '      urlPath: /c/{id}',
        '      service: s',
        '    - name: d',
        '      urlPath: /d',
        '      service: s',
        '',
      ].join('\n'),
    );
  });

  it('no objects is an empty mapping', () => {
    expect(renderEnmasse([], '# h\n')).toBe('# h\n{}\n');
  });

  it('what it renders parses back to the same objects (placeholders kept with no env)', () => {
    const objects = [
      { kind: 'security.apiKey', data: { name: 'k', headerName: 'X-API-Key', key: '${WHARF_API_KEY_K_KEY}' } },
      {
        kind: 'config.user',
        data: {
          name: 'u',
          active: false,
          values: { nested: { list: [1, 'two', null], yes: true }, long: 'x'.repeat(200) },
        },
      },
      {
        kind: 'channels.http',
        data: { name: 'h', urlPath: '/h', service: 's', maxBodySize: 1024, paramsOverBody: false },
      },
    ];
    const back = parseEnmasse(renderEnmasse(objects, ''), 'r.yaml', {});
    expect(back.map(({ kind, data }) => ({ kind, data }))).toEqual(objects);
  });
});

describe('parseEnmasse: YAML aliases (regression, fixed in 39f01a3)', () => {
  it('an alias (*name) resolves to the anchored value, not to { source: name }', () => {
    const text = [
      'channels:',
      '  http:',
      '    - name: crm-get',
      '      urlPath: /crm/get',
      '      service: &crm crm.dispatcher',
      '    - name: crm-put',
      '      urlPath: /crm/put',
      '      service: *crm',
      '',
    ].join('\n');
    const items = parseEnmasse(text, 'env.yaml', {});
    // was { source: 'crm' }: the node was converted without its document, so aliases were not resolved
    expect(items[1]!.data['service']).toBe('crm.dispatcher');
  });
});
