/** `wharf enmasse import|export ENV ...`: config as a YAML file, through the admin API. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ExportedObject, ImportProblem, PlanEntry } from '../../admin/enmasse-ops.js';
import { AdminApiError, AdminClient } from '../client.js';
import { parseEnmasse, renderEnmasse } from '../enmasse-file.js';
import { openEnv } from '../env.js';
import { CliError, EXIT } from '../exit.js';
import { print } from '../output.js';

export function registerEnmasseCommands(program: Command): void {
  const em = program.command('enmasse').description('Export and import the whole config as YAML (docs/enmasse.md)');
  em.command('export')
    .description('Write all config as YAML; secrets become ${ENV_VAR} placeholders, never clear text')
    .argument('<env>')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (envPath: string, opts: { output?: string }) => {
      const env = openEnv(envPath);
      const r = await new AdminClient(env).call<{ objects: ExportedObject[] }>('GET', '/wharf/admin/enmasse/export');
      const text = renderEnmasse(r.objects, `# Wharf enmasse export of cluster ${env.file.cluster}\n`);
      if (opts.output) {
        writeFileSync(opts.output, text);
        print(`exported ${r.objects.length} objects to ${opts.output}`);
      } else process.stdout.write(text);
    });
  em.command('import')
    .description('Apply a YAML file in one transaction: all objects or none')
    .argument('<env>')
    .argument('<file>')
    .option('--replace', 'overwrite existing objects that differ')
    .option('--dry-run', 'print what would change, change nothing')
    .action(async (envPath: string, file: string, opts: { replace?: boolean; dryRun?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new CliError(`${file}: ${e instanceof Error ? e.message : String(e)}`, EXIT.NOT_FOUND);
      }
      (await import('../../kinds.js')).registerBuiltinKinds(); // the file's kinds are checked against the declarations
      const objects = parseEnmasse(text, file);
      let r: {
        dryRun: boolean;
        plan: PlanEntry[];
        version?: number;
        warnings?: Array<{ message: string; line?: number }>;
      };
      try {
        r = await new AdminClient(openEnv(envPath)).call('POST', '/wharf/admin/enmasse/import', {
          objects,
          replace: opts.replace === true,
          dryRun: opts.dryRun === true,
        });
      } catch (e) {
        const problems =
          e instanceof AdminApiError ? (e.error.details?.['problems'] as ImportProblem[] | undefined) : undefined;
        if (problems?.length) {
          throw new CliError(
            `${file}: import refused, nothing was changed:\n${problems.map((p) => `${file}:${p.line ?? '?'}: ${p.message}`).join('\n')}`,
            EXIT.INVALID,
          );
        }
        throw e;
      }
      const sign = { create: '+', edit: '~', unchanged: '=' } as const;
      for (const p of r.plan)
        print(`${sign[p.action]} ${p.kind} ${p.name}${p.fields ? ` (${p.fields.join(', ')})` : ''}`);
      const count = (a: string): number => r.plan.filter((p) => p.action === a).length;
      print(
        `${r.dryRun ? 'dry run: would apply' : 'applied'}: ${count('create')} created, ${count('edit')} updated, ${count('unchanged')} unchanged${r.version ? ` (config version ${r.version})` : ''}`,
      );
      for (const w of r.warnings ?? []) process.stderr.write(`${file}:${w.line ?? '?'}: warning: ${w.message}\n`);
    });
}
