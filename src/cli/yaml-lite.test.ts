import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parsePlainYaml } from './yaml-lite.js';

/** Either the same value as `yaml` reads, or undefined (then the caller uses `yaml`): never another value. */
function agrees(text: string): unknown {
  const plain = parsePlainYaml(text);
  if (plain !== undefined) expect(plain, text).toEqual(parse(text));
  return plain;
}

const SERVER = `# server1 of quickstart-1. workers: 0 = one per CPU. Changes here need a restart
name: server1
host: 127.0.0.1
port: 39411
workers: 1
odb:
  type: sqlite
  path: ../odb/wharf.db
broker:
  type: ipc
pickupDir: pickup/incoming/services
metrics:
  public: false
  bearerTokenFile: ../metrics.token
`;

describe('parsePlainYaml', () => {
  it('reads the files quickstart writes as yaml does', () => {
    expect(agrees(SERVER)).toMatchObject({ name: 'server1', host: '127.0.0.1', port: 39411, odb: { type: 'sqlite' } });
    expect(
      agrees('# Wharf environment\ncluster: c1\nservers:\n  - server1\n  - server2\nwebAdmin: web-admin\n'),
    ).toEqual({
      cluster: 'c1',
      servers: ['server1', 'server2'],
      webAdmin: 'web-admin',
    });
    expect(agrees('servers:\n- a\n- b\nloadBalancer:\n  host: 0.0.0.0\n  port: 8080\n')).toEqual({
      servers: ['a', 'b'],
      loadBalancer: { host: '0.0.0.0', port: 8080 },
    });
  });

  it('reads scalars as yaml does: quotes, comments, booleans, nulls, integers', () => {
    agrees("a: 'it''s # not a comment'\nb: \"x y\"\nc: true\nd: ~\ne: -12\nf: a#b\ng:\nh: x # comment\n");
    expect(agrees('name: "8080"\nport: +8080\n')).toEqual({ name: '8080', port: 8080 });
  });

  it('leaves to yaml what it does not read itself', () => {
    for (const text of [
      'a: [1, 2]',
      'a: {b: 1}',
      'a: &x 1\nb: *x',
      'a: |\n  text',
      'a: !!str 1',
      '---\na: 1',
      'a: 1.5',
      'a: 0x10',
      'a: "esc\\n"',
      'a: b: c',
      'a: 1\na: 2',
      'list:\n  - a: 1',
      '"quoted key": 1',
      'a:\n    b: 1\n  c: 2',
      'a: 99999999999999999999',
      'a: 1e5',
      'a: .5',
      'a: -.inf',
      'a: 1_000',
    ])
      expect(agrees(text), text).toBeUndefined();
  });

  it('never reads a document yaml writes differently from yaml', () => {
    const values = [
      'x',
      'a b',
      '',
      '127.0.0.1',
      '../odb/x.db',
      '.hidden',
      '1e3',
      '0x1f',
      '1.2.3',
      'true',
      'null',
      '12',
      '1.5',
      "it's",
      'a: b',
      '# c',
      '-',
      'é',
      7,
      -3,
      0,
      true,
      null,
      1.25,
    ];
    let n = 0;
    let seed = 7;
    const rnd = (k: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % k);
    const value = (depth: number): unknown => {
      const r = rnd(depth > 2 ? 2 : 4);
      if (r === 0 || r === 1) return values[rnd(values.length)];
      if (r === 2) return Array.from({ length: rnd(3) }, () => values[rnd(values.length)]);
      return Object.fromEntries(Array.from({ length: 1 + rnd(3) }, (_, i) => [`k${i}`, value(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) {
      const doc = Object.fromEntries(Array.from({ length: 1 + rnd(4) }, (_, j) => [`key${j}`, value(0)]));
      const text = stringify(doc);
      if (agrees(text) !== undefined) n++;
      expect(parse(text)).toEqual(doc);
    }
    expect(n).toBeGreaterThan(50);
  });
});
