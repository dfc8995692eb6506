/**
 * `wharf init` + `wharf service check` + the deploy's type check, as a service author uses them:
 * scaffold a project, check it, run its example test (wharf-esb/testing), deploy it to a real server.
 *
 * No network: instead of `npm install` (whose `file:` dependency on this checkout would try to install
 * Wharf's own dependencies from the registry), the project's node_modules is linked by hand —
 * node_modules/wharf-esb → this checkout, typescript / vitest / @types/node → this checkout's copies,
 * and node_modules/.bin/{wharf,vitest} — which is what `npm install` would have put there.
 * Needs dist/ (npm run build).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, ROOT, runCli, type CliResult, type TestEnv } from '../helpers/env.js';

const BAD = [
  "import { int, service } from 'wharf-esb';", // 1
  '', // 2
  "export class Bad extends service({ name: 'init.bad', input: { n: int() } }) {", // 3
  '  async handle() {', // 4
  '    const s: string = this.input.n;', // 5: the case, an int assigned to a string
  '    return { s };', // 6
  '  }', // 7
  '}', // 8
  '',
].join('\n');
const BAD_LINE = "src/bad.ts:5:11: Type 'number' is not assignable to type 'string'. (TS2322)";

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, {
      cwd,
      env: { ...process.env, ...env, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, 240_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** What `npm install` would have made, linked to this checkout (see the file's comment). */
function linkNodeModules(proj: string): void {
  const nm = join(proj, 'node_modules');
  mkdirSync(join(nm, '@types'), { recursive: true });
  mkdirSync(join(nm, '.bin'), { recursive: true });
  symlinkSync(ROOT, join(nm, 'wharf-esb'));
  for (const p of ['typescript', 'vitest', '@types/node']) symlinkSync(join(ROOT, 'node_modules', p), join(nm, p));
  symlinkSync('../wharf-esb/bin/wharf.js', join(nm, '.bin/wharf'));
  symlinkSync('../vitest/vitest.mjs', join(nm, '.bin/vitest'));
}

describe('wharf init, wharf service check, deploy with the check', { timeout: 400_000 }, () => {
  let parent: string;
  let proj: string;
  let env: TestEnv | undefined;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/cli/commands/init.js')))
      throw new Error('dist/ is missing or stale: npm run build');
    parent = mkdtempSync(join(tmpdir(), 'wharf-init-'));
    proj = join(parent, 'hello-services');
  });
  afterAll(async () => {
    await env?.destroy();
    rmSync(parent, { recursive: true, force: true });
  });

  it('init scaffolds the project (a file: dependency on this checkout with WHARF_INIT_LOCAL) and refuses a non-empty directory', async () => {
    const r = await runCli(['init', proj], { env: { WHARF_INIT_LOCAL: '1' } });
    expect(r.code, r.stderr).toBe(0);
    for (const f of [
      'package.json',
      'tsconfig.json',
      'vitest.config.ts',
      'src/hello.ts',
      'test/hello.test.ts',
      'README.md',
      '.gitignore',
    ])
      expect(existsSync(join(proj, f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(proj, 'package.json'), 'utf8')) as {
      name: string;
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.name).toBe('hello-services');
    expect(pkg.dependencies).toEqual({ 'wharf-esb': `file:${ROOT}` });
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(['@types/node', 'typescript', 'vitest']);
    expect(pkg.scripts).toMatchObject({ check: 'wharf service check src/*.ts test/*.ts', test: 'vitest run' });
    expect(pkg.scripts['deploy']).toMatch(/^wharf service deploy ".*WHARF_ENV.*" src\/\*\.ts$/);
    expect(readFileSync(join(proj, 'src/hello.ts'), 'utf8')).toContain("from 'wharf-esb'");
    expect(readFileSync(join(proj, 'test/hello.test.ts'), 'utf8')).toContain("from 'wharf-esb/testing'");

    const again = await runCli(['init', proj]);
    expect(again.code).toBe(10);
    expect(again.stderr).toContain('not empty (--force');
    const registry = join(parent, 'from-registry');
    expect((await runCli(['init', registry])).code).toBe(0);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(
      (JSON.parse(readFileSync(join(registry, 'package.json'), 'utf8')) as { dependencies: unknown }).dependencies,
    ).toEqual({ 'wharf-esb': `^${version}` });
    writeFileSync(join(registry, 'src/hello.ts'), '// mine\n');
    expect((await runCli(['init', registry, '--force'])).code).toBe(0);
    expect(readFileSync(join(registry, 'src/hello.ts'), 'utf8')).toContain('extends service(');
    linkNodeModules(proj);
  });

  it("npm run check passes with the project's own TypeScript; the issue's int-to-string module is refused with file:line:col", async () => {
    const ok = await npm(['run', '--silent', 'check'], proj);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^2 files checked, no errors \(TypeScript \d+\.\d+\.\d+, the project's\)$/m);

    writeFileSync(join(proj, 'src/bad.ts'), BAD);
    const bad = await runCli(['service', 'check', 'src/bad.ts', 'src/hello.ts'], { cwd: proj });
    expect(bad.code).toBe(1);
    expect(bad.stdout.trim()).toBe(BAD_LINE);
    expect(bad.stderr).toMatch(/^wharf: 1 type error \(TypeScript .*\)\n$/);

    // A file outside any project (no tsconfig, no node_modules): Wharf's types and TypeScript still found.
    const loose = join(parent, 'loose');
    mkdirSync(loose);
    writeFileSync(join(loose, 'bad.ts'), BAD.replace("'wharf-esb'", "'wharf'"));
    const outside = await runCli(['service', 'check', 'bad.ts'], { cwd: loose });
    expect(outside.code).toBe(1);
    expect(outside.stdout.trim()).toBe(BAD_LINE.replace('src/', ''));
    expect(outside.stderr).toContain("Wharf's)");

    const missing = await runCli(['service', 'check', 'nope.ts'], { cwd: proj });
    expect([missing.code, missing.stderr]).toEqual([9, 'wharf: nope.ts: no such file\n']);
  });

  it('the example test runs: npm test (vitest) with wharf-esb/testing', async () => {
    const r = await npm(['test'], proj, { NO_COLOR: '1', CI: '1' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+3 passed \(3\)/);
  });

  it("npm run deploy checks then deploys to a real server, where 'wharf-esb' resolves; a type error is refused, --no-check deploys it anyway", async () => {
    env = await createEnv();
    rmSync(join(proj, 'src/bad.ts'));
    const dep = await npm(['run', '--silent', 'deploy'], proj, { WHARF_ENV: env.dir });
    expect(dep.code, dep.stdout + dep.stderr).toBe(0);
    expect(dep.stdout).toMatch(/^hello\.ts: deployed hello /m);
    const inv = await runCli(['service', 'invoke', env.dir, 'hello', '--input', '{"name":"Ada"}']);
    expect(inv.code, inv.stderr).toBe(0);
    expect(JSON.parse(inv.stdout)).toEqual({ greeting: 'Hello, Ada!' });

    writeFileSync(join(proj, 'src/bad.ts'), BAD);
    const refused = await runCli(['service', 'deploy', env.dir, 'src/bad.ts'], { cwd: proj });
    expect(refused.code).toBe(8);
    expect(refused.stderr).toBe(
      `${BAD_LINE}\nwharf: 1 type error: nothing deployed (--no-check deploys without the check)\n`,
    );
    expect((await runCli(['service', 'list', env.dir])).stdout).not.toContain('init.bad');

    // esbuild strips types: without the check the same module deploys (which is why the check exists).
    const unchecked = await runCli(['service', 'deploy', env.dir, 'src/bad.ts', '--no-check'], { cwd: proj });
    expect(unchecked.code, unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toMatch(/^bad\.ts: deployed init\.bad /m);
  });
});
