/**
 * Start and stop (issue 14 items 2–4): a stop leaves no process behind; in-flight requests finish
 * within the grace period (server.yaml shutdownTimeoutMs) and not beyond it; compiled service modules
 * are cached by content (used on the next start, a changed source compiles anew); 1,000 services
 * deploy and answer. Behaviour only: timings come from `npm run bench -- S`.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEnv, eventually, ROOT, type TestEnv } from '../helpers/env.js';

const ECHO = readFileSync(join(ROOT, 'test/fixtures/echo-service.ts'), 'utf8');

function ppidOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

/** The pid and every live descendant of it. */
function tree(pid: number): number[] {
  const out = [pid];
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  for (let i = 0; i < out.length; i++) for (const p of all) if (ppidOf(p) === out[i]) out.push(p);
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pidFileOf = (env: TestEnv): string => join(env.dir, 'server1/pids/server.pid');
const primaryOf = (env: TestEnv): number => Number(readFileSync(pidFileOf(env), 'utf8').trim());
const cacheDirOf = (env: TestEnv): string => join(env.dir, 'server1/cache/modules');
const cacheFiles = (env: TestEnv): string[] =>
  existsSync(cacheDirOf(env))
    ? readdirSync(cacheDirOf(env))
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

/** GET that resolves the status, or the error's message when the connection is cut. */
function get(url: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

const VERSIONED = (tag: string): string =>
  `import { service, text } from 'wharf';\nexport class Tagged extends service({ name: 'test.tagged', output: { tag: text() } }) {\n  async handle() {\n    return { tag: '${tag}' };\n  }\n}\n`;

describe('start and stop', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 1, start: false });
    // A short grace period, so that the "beyond the grace period" case stays quick.
    appendFileSync(join(env.dir, 'server1/config/server.yaml'), 'shutdownTimeoutMs: 1500\n');
  });
  afterAll(async () => {
    await env?.destroy();
  });
  // Each case starts from a stopped server, whatever the previous one left.
  beforeEach(async () => {
    if (existsSync(pidFileOf(env))) await env.cli(['stop', 'ENV']);
  });

  /** An HTTP channel through the admin API (the server's own kinds; no CLI parsing involved). */
  const channel = async (name: string, urlPath: string, service: string): Promise<void> => {
    const r = await env.admin('POST', '/wharf/admin/config/channels.http', { name, urlPath, service });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const deploy = async (name: string, source: string): Promise<void> => {
    const r = await env.admin('POST', '/wharf/admin/services', { name, source });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
  };

  it('a detached primary runs from its own entry point, and stop of an idle server leaves no process', async () => {
    await env.ok(['start', 'ENV', '--server', 'server1']);
    const primary = primaryOf(env);
    expect(cmdline(primary)).toMatch(/(server|bundle)\/primary-main\.js/); // dist/bundle/ when built
    expect(cmdline(primary)).not.toMatch(/bin\/wharf\.js/);
    const pids = tree(primary);
    expect(pids.length).toBeGreaterThanOrEqual(2); // primary + worker
    expect(pids.some((p) => /worker-main\.js/.test(cmdline(p)))).toBe(true);
    const r = await env.cli(['stop', 'ENV']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/server1 stopped/);
    // The CLI returns once the primary is gone; the primary waits for its workers before it exits.
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(pidFileOf(env))).toBe(false);
    await expect(env.fetch('/wharf/ping')).rejects.toThrow();
  });

  it('a request in flight finishes within the grace period; one that outlasts it is cut and the stop still ends', async () => {
    await env.ok(['start', 'ENV', '--server', 'server1']);
    await deploy('echo.ts', ECHO);
    await channel('slow', '/slow', 'test.slow');
    await eventually(async () => (await env.fetch('/slow?ms=1')).status === 200, 15_000, 'channel up');
    // Within the grace period (1.5 s): answered.
    const inflight = get(`${env.base}/slow?ms=800`);
    await new Promise((r) => setTimeout(r, 200));
    const stopping = env.cli(['stop', 'ENV']);
    const answered = await inflight;
    expect(answered).toEqual({ status: 200, body: JSON.stringify({ slept: 800 }) });
    expect((await stopping).code).toBe(0);

    // Beyond it (a 60 s request): the connection is closed after the grace period, the stop completes.
    await env.ok(['start', 'ENV', '--server', 'server1']);
    await eventually(async () => (await env.fetch('/slow?ms=1')).status === 200, 15_000, 'channel up again');
    const pids = tree(primaryOf(env));
    const long = get(`${env.base}/slow?ms=60000`);
    await new Promise((r) => setTimeout(r, 200));
    const stopped = await env.cli(['stop', 'ENV']);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/server1 stopped/);
    expect(stopped.stdout).not.toMatch(/killed/);
    const cut = await long;
    expect('error' in cut || cut.status !== 200).toBe(true);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('compiled modules are cached by content: used on the next start, compiled anew when the source changes', async () => {
    await env.ok(['start', 'ENV', '--server', 'server1']);
    await deploy('tagged.ts', VERSIONED('first'));
    await channel('tagged', '/tagged', 'test.tagged');
    await eventually(
      async () => JSON.stringify(await get(`${env.base}/tagged`)).includes('first'),
      15_000,
      'first version answers',
    );
    const before = cacheFiles(env);
    expect(before.length).toBeGreaterThanOrEqual(1);
    const readEntry = (f: string): { code: string } =>
      JSON.parse(readFileSync(join(cacheDirOf(env), f), 'utf8')) as { code: string };
    const entry = before.find((f) => /tag: ["']first["']/.test(readEntry(f).code))!;
    expect(entry).toBeDefined();
    await env.ok(['stop', 'ENV']);

    // Prove that the next start loads the cached output rather than compiling: change the cached code.
    const cached = readEntry(entry);
    writeFileSync(
      join(cacheDirOf(env), entry),
      JSON.stringify({ ...cached, code: cached.code.replace(/tag: (["'])first\1/, 'tag: "from-cache"') }),
    );
    await env.ok(['start', 'ENV', '--server', 'server1']);
    const primary = primaryOf(env);
    expect(await get(`${env.base}/tagged`)).toEqual({ status: 200, body: JSON.stringify({ tag: 'from-cache' }) });
    // Nothing compiled: no esbuild service process under the server.
    expect(tree(primary).filter((p) => /esbuild/.test(cmdline(p)))).toEqual([]);
    expect(cacheFiles(env)).toEqual(before);

    // A changed source is a new entry, and serves.
    await deploy('tagged.ts', VERSIONED('second'));
    await eventually(
      async () => JSON.stringify(await get(`${env.base}/tagged`)).includes('second'),
      15_000,
      'second version answers',
    );
    expect(cacheFiles(env).length).toBe(before.length + 1);
    await env.ok(['stop', 'ENV']);
    await env.ok(['start', 'ENV', '--server', 'server1']);
    expect(await get(`${env.base}/tagged`)).toEqual({ status: 200, body: JSON.stringify({ tag: 'second' }) });
    await env.ok(['stop', 'ENV']);
  });

  it('1,000 services deploy through the admin API and answer (a sample), and after a restart too', async () => {
    await env.ok(['start', 'ENV', '--server', 'server1']);
    const n = 1000;
    const mod = (i: number): string =>
      `import { int, service } from 'wharf';\nexport class Gen${i} extends service({ name: 'gen.s${i}', input: { x: int() }, output: { y: int() } }) {\n  async handle() {\n    return { y: this.input.x + ${i} };\n  }\n}\n`;
    let next = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < n) {
          const i = next++;
          const r = await env.admin('POST', '/wharf/admin/services', { name: `gen-${i}.js`, source: mod(i) });
          if (r.status !== 200 && r.status !== 201) failures.push(`gen-${i}.js: ${r.status} ${JSON.stringify(r.body)}`);
        }
      }),
    );
    expect(failures).toEqual([]);
    const sample = [0, 1, 499, 998, 999, ...Array.from({ length: 10 }, (_, k) => 37 + k * 91)];
    const check = async (): Promise<void> => {
      for (const i of sample) {
        const r = await env.admin<{ output?: { y?: number } }>('POST', `/wharf/admin/services/gen.s${i}/invoke`, {
          input: { x: 1 },
        });
        expect(r.status, `gen.s${i}`).toBe(200);
        expect(r.body.output?.y, `gen.s${i}`).toBe(i + 1);
      }
    };
    await check();
    await env.ok(['stop', 'ENV']);
    await env.ok(['start', 'ENV', '--server', 'server1']);
    await check();
    await env.ok(['stop', 'ENV']);
  }, 600_000);
});
