import type { Kysely } from 'kysely';

/** Small persistent state for connectors (scheduler last runs, notifier bookkeeping). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('wharf_state')
    .addColumn('scope', 'varchar(200)', (c) => c.notNull())
    .addColumn('skey', 'varchar(200)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .addPrimaryKeyConstraint('wharf_state_pk', ['scope', 'skey'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('wharf_state').execute();
}
