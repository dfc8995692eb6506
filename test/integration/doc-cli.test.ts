/**
 * Every `wharf` line in README.md and docs/ runs as written. The lines of fenced shell blocks
 * (`wharf ...`, `npx wharf ...`, `A=b npx wharf ...`, `x && wharf ...`) run in order per page through
 * `node bin/wharf.js` (after `npm run build`), in a fresh directory per page (with `examples/`), and
 * must exit 0. What the test adjusts, and nothing else:
 *   - `quickstart create PATH` (the embedded default) gets free ports for the server and web admin;
 *   - `ENV` (the docs' placeholder) is a fresh environment of the page, made at its first use;
 *   - environments the page started are stopped at its end.
 * Directives in the docs (HTML comments, invisible on the page), on the line before a fenced block:
 *   <!-- doc-test: file NAME -->    the block is a file the page's lines use (written to its dir first)
 *   <!-- doc-test: ENV running -->  the block expects ENV running (started if it is not)
 *   <!-- doc-test: ENV stopped -->  the block expects ENV stopped (stopped if it runs)
 * and at the end of a command line: `# doc-test: skip (why)` (keep them rare: a real cluster, a
 * foreground process). `cat > NAME <<'EOF'` heredocs and `export A=b` lines in a block are honoured.
 * The CLI's cost is checked here too: `wharf --help` loads commander and the command table only.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, createEnv, eventually, freePort, ROOT, runCli, type CliResult, type TestEnv } from '../helpers/env.js';

interface CliStep {
  type: 'cli';
  where: string;
  args: string[];
  env: Record<string, string>;
  skip?: string;
}
type Step =
  | CliStep
  | { type: 'file'; name: string; content: string; page?: boolean }
  | { type: 'env-running' }
  | { type: 'env-stopped' };

/** Shell words of one command (quotes, no expansion but `$VAR` from the block's exports). */
function words(line: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      cur += line.slice(i + 1, end).replace(/\$(\w+)/g, (_m, v: string) => vars[v] ?? process.env[v] ?? '');
      i = end;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** A line without its trailing `# comment` (outside quotes). */
function code(line: string): { code: string; comment: string } {
  let q: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === q) q = undefined;
    } else if (c === "'" || c === '"') q = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!)))
      return { code: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
  }
  return { code: line.trim(), comment: '' };
}

export function extract(file: string, text: string): Step[] {
  const steps: Step[] = [];
  const lines = text.split('\n');
  let directive: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```(\w*)\s*$/.exec(lines[i]!);
    const d = /^\s*<!--\s*doc-test:\s*(.+?)\s*-->\s*$/.exec(lines[i]!);
    if (d) {
      directive = d[1];
      continue;
    }
    if (!fence) {
      if (lines[i]!.trim() !== '') directive = undefined;
      continue;
    }
    const lang = fence[1]!;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    const block = lines.slice(start, end);
    i = end;
    const fileName = directive?.startsWith('file ') ? directive.slice(5).trim() : undefined;
    if (directive === 'ENV running') steps.push({ type: 'env-running' });
    if (directive === 'ENV stopped') steps.push({ type: 'env-stopped' });
    directive = undefined;
    if (fileName) {
      steps.push({ type: 'file', name: fileName, content: `${block.join('\n')}\n`, page: true });
      continue;
    }
    if (!['sh', 'bash', 'shell', 'console', ''].includes(lang)) continue;
    const vars: Record<string, string> = {};
    for (let j = 0; j < block.length; j++) {
      let line = block[j]!;
      while (line.endsWith('\\') && j + 1 < block.length) line = `${line.slice(0, -1)} ${block[++j]!.trim()}`;
      const where = `${file}:${start + j + 1}`;
      const heredoc = /^\s*cat\s+>\s*(\S+)\s+<<\s*'?(\w+)'?\s*$/.exec(line);
      if (heredoc) {
        const body: string[] = [];
        while (++j < block.length && block[j]!.trim() !== heredoc[2]) body.push(block[j]!);
        steps.push({ type: 'file', name: heredoc[1]!, content: `${body.join('\n')}\n` });
        continue;
      }
      const { code: c, comment } = code(line);
      const exp = /^export\s+(\w+)=(\S*)$/.exec(c);
      if (exp) {
        vars[exp[1]!] = exp[2]!;
        continue;
      }
      const skip = /doc-test:\s*skip\s*(.*)$/.exec(comment)?.[1];
      for (const part of c.split(/\s+&&\s+/)) {
        const w = words(part, vars);
        const env: Record<string, string> = { ...vars };
        while (w.length > 0 && /^\w+=/.test(w[0]!)) {
          const [k, ...v] = w.shift()!.split('=');
          env[k!] = v.join('=');
        }
        if (w[0] === 'npx') w.shift();
        if (w[0] !== 'wharf') continue;
        steps.push({
          type: 'cli',
          where,
          args: w.slice(1),
          env,
          ...(skip !== undefined ? { skip: skip || 'marked' } : {}),
        });
      }
    }
  }
  return steps;
}

function pages(): string[] {
  const out = ['README.md'];
  const walk = (d: string): void => {
    for (const f of readdirSync(join(ROOT, d)).sort()) {
      const p = join(d, f);
      if (statSync(join(ROOT, p)).isDirectory()) walk(p);
      else if (p.endsWith('.md')) out.push(p);
    }
  };
  walk('docs');
  return out;
}

function run(args: string[], cwd: string, env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`wharf ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

const built = (): boolean => existsSync(join(ROOT, 'dist/cli/main.js'));

describe('every wharf line in the docs runs as written', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('finds the lines (and the directives) it runs', () => {
    const all = pages().flatMap((p) => extract(p, readFileSync(join(ROOT, p), 'utf8')));
    const cli = all.filter((s): s is CliStep => s.type === 'cli');
    expect(cli.length).toBeGreaterThan(20);
    // Skips are rare and say why.
    const skipped = cli.filter((s) => s.skip);
    for (const s of skipped) expect(s.skip, s.where).toMatch(/\(.{8,}\)/);
    expect(skipped.length).toBeLessThanOrEqual(Math.ceil(cli.length / 4));
  });

  for (const page of pages()) {
    const steps = extract(page, readFileSync(join(ROOT, page), 'utf8'));
    if (!steps.some((s) => s.type === 'cli' && !s.skip)) continue;
    it(`${page}`, { timeout: 900_000 }, async () => {
      expect(built(), 'npm run build first').toBe(true);
      const cwd = mkdtempSync(join(tmpdir(), 'wharf-doc-'));
      symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'));
      const started = new Set<string>();
      cleanups.push(async () => {
        for (const dir of started) await run(['stop', dir], cwd, {});
        rmSync(cwd, { recursive: true, force: true });
      });
      let envDir: string | undefined;
      let envRunning = false;
      const pageEnv = async (): Promise<string> => {
        if (envDir) return envDir;
        envDir = join(cwd, 'ENV');
        const r = await run(
          [
            'quickstart',
            'create',
            envDir,
            '--port',
            String(await freePort()),
            '--web-admin-port',
            String(await freePort()),
          ],
          cwd,
          {},
        );
        expect(r.code, `quickstart for ENV: ${r.stderr}`).toBe(0);
        return envDir;
      };
      const write = (name: string, content: string): void => {
        mkdirSync(resolve(cwd, name, '..'), { recursive: true });
        writeFileSync(resolve(cwd, name), content);
      };
      for (const f of steps) if (f.type === 'file' && f.page) write(f.name, f.content);
      for (const step of steps) {
        if (step.type === 'file') {
          if (!step.page) write(step.name, step.content);
          continue;
        }
        if (step.type === 'env-running') {
          const dir = await pageEnv();
          if (!envRunning) {
            const r = await run(['start', dir], cwd, {});
            expect(r.code, `start ENV: ${r.stderr}`).toBe(0);
            started.add(dir);
            envRunning = true;
          }
          continue;
        }
        if (step.type === 'env-stopped') {
          if (envDir && envRunning) {
            const r = await run(['stop', envDir], cwd, {});
            expect(r.code, `stop ENV: ${r.stderr}`).toBe(0);
            started.delete(envDir);
            envRunning = false;
          }
          continue;
        }
        if (step.skip) continue;
        const args = [...step.args];
        if (args.includes('ENV')) {
          const dir = await pageEnv();
          for (let k = 0; k < args.length; k++) if (args[k] === 'ENV') args[k] = dir;
        }
        if (
          args[0] === 'quickstart' &&
          args[1] === 'create' &&
          args[2] &&
          !['postgresql', 'mysql', 'mariadb', 'pg', 'postgres'].includes(args[3] ?? '')
        ) {
          // Free ports instead of 11223/8183: the machine is shared.
          for (const opt of ['--port', '--web-admin-port']) {
            const k = args.indexOf(opt);
            if (k >= 0) args.splice(k, 2);
            args.push(opt, String(await freePort()));
          }
        }
        const r = await run(args, cwd, step.env);
        const shown = `${step.where}: wharf ${step.args.join(' ')} → exit ${r.code}\n${r.stdout}\n${r.stderr}`;
        expect(r.code, shown).toBe(0);
        const target = args[1] && !args[1].startsWith('-') ? resolve(cwd, args[1]) : undefined;
        if (args[0] === 'start' && target && !args.includes('--fg')) {
          started.add(target);
          if (target === envDir) envRunning = true;
        }
        if (args[0] === 'stop' && target && args.length === 2) {
          started.delete(target);
          if (target === envDir) envRunning = false;
        }
      }
    });
  }
});

describe('the CLI loads only what a command needs', () => {
  it('`wharf --help` loads commander and the command table, no zod, YAML, ODB or connector code', async () => {
    expect(built(), 'npm run build first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'wharf-load-'));
    try {
      // A loader hook that writes every module URL it loads.
      const log = join(dir, 'loaded.txt');
      writeFileSync(
        join(dir, 'hooks.mjs'),
        `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`,
      );
      writeFileSync(
        join(dir, 'register.mjs'),
        `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${join(dir, 'hooks.mjs')}`)});\n`,
      );
      const r = await new Promise<CliResult>((done) => {
        // the tsc output, one module per file (the bundle's chunks are checked in bundle.test.ts)
        const child = spawn(process.execPath, ['--import', join(dir, 'register.mjs'), BIN, '--help'], {
          env: { ...process.env, WHARF_NO_BUNDLE: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/channel\s+Channels: http/);
      const loaded = readFileSync(log, 'utf8').trim().split('\n');
      const ours = loaded.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.indexOf('/dist/') + 6));
      expect(ours.sort()).toEqual([
        'cli/command-table.js',
        'cli/exit.js',
        'cli/help.js',
        'cli/main.js',
        'cli/messages.js',
      ]);
      expect(
        loaded.filter((u) => /node_modules\/(zod|yaml|kysely|pino|undici|esbuild|amqplib|zeromq|mqtt|rhea)\//.test(u)),
      ).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what a new user sees', () => {
  let env: TestEnv | undefined;
  afterAll(async () => {
    await env?.destroy();
  });

  it(
    'a module refused from the pickup directory: service list marks it with file:line:col, pickup/errors/NAME.txt holds it until a version deploys',
    { timeout: 300_000 },
    async () => {
      env = await createEnv({ workers: 1 });
      const e = env;
      e.pickup(
        'broken.ts',
        "import { service } from 'wharf';\nexport class Broken extends service({ name: 'broken' }) {\n  async handle() { return this.nosuch.call(; }\n}\n",
      );
      const errorsFile = join(e.dir, 'server1/pickup/errors/broken.ts.txt');
      await eventually(() => existsSync(errorsFile), 60_000, 'pickup/errors/broken.ts.txt');
      expect(readFileSync(errorsFile, 'utf8')).toMatch(/broken\.ts:3:\d+/);
      const list = await e.ok(['service', 'list', 'ENV']);
      expect(list).toMatch(/broken\.ts\s+REFUSED \(pickup\)/);
      expect(list).toMatch(/broken\.ts: refused from the pickup directory[^]*broken\.ts:3:\d+/);
      const json = JSON.parse(await e.ok(['service', 'list', 'ENV', '--json'])) as Array<{
        module: string;
        status: string;
        error?: string;
      }>;
      expect(json.find((x) => x.module === 'broken.ts')).toMatchObject({
        status: 'refused',
        error: expect.stringMatching(/broken\.ts:3:\d+/),
      });
      e.pickup(
        'broken.ts',
        "import { service } from 'wharf';\nexport class Broken extends service({ name: 'broken' }) {\n  async handle() { return { ok: true }; }\n}\n",
      );
      await eventually(() => !existsSync(errorsFile), 60_000, 'refusal removed after a good version');
      expect(await e.ok(['service', 'list', 'ENV'])).toMatch(/broken\s+broken\.ts\s+\w{12}\s+deployed/);
    },
  );

  it("option mistakes are said in the CLI's words, at once", async () => {
    const e = env!;
    const r = await e.cli(['channel', 'http', 'create', 'ENV', '--url-path', '/x', '--service', 'broken']);
    expect(r.code).toBe(8);
    expect(r.stderr).toBe('wharf: HTTP channel refused: --name is required\n');
    const port = await runCli(['quickstart', 'create', join(e.dir, '..', 'never'), '--port', '99999']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port: `99999` is not a port number/);
    expect(existsSync(join(e.dir, '..', 'never'))).toBe(false);
    const help = await e.cli(['channel', 'http', '--help']);
    expect(help.stdout).toMatch(/create <env>\n\s+Create a HTTP channel\n\s+--name <value>/);
  });
});
