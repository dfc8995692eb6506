/**
 * `wharf user create|list|password|delete ENV ...`: the admin API's users (the web admin's logins),
 * through the admin API. Without --password a random one is generated and printed once.
 */
import type { Command } from 'commander';
import { randomPassword } from '../../config/secrets.js';
import { AdminClient, enc } from '../client.js';
import { CliError, EXIT } from '../exit.js';
import { print, printTable } from '../output.js';

interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

/** The given password (option or stdin, which keeps it out of the process list), else undefined. */
async function givenPassword(opts: PasswordOptions): Promise<string | undefined> {
  if (opts.password !== undefined && opts.passwordStdin)
    throw new CliError('give either --password or --password-stdin', EXIT.USAGE);
  if (!opts.passwordStdin) return opts.password;
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

interface UserItem {
  username: string;
  createdAt?: string;
}

export function registerUserCommands(program: Command): void {
  const user = program
    .command('user')
    .description('Admin users (logins of the admin API and the web admin; scrypt hashes in the ODB)');
  user
    .command('create')
    .description('Create an admin user; without --password a random password is generated and printed once')
    .argument('<env>', 'environment directory')
    .argument('<username>', '1 to 64 of A-Z a-z 0-9 . _ @ -')
    .option('--password <password>', 'at least 8 characters (else generated)')
    .option('--password-stdin', 'read the password from standard input (keeps it out of the process list)')
    .action(async (env: string, username: string, opts: PasswordOptions) => {
      const given = await givenPassword(opts);
      const password = given ?? randomPassword();
      await new AdminClient(env).call('POST', '/wharf/admin/users', { username, password });
      print(
        given === undefined
          ? `Admin user:[${username}], password:[${password}] created (the password is shown only now)`
          : `Admin user \`${username}\` created`,
      );
    });
  user
    .command('list')
    .description('List admin users')
    .argument('<env>')
    .option('--json', 'print JSON')
    .action(async (env: string, opts: { json?: boolean }) => {
      const r = await new AdminClient(env).call<{ items: UserItem[] }>('GET', '/wharf/admin/users');
      if (opts.json) return print(JSON.stringify(r.items, null, 2));
      printTable(
        ['username', 'created'],
        r.items.map((u) => [u.username, u.createdAt ?? '']),
      );
    });
  user
    .command('password')
    .description("Change an admin user's password; without --password a random one is generated and printed once")
    .argument('<env>')
    .argument('<username>')
    .option('--password <password>', 'at least 8 characters (else generated)')
    .option('--password-stdin', 'read the password from standard input (keeps it out of the process list)')
    .action(async (env: string, username: string, opts: PasswordOptions) => {
      const given = await givenPassword(opts);
      const password = given ?? randomPassword();
      await new AdminClient(env).call('PATCH', `/wharf/admin/users/${enc(username)}`, { password });
      print(
        given === undefined
          ? `Admin user:[${username}], password:[${password}] set (the password is shown only now)`
          : `Password of \`${username}\` changed`,
      );
    });
  user
    .command('delete')
    .description('Delete an admin user (the last one cannot be deleted)')
    .argument('<env>')
    .argument('<username>')
    .action(async (env: string, username: string) => {
      await new AdminClient(env).call('DELETE', `/wharf/admin/users/${enc(username)}`);
      print(`Admin user \`${username}\` deleted`);
    });
}
