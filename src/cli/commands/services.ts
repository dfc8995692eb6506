/** `wharf service deploy|list|invoke|delete ENV ...`, through the admin API. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import type { BulkDeployResult, DeployResult, ServiceListEntry } from '../../admin/service-ops.js';
import type { PickupRefusal } from '../../server/pickup-errors.js';
import { AdminApiError, AdminClient, enc, type ApiError } from '../client.js';
import { CliError, EXIT } from '../exit.js';
import { print, printTable } from '../output.js';
import { registerServiceCheckCommand } from './service-check.js';

/** A bulk deploy prints a line per deployed module up to this many, then the summary only. */
const MAX_LINES = 50;

function printDeployed(r: DeployResult): void {
  print(
    `${r.module}: ${r.unchanged ? 'unchanged' : 'deployed'} ${r.services.join(', ')} (hash ${r.hash.slice(0, 12)}, config version ${r.version})`,
  );
}

function readModule(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch (e) {
    throw new CliError(`${f}: ${e instanceof Error ? e.message : String(e)}`, EXIT.NOT_FOUND);
  }
}

/** The files a deploy takes (as the server's compile does), without loading its code into the CLI. */
const isModuleFile = (name: string): boolean => /\.[mc]?[tj]s$/.test(name) && !/\.d\.[mc]?ts$/.test(name);

/** Files as given; a directory: its .ts/.js modules (not .d.ts, not in subdirectories), by name. */
export function expandModuleArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    let dir = false;
    try {
      dir = statSync(a).isDirectory();
    } catch (e) {
      throw new CliError(`${a}: ${e instanceof Error ? e.message : String(e)}`, EXIT.NOT_FOUND);
    }
    if (!dir) {
      out.push(a);
      continue;
    }
    const found = readdirSync(a, { withFileTypes: true })
      .filter((d) => d.isFile() && isModuleFile(d.name))
      .map((d) => join(a, d.name))
      .sort();
    if (found.length === 0) throw new CliError(`${a}: no .ts or .js modules in this directory`, EXIT.NOT_FOUND);
    out.push(...found);
  }
  return out;
}

export function registerServiceCommands(program: Command): void {
  const svc = program.command('service').description('Deploy, list, invoke and delete services');
  svc
    .command('deploy')
    .description(
      'Deploy service modules (.ts or .js files, or every .ts/.js file of a directory) in one request, all or nothing; a broken file is refused with file:line and the old versions keep serving. .ts modules are type-checked first when TypeScript is installed',
    )
    .argument('<env>')
    .argument('<files...>', 'module files and/or directories')
    .option('--no-check', 'deploy without the type check (wharf service check)')
    .action(async (env: string, args: string[], opts: { check: boolean }) => {
      const files = expandModuleArgs(args);
      if (opts.check) await (await import('../check/run.js')).runCheck(files, { mode: 'deploy' });
      const modules = files.map((f) => ({ name: basename(f), source: readModule(f), from: `cli:${f}` }));
      const client = new AdminClient(env);
      if (modules.length === 1 && args.length === 1 && args[0] === files[0]) {
        printDeployed(await client.call<DeployResult>('POST', '/wharf/admin/services', modules[0]));
        return;
      }
      const r = await client.call<BulkDeployResult>('POST', '/wharf/admin/services', { modules });
      const deployed = r.modules.filter((m) => !m.unchanged);
      if (deployed.length <= MAX_LINES) deployed.forEach(printDeployed);
      print(
        `deployed ${r.deployed}, unchanged ${r.unchanged}${r.version === null ? '' : ` (config version ${r.version})`}`,
      );
    });
  registerServiceCheckCommand(svc);
  svc
    .command('list')
    .description('Deployed services with their module, hash and status')
    .argument('<env>')
    .option('--json', 'print JSON')
    .action(async (env: string, opts: { json?: boolean }) => {
      const r = await new AdminClient(env).call<{ items: ServiceListEntry[]; refused?: PickupRefusal[] }>(
        'GET',
        '/wharf/admin/services',
      );
      const refused = r.refused ?? [];
      if (opts.json)
        return print(
          JSON.stringify(
            [
              ...r.items,
              ...refused.map((x) => ({ module: x.module, status: 'refused', refusedAt: x.at, error: x.message })),
            ],
            null,
            2,
          ),
        );
      printTable(
        ['service', 'module', 'hash', 'status', 'deployed'],
        [
          ...r.items.map((s) => [s.service, s.module, s.hash.slice(0, 12), s.status, s.deployedAt]),
          ...refused.map((x) => ['', x.module, '', 'REFUSED (pickup)', x.at]),
        ],
      );
      // The refusal itself, as the compiler or loader said it (file:line:col), and where it is kept.
      for (const x of refused)
        print(
          `\n${x.module}: refused from the pickup directory (see pickup/errors/${x.module}.txt):\n${x.message.replace(/^/gm, '  ')}`,
        );
    });
  svc
    .command('invoke')
    .description('Invoke a service with a JSON input and print its output')
    .argument('<env>')
    .argument('<name>')
    .option('--input <json>', 'input as JSON', '{}')
    .action(async (env: string, name: string, opts: { input: string }) => {
      let input: unknown;
      try {
        input = JSON.parse(opts.input);
      } catch (e) {
        throw new CliError(`--input: not valid JSON (${e instanceof Error ? e.message : String(e)})`, EXIT.USAGE);
      }
      const r = await new AdminClient(env).call<{
        cid: string;
        status?: number;
        output?: unknown;
        error?: ApiError;
      }>('POST', `/wharf/admin/services/${enc(name)}/invoke`, { input });
      if (r.error) throw new AdminApiError(r.status ?? 500, { ...r.error, cid: r.cid }); // the service failed (the admin call worked)
      print(typeof r.output === 'string' ? r.output : JSON.stringify(r.output ?? null, null, 2));
    });
  svc
    .command('delete')
    .description('Delete a service (its module), live on every server')
    .argument('<env>')
    .argument('<name>', 'service name, or module file name with --module')
    .option('--module', 'delete the whole module that defines it')
    .action(async (env: string, name: string, opts: { module?: boolean }) => {
      const r = await new AdminClient(env).call<{ module: string; services: string[] }>(
        'DELETE',
        `/wharf/admin/services/${enc(name)}${opts.module ? '?module=1' : ''}`,
      );
      print(`deleted ${r.module} (${r.services.join(', ')})`);
    });
}
