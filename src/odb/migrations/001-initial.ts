import type { Kysely } from 'kysely';
import { bigText, createTable } from './portable.js';

/** Portable DDL (see portable.ts): varchar keys, big-text payloads, integer versions, bigint expiries. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'wharf_config')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('cluster_name', 'varchar(200)', (c) => c.notNull())
    .execute();
  await createTable(db, 'wharf_object')
    .addColumn('kind', 'varchar(100)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('data', bigText(db), (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .addPrimaryKeyConstraint('wharf_object_pk', ['kind', 'name'])
    .execute();
  await createTable(db, 'wharf_change')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('kind', 'varchar(100)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('action', 'varchar(20)', (c) => c.notNull())
    .addColumn('at', 'varchar(40)', (c) => c.notNull())
    .addPrimaryKeyConstraint('wharf_change_pk', ['version', 'kind', 'name'])
    .execute();
  await createTable(db, 'wharf_module')
    .addColumn('name', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('source', bigText(db), (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('services', bigText(db), (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('deployed_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('deployed_from', 'varchar(200)', (c) => c.notNull())
    .execute();
  await createTable(db, 'wharf_user')
    .addColumn('username', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('password_hash', 'varchar(300)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await createTable(db, 'wharf_server')
    .addColumn('name', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('host', 'varchar(200)', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('config_version', 'integer', (c) => c.notNull())
    .addColumn('module_hashes', bigText(db), (c) => c.notNull())
    .addColumn('last_seen', 'varchar(40)', (c) => c.notNull())
    .execute();
  await createTable(db, 'wharf_lease')
    .addColumn('name', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(200)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'wharf_lease',
    'wharf_server',
    'wharf_user',
    'wharf_module',
    'wharf_change',
    'wharf_object',
    'wharf_config',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
