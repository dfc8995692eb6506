import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemdUnit, unitName, writeSystemdUnits } from './systemd.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-systemd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function systemdAnalyze(): string | undefined {
  for (const p of ['/usr/bin/systemd-analyze', '/bin/systemd-analyze']) if (existsSync(p)) return p;
  return undefined;
}

describe('systemd unit', () => {
  const text = systemdUnit({
    cluster: 'qs-1',
    server: 'server1',
    node: '/usr/bin/node',
    bin: '/opt/wharf/bin/wharf.js',
    envDir: '/srv/wharf env',
    shutdownTimeoutMs: 10_000,
  });

  it('runs the primary in the foreground and restarts it on failure', () => {
    const lines = text.split('\n');
    expect(lines).toContain('Type=simple');
    expect(lines).toContain(
      'ExecStart=/usr/bin/node /opt/wharf/bin/wharf.js start "/srv/wharf env" --fg --server server1',
    );
    expect(lines).toContain('WorkingDirectory="/srv/wharf env"');
    expect(lines).toContain('Restart=on-failure');
    expect(lines).toContain('RestartSec=2');
    expect(lines).toContain('KillSignal=SIGTERM');
    expect(lines).toContain('KillMode=mixed');
    expect(lines).toContain('#User=wharf');
    expect(lines).toContain('WantedBy=multi-user.target');
    // Longer than the server's graceful stop (shutdownTimeoutMs 10 s).
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(text)?.[1])).toBeGreaterThan(10);
  });

  it('names units by cluster and server, safely', () => {
    expect(unitName('quickstart-123', 'server1')).toBe('wharf-quickstart-123-server1.service');
    expect(unitName('a b/c', 's')).toBe('wharf-a_b_c-s.service');
  });

  it('escapes what systemd would expand in ExecStart', () => {
    const t = systemdUnit({
      cluster: 'c',
      server: 's',
      node: '/usr/bin/node',
      bin: '/x/bin/wharf.js',
      envDir: '/srv/100%$HOME"q',
      shutdownTimeoutMs: 1000,
    });
    expect(t).toContain('start "/srv/100%%$$HOME\\"q" --fg');
  });

  it('writes one unit per server that systemd-analyze verify accepts (when installed)', () => {
    const files = writeSystemdUnits(dir, 'qs-1', [{ name: 'server1' }, { name: 'server2', shutdownTimeoutMs: 30_000 }]);
    expect(files.map((f) => f.slice(dir.length))).toEqual([
      '/systemd/wharf-qs-1-server1.service',
      '/systemd/wharf-qs-1-server2.service',
    ]);
    const second = readFileSync(files[1]!, 'utf8');
    expect(second).toMatch(/^TimeoutStopSec=45$/m);
    expect(second).toContain(`ExecStart=${process.execPath} `);
    const analyze = systemdAnalyze();
    if (!analyze) return; // not on this machine: the text checks above still ran
    for (const f of files) execFileSync(analyze, ['verify', f], { stdio: 'pipe' });
  });
});
