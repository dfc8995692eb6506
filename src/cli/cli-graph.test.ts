/**
 * What `wharf channel http list ENV`, `wharf job execute ENV NAME` and `wharf user list ENV` load: the
 * CLI's own modules and commander, not zod, `yaml`, undici nor the kind declarations (src/kinds.ts);
 * `create` does load the declarations. A fresh Node process runs src/cli/main.ts against an environment
 * whose server is not running (the command runs up to the request and reports `cannot reach`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagesIn, probeModules, srcUrl, wharfFiles } from '../../test/support/module-probe.js';

const root = mkdtempSync(join(tmpdir(), 'wharf-cli-graph-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  mkdirSync(join(root, 'server1', 'config'), { recursive: true });
  writeFileSync(join(root, 'wharf.yaml'), '# Wharf environment\ncluster: graph\nservers:\n  - server1\n');
  writeFileSync(
    join(root, 'server1', 'config', 'server.yaml'),
    `name: server1\nhost: 127.0.0.1\nport: ${await closedPort()}\nworkers: 1\nodb:\n  type: sqlite\n  path: ../odb/wharf.db\n`,
  );
  writeFileSync(join(root, 'cli-credentials.json'), '{"user":"admin","password":"x"}');
});

/** Runs `wharf ...args` from the sources; its stderr line and the modules it loaded. */
async function run(args: string[]): Promise<{ files: string[]; packages: string[]; said: string }> {
  const { modules, stdout } = await probeModules(`
process.argv = [process.execPath, 'wharf', ...${JSON.stringify(args)}];
const said = [];
process.stderr.write = (s) => (said.push(String(s)), true);
process.exit = (code) => { console.log(JSON.stringify({ code, said: said.join('') })); };
await import(${srcUrl('cli/main.ts')});
`);
  // esbuild: the probe's own compiler of the sources
  return { files: wharfFiles(modules), packages: packagesIn(modules).filter((p) => p !== 'esbuild'), said: stdout };
}

describe('the modules a CLI command loads', () => {
  it.each([
    [['channel', 'http', 'list', root]],
    [['job', 'execute', root, 'nightly']],
    [['user', 'list', root]],
    [['service', 'list', root]],
  ])(
    '%j: no zod, yaml, undici nor kind declarations',
    async (args) => {
      const { files, packages, said } = await run(args);
      expect(said).toMatch(/cannot reach the server's admin API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      expect(packages).toEqual(['commander']);
      expect(files).not.toContain('kinds.ts');
      const declarations = ['kinds.ts', 'config/kind.ts', 'config/registry.ts', 'admin/kinds-info.ts'];
      expect(
        files.filter((f) => declarations.includes(f) || /^(server|odb|channels|outgoing|connectors)\//.test(f)),
      ).toEqual([]);
    },
    60_000,
  );

  it('create loads the kind declarations (its options come from the fields)', async () => {
    const { files, packages } = await run(['channel', 'http', 'create', root, '--name', 'x']);
    expect(files).toContain('kinds.ts');
    expect(packages).toContain('zod');
  }, 60_000);
});
