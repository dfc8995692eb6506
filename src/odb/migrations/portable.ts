/**
 * What keeps one set of migrations portable across SQLite, PostgreSQL and MySQL/MariaDB:
 * - MySQL's TEXT holds 64 KiB only: large payloads (object JSON, module sources) are LONGTEXT there.
 * - MySQL's default collations are case-insensitive: `Echo` and `echo` would be one key. Its tables
 *   are created utf8mb4 with the binary collation, so names compare exactly as on the others.
 * Everything else is plain kysely DDL: varchar with explicit lengths for keys (MySQL cannot index
 * unbounded text), integer versions, bigint epoch milliseconds.
 */
import { MysqlAdapter, sql, type Expression, type Kysely } from 'kysely';

export function isMysql(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}

/** Unbounded text: TEXT, or LONGTEXT on MySQL. */
export function bigText(db: Kysely<unknown>): 'text' | Expression<unknown> {
  return isMysql(db) ? sql`longtext` : 'text';
}

/** `db.schema.createTable(name)`, with utf8mb4 + binary collation on MySQL. */
export function createTable(db: Kysely<unknown>, name: string) {
  const b = db.schema.createTable(name);
  return isMysql(db) ? b.modifyEnd(sql`default character set utf8mb4 collate utf8mb4_bin`) : b;
}
