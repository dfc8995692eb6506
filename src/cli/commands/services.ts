/** `wharf service deploy|list|invoke|delete ENV ...`, through the admin API. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { DeployResult, ServiceListEntry } from '../../admin/service-ops.js';
import type { PickupRefusal } from '../../server/pickup-errors.js';
import { AdminApiError, AdminClient, enc, type ApiError } from '../client.js';
import { CliError, EXIT } from '../exit.js';
import { print, printTable } from '../output.js';
import { registerServiceCheckCommand } from './service-check.js';

export function registerServiceCommands(program: Command): void {
  const svc = program.command('service').description('Deploy, list, invoke and delete services');
  svc
    .command('deploy')
    .description(
      'Deploy service modules (.ts or .js); a broken file is refused with file:line and the old version keeps serving. .ts modules are type-checked first when TypeScript is installed',
    )
    .argument('<env>')
    .argument('<files...>')
    .option('--no-check', 'deploy without the type check (wharf service check)')
    .action(async (env: string, files: string[], opts: { check: boolean }) => {
      if (opts.check) await (await import('../check/run.js')).runCheck(files, { mode: 'deploy' });
      const client = new AdminClient(env);
      for (const f of files) {
        let source: string;
        try {
          source = readFileSync(f, 'utf8');
        } catch (e) {
          throw new CliError(`${f}: ${e instanceof Error ? e.message : String(e)}`, EXIT.NOT_FOUND);
        }
        const r = await client.call<DeployResult>('POST', '/wharf/admin/services', {
          name: basename(f),
          source,
          from: `cli:${f}`,
        });
        print(
          `${r.module}: ${r.unchanged ? 'unchanged' : 'deployed'} ${r.services.join(', ')} (hash ${r.hash.slice(0, 12)}, config version ${r.version})`,
        );
      }
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
