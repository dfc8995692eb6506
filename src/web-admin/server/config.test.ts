import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, loadConfig } from './config.js';

describe('web admin configuration', () => {
  it('defaults: 127.0.0.1:8183, 15 min idle, paths relative to the directory', () => {
    const c = buildConfig({ adminUrl: 'http://127.0.0.1:11223/', logFile: 'logs/w.log' }, '/env/web-admin');
    expect(c).toMatchObject({
      name: 'web-admin',
      host: '127.0.0.1',
      port: 8183,
      adminUrl: 'http://127.0.0.1:11223',
      idleSeconds: 900,
      maxSessions: 1000,
      logFile: '/env/web-admin/logs/w.log',
      allowedHosts: [],
    });
    expect(c.tls).toBeUndefined();
  });

  it('names every problem', () => {
    let err: unknown;
    try {
      buildConfig({ adminUrl: 'ftp://x', port: 70000, idleSeconds: 'soon', tls: { cert: 'c' }, allowedHosts: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const m = (err as Error).message;
    for (const f of [
      'adminUrl: must be http: or https:',
      'port: must be an integer from 0 to 65535',
      'idleSeconds: must be an integer',
      'tls: needs cert and key',
      'allowedHosts: must be a list',
    ])
      expect(m).toContain(f);
  });

  it('refuses an admin URL with credentials, a query or no URL at all', () => {
    expect(() => buildConfig({ adminUrl: 'http://u:p@127.0.0.1:1' })).toThrow(/credentials/);
    expect(() => buildConfig({ adminUrl: 'http://127.0.0.1:1/?x=1' })).toThrow(/query/);
    expect(() => buildConfig({ adminUrl: 'not a url' })).toThrow(/not a URL/);
    expect(() => buildConfig({})).toThrow(/adminUrl: required/);
  });

  it('reads web-admin.yaml or web-admin.json from a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-config-'));
    await expect(loadConfig(dir)).rejects.toThrow(/no web-admin.yaml/);
    writeFileSync(
      join(dir, 'web-admin.json'),
      JSON.stringify({ adminUrl: 'https://lb.example:443', port: 9000, tls: { cert: 'tls/c.crt', key: '/abs/k.key' } }),
    );
    const c = await loadConfig(dir);
    expect(c).toMatchObject({
      port: 9000,
      adminUrl: 'https://lb.example',
      tls: { cert: join(dir, 'tls/c.crt'), key: '/abs/k.key' },
      dir,
    });
    writeFileSync(join(dir, 'web-admin.yaml'), 'adminUrl: http://127.0.0.1:1\nport: 8200\n');
    expect((await loadConfig(dir)).port).toBe(8200);
    writeFileSync(join(dir, 'web-admin.yaml'), '- a list\n');
    await expect(loadConfig(dir)).rejects.toThrow(/expected a mapping/);
    writeFileSync(join(dir, 'web-admin.yaml'), 'port: [unclosed\n');
    await expect(loadConfig(dir)).rejects.toThrow(ConfigError);
  });
});
