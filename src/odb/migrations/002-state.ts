import type { Kysely } from 'kysely';
import { bigText, createTable } from './portable.js';

/** Small persistent state for connectors (scheduler last runs, notifier bookkeeping). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'wharf_state')
    .addColumn('scope', 'varchar(200)', (c) => c.notNull())
    .addColumn('skey', 'varchar(200)', (c) => c.notNull())
    .addColumn('value', bigText(db), (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .addPrimaryKeyConstraint('wharf_state_pk', ['scope', 'skey'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('wharf_state').execute();
}
