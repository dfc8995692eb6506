import type { Kysely } from 'kysely';
import { bigText } from './portable.js';

/**
 * Config history: every change row also keeps who made it (the admin user; null for changes made
 * outside the admin API) and the object's stored data after the change (JSON, secrets sealed as
 * stored; null for deletes and for rows written before this migration). An index on (kind, name,
 * version) answers "this object's history" and "its state at version N" without a scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('wharf_change').addColumn('who', 'varchar(200)').execute();
  await db.schema.alterTable('wharf_change').addColumn('data', bigText(db)).execute();
  await db.schema.createIndex('wharf_change_object').on('wharf_change').columns(['kind', 'name', 'version']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('wharf_change_object').on('wharf_change').execute();
  await db.schema.alterTable('wharf_change').dropColumn('data').execute();
  await db.schema.alterTable('wharf_change').dropColumn('who').execute();
}
