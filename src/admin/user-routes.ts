/**
 * Admin user routes: list, create, change a password, delete.
 *
 * Admin users: scrypt hashes in the ODB (never the password). Usernames are 1–64 of
 * [A-Za-z0-9._@-]; passwords at least 8 characters (at most 1024, so a request cannot make scrypt
 * hash megabytes). The last user cannot be deleted: nobody could log in again.
 */
import { hashPassword } from '../config/secrets.js';
import { WharfError } from '../errors.js';
import type { Odb, UserRecord } from '../odb/odb.js';
import { invalid } from './config-ops.js';
import type { AdminContext, On } from './http.js';

export const USERNAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;

function checkFields(body: Record<string, unknown>, allowed: readonly string[], problems: string[]): void {
  for (const k of Object.keys(body))
    if (!allowed.includes(k)) problems.push(`${k}: unknown field (${allowed.join(', ')})`);
}

function checkPassword(v: unknown, problems: string[]): v is string {
  if (v === undefined || v === null || v === '') problems.push('password: a password is required');
  else if (typeof v !== 'string') problems.push('password: must be a string');
  else if (v.length < PASSWORD_MIN) problems.push(`password: at least ${PASSWORD_MIN} characters`);
  else if (v.length > PASSWORD_MAX) problems.push(`password: at most ${PASSWORD_MAX} characters`);
  else return true;
  return false;
}

function checkUsername(v: unknown, problems: string[]): v is string {
  if (v === undefined || v === null || v === '') problems.push('username: a username is required');
  else if (typeof v !== 'string') problems.push('username: must be a string');
  else if (!USERNAME_RE.test(v)) problems.push('username: 1 to 64 of the letters A-Z a-z, digits and . _ @ -');
  else if (/^\.+$/.test(v)) problems.push('username: cannot be only dots');
  else return true;
  return false;
}

const noSuchUser = (name: string): WharfError =>
  new WharfError('WHARF_ERR_NOT_FOUND', [`no admin user \`${name}\``], { details: { username: name } });

export function listUsers(odb: Odb): Promise<UserRecord[]> {
  return odb.listUsers();
}

export async function createUser(odb: Odb, body: Record<string, unknown>): Promise<{ created: string }> {
  const problems: string[] = [];
  checkFields(body, ['username', 'password'], problems);
  const okName = checkUsername(body['username'], problems);
  const okPassword = checkPassword(body['password'], problems);
  if (!okName || !okPassword || problems.length > 0) throw invalid(problems);
  const username = body['username'] as string;
  if (!(await odb.addUser(username, await hashPassword(body['password'] as string)))) {
    throw new WharfError('WHARF_ERR_CONFLICT', [`admin user \`${username}\` already exists`], {
      details: { username },
    });
  }
  return { created: username };
}

export async function setPassword(
  odb: Odb,
  username: string,
  body: Record<string, unknown>,
): Promise<{ updated: string }> {
  const problems: string[] = [];
  checkFields(body, ['password'], problems);
  const ok = checkPassword(body['password'], problems);
  if (!ok || problems.length > 0) throw invalid(problems);
  if (!USERNAME_RE.test(username) || !(await odb.setUserHash(username, await hashPassword(body['password'] as string))))
    throw noSuchUser(username);
  return { updated: username };
}

export async function deleteUser(odb: Odb, username: string): Promise<{ deleted: string }> {
  const r = USERNAME_RE.test(username) ? await odb.deleteUser(username) : 'missing';
  if (r === 'missing') throw noSuchUser(username);
  if (r === 'last')
    throw new WharfError('WHARF_ERR_CONFLICT', [`\`${username}\` is the last admin user; create another one first`], {
      details: { username },
    });
  return { deleted: username };
}

export function register(on: On, ctx: AdminContext): void {
  const { odb, rt } = ctx;
  on('GET', '/wharf/admin/users', async () => ({ items: await listUsers(odb) }));
  on(
    'POST',
    '/wharf/admin/users',
    async ({ body, user }) => {
      const r = await createUser(odb, await body());
      rt.log.info(`admin user \`${r.created}\` created by \`${user}\``);
      return r;
    },
    { status: 201 },
  );
  on('PATCH', '/wharf/admin/users/:name', async ({ params, body, user }) => {
    const r = await setPassword(odb, params['name']!, await body());
    rt.log.info(`admin user \`${r.updated}\`: password changed by \`${user}\``);
    return r;
  });
  on('DELETE', '/wharf/admin/users/:name', async ({ params, user }) => {
    const r = await deleteUser(odb, params['name']!);
    rt.log.info(`admin user \`${r.deleted}\` deleted by \`${user}\``);
    return r;
  });
}
