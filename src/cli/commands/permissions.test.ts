import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFix, isSecretFile, secureEnv } from './permissions.js';

const root = mkdtempSync(join(tmpdir(), 'wharf-perms-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('environment file modes', () => {
  it('knows which files hold secrets', () => {
    for (const f of [
      'secret.key',
      'cli-credentials.json',
      'metrics.token',
      'server.yaml',
      'lb.yaml',
      'wharf.db',
      'wharf.db-wal',
      'wharf.db-shm',
      'server1.key',
      'load-balancer.pem',
    ])
      expect(isSecretFile(f), f).toBe(true);
    for (const f of ['start.sh', 'wharf.yaml', 'server.log', 'ca.crt', 'haproxy.cfg', 'echo.ts'])
      expect(isSecretFile(f), f).toBe(false);
  });

  it('tightens directories to 0700 and secrets to 0600, leaves the rest, reports each fix', () => {
    const env = join(root, 'env');
    mkdirSync(join(env, 'odb'), { recursive: true });
    mkdirSync(join(env, 'server1/config'), { recursive: true });
    writeFileSync(join(env, 'odb/wharf.db'), 'x');
    writeFileSync(join(env, 'odb/wharf.db-wal'), 'x');
    writeFileSync(join(env, 'secret.key'), 'k', { mode: 0o600 });
    writeFileSync(join(env, 'server1/config/server.yaml'), 'name: s');
    writeFileSync(join(env, 'start.sh'), '#!/bin/sh', { mode: 0o755 });
    const outside = join(root, 'outside.db');
    writeFileSync(outside, 'x');
    symlinkSync(outside, join(env, 'odb/link.db'));
    for (const d of [env, join(env, 'odb'), join(env, 'server1'), join(env, 'server1/config')]) chmodSync(d, 0o755);
    for (const f of ['odb/wharf.db', 'odb/wharf.db-wal', 'server1/config/server.yaml']) chmodSync(join(env, f), 0o644);
    chmodSync(outside, 0o644);

    const fixes = secureEnv(env);
    expect(fixes.map((f) => [f.path.slice(root.length), f.was, f.now, f.error]).sort()).toEqual(
      [
        ['/env', 0o755, 0o700, undefined],
        ['/env/odb', 0o755, 0o700, undefined],
        ['/env/odb/wharf.db', 0o644, 0o600, undefined],
        ['/env/odb/wharf.db-wal', 0o644, 0o600, undefined],
        ['/env/server1', 0o755, 0o700, undefined],
        ['/env/server1/config', 0o755, 0o700, undefined],
        ['/env/server1/config/server.yaml', 0o644, 0o600, undefined],
      ].sort(),
    );
    expect(mode(join(env, 'odb/wharf.db'))).toBe(0o600);
    expect(mode(join(env, 'start.sh'))).toBe(0o755);
    expect(mode(outside)).toBe(0o644); // a symbolic link is not followed
    expect(describeFix(fixes.find((f) => f.path.endsWith('wharf.db'))!)).toBe(
      `${join(env, 'odb/wharf.db')} was 0644 (too open), now 0600`,
    );
    expect(secureEnv(env)).toEqual([]); // nothing left to fix

    // An ODB outside the environment, given explicitly, with its -wal/-shm.
    writeFileSync(`${outside}-shm`, 'x', { mode: 0o644 });
    chmodSync(`${outside}-shm`, 0o644);
    expect(secureEnv(env, [outside]).map((f) => f.path)).toEqual([outside, `${outside}-shm`]);
    expect(mode(outside)).toBe(0o600);
  });
});
