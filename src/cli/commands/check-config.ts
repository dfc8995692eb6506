/** `wharf check-config ENV`: offline checks of an environment, without a running server. */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describeIssues } from '../../config/kind.js';
import { findKind } from '../../config/registry.js';
import { openFields, SecretBox } from '../../config/secrets.js';
import { Odb } from '../../odb/odb.js';
import { openEnv } from '../env.js';
import { CliError, EXIT } from '../exit.js';
import { print } from '../output.js';

export async function checkConfig(envPath: string): Promise<string[]> {
  // The CLI loads kind declarations lazily: the stored objects are checked against them.
  (await import('../../kinds.js')).registerBuiltinKinds();
  const env = openEnv(envPath);
  const problems: string[] = [];
  for (const s of env.servers) {
    if (!existsSync(s.secretKeyFile)) {
      problems.push(`${s.name}: secret key ${s.secretKeyFile} is missing`);
      continue;
    }
    if (!existsSync(s.pickupDir)) problems.push(`${s.name}: pickup directory ${s.pickupDir} is missing`);
    let odb: Odb | undefined;
    try {
      odb = await Odb.open(s.odb);
      await odb.ping();
      const box = SecretBox.fromHex(readFileSync(s.secretKeyFile, 'utf8'));
      const services = new Set((await odb.listModules()).flatMap((m) => m.services));
      for (const o of await odb.listObjects()) {
        const kind = findKind(o.kind);
        if (!kind) {
          problems.push(`${o.kind} \`${o.name}\`: unknown kind`);
          continue;
        }
        const r = kind.schema.safeParse(openFields(box, o.data, kind.secrets));
        if (!r.success) problems.push(`${kind.title} \`${o.name}\`: ${describeIssues(r.error).join('; ')}`);
        const svc = o.data['service'];
        if (typeof svc === 'string' && !services.has(svc))
          problems.push(`${kind.title} \`${o.name}\`: service \`${svc}\` is not deployed`);
      }
    } catch (e) {
      problems.push(`${s.name}: ODB: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await odb?.close();
    }
  }
  return problems;
}

export function registerCheckConfigCommand(program: Command): void {
  program
    .command('check-config')
    .description('Check an environment offline: server configs, secret key, ODB, every object, referenced services')
    .argument('<env>')
    .action(async (envPath: string) => {
      const problems = await checkConfig(envPath);
      if (problems.length > 0)
        throw new CliError(`config problems:\n${problems.map((p) => `- ${p}`).join('\n')}`, EXIT.INVALID);
      print('config OK');
    });
}
