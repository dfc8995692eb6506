import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_CONFIG_PATH, serverConfigSchema } from '../server/config.js';
import { apiTarget, apiTargetOfEnv, DEFAULT_HOST, DEFAULT_PORT, plainApiTarget, SERVER_FILE } from './api-env.js';
import { openEnv } from './env.js';

const root = mkdtempSync(join(tmpdir(), 'wharf-api-env-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function env(name: string, wharfYaml: string, servers: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'wharf.yaml'), wharfYaml);
  writeFileSync(join(dir, 'cli-credentials.json'), '{"user":"admin","password":"p"}');
  for (const [s, yaml] of Object.entries(servers)) {
    mkdirSync(join(dir, s, 'config'), { recursive: true });
    writeFileSync(join(dir, s, SERVER_FILE), yaml);
  }
  return dir;
}

const server = (name: string, extra = ''): string =>
  `# ${name}\nname: ${name}\n${extra}workers: 1\nodb:\n  type: sqlite\n  path: ../odb/wharf.db\n`;

describe('the admin API target of an environment', () => {
  it("agrees with src/server/config.ts on the server file and the address's defaults", () => {
    expect(SERVER_FILE).toBe(SERVER_CONFIG_PATH);
    const parsed = serverConfigSchema.parse({ name: 's', odb: { type: 'sqlite', path: 'x.db' } });
    expect([parsed.host, parsed.port]).toEqual([DEFAULT_HOST, DEFAULT_PORT]);
  });

  it('reads plain files without openEnv, with the answer openEnv gives', () => {
    const dir = env('plain', 'cluster: c\nservers:\n  - server1\n  - server2\n', {
      server1: server('server1', 'host: 0.0.0.0\nport: 39001\n'),
      server2: server('server2', 'port: 39002\n'),
    });
    for (const name of [undefined, 'server1', 'server2']) {
      const plain = plainApiTarget(dir, name);
      expect(plain, name).toBeDefined();
      expect(plain).toEqual(apiTargetOfEnv(openEnv(dir), name));
    }
    expect(plainApiTarget(dir, 'server2')?.server).toEqual({ name: 'server2', host: DEFAULT_HOST, port: 39002 });
  });

  it('finds the servers in the directory when wharf.yaml lists none', () => {
    const dir = env('unlisted', 'cluster: c\n', { a: server('a', 'port: 39003\n') });
    expect(plainApiTarget(dir)).toEqual(apiTargetOfEnv(openEnv(dir)));
  });

  it('leaves other files to openEnv, and its errors', async () => {
    const flow = env('flow', 'cluster: c\nservers: [s]\n', { s: server('s', 'port: 39004\n') });
    expect(plainApiTarget(flow)).toBeUndefined();
    expect(await apiTarget(flow)).toEqual({ dir: flow, server: { name: 's', host: DEFAULT_HOST, port: 39004 } });
    const badPort = env('bad-port', 'servers:\n  - s\n', { s: server('s', 'port: 70000\n') });
    expect(plainApiTarget(badPort)).toBeUndefined();
    await expect(apiTarget(badPort)).rejects.toThrow(/s: .*port/);
    expect(plainApiTarget(join(flow, 's'))).toBeUndefined(); // a component directory
    expect(await apiTarget(join(flow, 's'))).toMatchObject({ dir: flow });
    expect(plainApiTarget(flow, 'nosuch')).toBeUndefined();
    await expect(apiTarget(flow, 'nosuch')).rejects.toThrow(/no server `nosuch`/);
    await expect(apiTarget(join(root, 'missing'))).rejects.toThrow(/no such environment directory/);
  });
});
