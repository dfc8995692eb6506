/**
 * `wharf ca create ca DIR` and `wharf ca create server|load-balancer|web-admin|client CA_DIR NAME`:
 * the environment's certificate authority (quickstart step 1 runs the same code).
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { createCa, issueCertificate, type CertPurpose } from '../../cluster/ca.js';
import { CliError, EXIT } from '../exit.js';
import { print } from '../output.js';

const PURPOSES: readonly CertPurpose[] = ['server', 'load-balancer', 'web-admin', 'client'];

export function registerCaCommands(program: Command): void {
  const ca = program
    .command('ca')
    .description('Certificate authority: create one, issue certificates for servers, the load balancer, the web admin');
  const create = ca.command('create').description('Create a CA, or a certificate signed by one');
  create
    .command('ca')
    .description('Create a certificate authority in DIR (ca.crt, ca.key 0600, serial)')
    .argument('<dir>')
    .option('--name <cn>', 'common name of the CA', 'Wharf CA')
    .option('--years <n>', 'validity in years', (v) => Number(v), 10)
    .action(async (dir: string, o: { name: string; years: number }) => {
      try {
        const r = await createCa(resolve(dir), { name: o.name, years: o.years });
        print(`CA created: ${r.cert}`);
      } catch (e) {
        throw new CliError(e instanceof Error ? e.message : String(e), EXIT.EXISTS);
      }
    });
  for (const purpose of PURPOSES) {
    create
      .command(purpose)
      .description(`Issue a ${purpose} certificate: NAME.crt, NAME.key (0600), NAME.pem (cert + key) and ca.crt`)
      .argument('<ca-dir>', 'the CA directory')
      .argument('<name>', 'common name and file name, e.g. server1')
      .option('--host <name-or-ip...>', 'subject alternative names (default: localhost 127.0.0.1 ::1)')
      .option('--out <dir>', 'where to write the files (default: CA_DIR/issued)')
      .option('--days <n>', 'validity in days', (v) => Number(v), 825)
      .action(async (caDir: string, name: string, o: { host?: string[]; out?: string; days: number }) => {
        try {
          const f = await issueCertificate(resolve(caDir), {
            name,
            purpose,
            hosts: o.host,
            outDir: o.out ? resolve(o.out) : undefined,
            days: o.days,
          });
          print(`certificate: ${f.cert}\nkey:         ${f.key}\ncert + key:  ${f.pem}\nCA:          ${f.ca}`);
        } catch (e) {
          throw new CliError(e instanceof Error ? e.message : String(e), EXIT.INVALID);
        }
      });
  }
}
