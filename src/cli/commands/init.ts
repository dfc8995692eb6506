/**
 * `wharf init DIR`: scaffolds a services project — package.json depending on wharf-esb, tsconfig.json,
 * an example service (src/hello.ts), its test with wharf-esb/testing, and npm scripts `check`, `test`,
 * `deploy`. The files come from templates/init/ in this package.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { PACKAGE_ROOT } from '../check/wharf-types.js';
import { CliError, EXIT } from '../exit.js';
import { print } from '../output.js';

export interface InitOptions {
  /** Write into a non-empty directory (files of the same names are replaced). */
  force?: boolean;
  /** Depend on this checkout (`file:`) instead of the registry's `^VERSION` (also WHARF_INIT_LOCAL=1). */
  local?: boolean;
  /** The environment `npm run deploy` deploys to (default: $WHARF_ENV when the script runs). */
  env?: string;
}

/** Template file → the name it gets in the project (npm leaves `.gitignore` out of packages). */
const TEMPLATE_FILES: ReadonlyArray<readonly [string, string]> = [
  ['tsconfig.json', 'tsconfig.json'],
  ['vitest.config.ts', 'vitest.config.ts'],
  ['src/hello.ts', 'src/hello.ts'],
  ['test/hello.test.ts', 'test/hello.test.ts'],
  ['README.md', 'README.md'],
  ['gitignore', '.gitignore'],
];

interface OwnPackage {
  version: string;
  devDependencies?: Record<string, string>;
}

function ownPackage(): OwnPackage {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as OwnPackage;
}

/** A valid npm package name from the directory's name. */
export function projectName(dir: string): string {
  const n = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return n.slice(0, 214) || 'wharf-services';
}

function localWanted(opts: InitOptions): boolean {
  const env = process.env['WHARF_INIT_LOCAL'];
  return opts.local === true || (env !== undefined && env !== '' && env !== '0');
}

function packageJson(dir: string, opts: InitOptions): string {
  const own = ownPackage();
  const dev = own.devDependencies ?? {};
  // The script runs in the project directory: a given environment is written relative to it, shell-quoted.
  const target =
    opts.env !== undefined
      ? `'${(relative(resolve(dir), resolve(opts.env)) || '.').replace(/'/g, "'\\''")}'`
      : '"${WHARF_ENV:?set WHARF_ENV to your Wharf environment directory}"';
  const pkg = {
    name: projectName(dir),
    version: '0.1.0',
    private: true,
    type: 'module',
    description: 'Wharf services',
    scripts: {
      check: 'wharf service check src/*.ts test/*.ts',
      test: 'vitest run',
      deploy: `wharf service deploy ${target} src/*.ts`,
    },
    dependencies: { 'wharf-esb': localWanted(opts) ? `file:${PACKAGE_ROOT}` : `^${own.version}` },
    devDependencies: {
      '@types/node': dev['@types/node'] ?? '^20.19.0',
      typescript: dev['typescript'] ?? '^5.9.0',
      vitest: dev['vitest'] ?? '^4.0.0',
    },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** Writes the project; returns the files written (relative to `dir`). */
export function initProject(dir: string, opts: InitOptions = {}): string[] {
  const root = resolve(dir);
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) throw new CliError(`${dir}: exists and is not a directory`, EXIT.EXISTS);
    if (readdirSync(root).length > 0 && !opts.force)
      throw new CliError(`${dir}: not empty (--force writes into it, replacing files of the same names)`, EXIT.EXISTS);
  }
  const templates = join(PACKAGE_ROOT, 'templates/init');
  if (!existsSync(templates)) throw new CliError(`Wharf's project templates are missing (${templates})`, EXIT.ERROR);
  const name = projectName(dir);
  const files: Array<[string, string]> = [['package.json', packageJson(dir, opts)]];
  for (const [from, to] of TEMPLATE_FILES)
    files.push([to, readFileSync(join(templates, from), 'utf8').replaceAll('{{name}}', name)]);
  for (const [rel, text] of files) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return files.map(([rel]) => rel);
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'Scaffold a services project: package.json (wharf-esb), tsconfig.json, an example service and its test, npm scripts check / test / deploy',
    )
    .argument('<dir>', 'new project directory (must be empty unless --force)')
    .option('--force', 'write into a non-empty directory, replacing files of the same names')
    .option('--local', 'depend on this Wharf (file:) instead of the registry version (also WHARF_INIT_LOCAL=1)')
    .option('--env <env>', 'the environment directory `npm run deploy` deploys to (default: $WHARF_ENV)')
    .action((dir: string, opts: InitOptions) => {
      const files = initProject(dir, opts);
      print(`created ${dir}: ${files.join(', ')}`);
      print(`next: cd ${dir} && npm install && npm run check && npm test`);
      print(`deploy: ${opts.env !== undefined ? '' : 'WHARF_ENV=/path/to/env '}npm run deploy`);
    });
}
