/**
 * Process lifecycle through the CLI: port in use, live and stale pidfiles, distinct exit codes,
 * graceful stop with a request in flight, --fg with Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createEnv, eventually, ROOT, runCli, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');

describe('lifecycle', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 1, start: false });
  });
  afterAll(async () => {
    await env?.destroy();
  });

  it('refuses to start on a port in use, naming it (exit 3)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(env.port, '127.0.0.1', () => r()));
    try {
      const r = await env.cli(['start', 'ENV']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`port 127\\.0\\.0\\.1:${env.port} is in use by pid ${process.pid}`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('refuses to start when the web admin port is in use, before starting anything (exit 3)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(env.webAdminPort, '127.0.0.1', () => r()));
    try {
      const r = await env.cli(['start', 'ENV']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        new RegExp(`web-admin: port 127\\.0\\.0\\.1:${env.webAdminPort} is in use by pid ${process.pid}`),
      );
      await expect(env.fetch('/wharf/ping')).rejects.toThrow();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('cleans a stale pidfile, refuses a live one (exit 4), stop when stopped exits 6', async () => {
    const pidFile = join(env.dir, 'server1/pids/server.pid');
    writeFileSync(pidFile, '999999\n');
    const started = await env.cli(['start', 'ENV']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/removed a stale pidfile/);
    // The web admin starts last, after the server answers.
    expect(started.stdout).toMatch(/server1 started[^]*\nweb-admin started \(pid \d+\) on http:\/\/127\.0\.0\.1:\d+/);
    const again = await env.cli(['start', 'ENV']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already running \(pid \d+/);
    const stopped = await env.cli(['stop', 'ENV']);
    expect(stopped.code).toBe(0);
    // The web admin stops first.
    expect(stopped.stdout).toMatch(/^web-admin stopped\nserver1 stopped/);
    expect((await env.cli(['stop', 'ENV'])).code).toBe(6);
  });

  it('distinct exit codes for unknown environments, usage errors and an unreachable server', async () => {
    expect((await runCli(['start', '/nonexistent/env'])).code).toBe(9);
    expect((await runCli(['channel', 'create'])).code).toBe(2);
    const down = await env.cli(['service', 'list', 'ENV']);
    expect(down.code).toBe(7);
    expect(down.stderr).toMatch(/cannot reach the server's admin API/);
    const help = await runCli(['channel', 'http', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--url-path <value>/);
  });

  it('lets an in-flight request finish on a graceful stop', async () => {
    await env.start();
    await env.deploy('echo.ts', ECHO);
    await env.importYaml('channels:\n  http:\n    - { name: slow, urlPath: /slow, service: test.slow }\n');
    const inflight = env.fetch('/slow?ms=1500');
    await new Promise((r) => setTimeout(r, 300));
    const stopping = env.cli(['stop', 'ENV']);
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ slept: 1500 });
    expect((await stopping).code).toBe(0);
    await expect(env.fetch('/wharf/ping')).rejects.toThrow();
  });

  it('runs in the foreground with --fg and stops cleanly on Ctrl-C (SIGINT)', async () => {
    const child = spawn(process.execPath, [BIN, 'start', env.dir, '--fg'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(async () => (await env.fetch('/wharf/ping')).ok, 30_000, 'fg server up');
    // A worker answers before the primary has finished starting (it installs its signal handlers
    // last): wait for its "listening" line, and a moment more.
    await eventually(() => out.includes('listening on'), 30_000, 'fg primary up');
    await new Promise((r) => setTimeout(r, 500));
    const code = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    child.kill('SIGINT');
    expect(await code, out).toBe(0);
    expect(out).toMatch(/server server1 stopped/);
    await expect(env.fetch('/wharf/ping')).rejects.toThrow();
  });
});
