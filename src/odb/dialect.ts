/**
 * ODB dialects behind one seam: SQLite (embedded default), PostgreSQL, MySQL/MariaDB. Everything
 * above this file is dialect-neutral kysely. Oracle would be one more case here (no server to test on).
 */
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import type { Database } from './schema.js';

export type OdbConfig =
  | { type: 'sqlite'; path: string }
  | {
      type: 'postgresql';
      host: string;
      port: number;
      user: string;
      password?: string | undefined;
      database: string;
      poolSize?: number;
    }
  | {
      type: 'mysql';
      host: string;
      port: number;
      user: string;
      password?: string | undefined;
      database: string;
      poolSize?: number;
    };

export async function createDialect(cfg: OdbConfig): Promise<Dialect> {
  switch (cfg.type) {
    case 'sqlite': {
      const { default: SQLite } = await import('better-sqlite3');
      const db = new SQLite(cfg.path);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 10000');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      return new SqliteDialect({ database: db });
    }
    case 'postgresql': {
      const pg = await import('pg');
      // int8 (bigint) as JS number: lease expiries are epoch milliseconds.
      pg.default.types.setTypeParser(20, (v: string) => Number(v));
      const pool = new pg.default.Pool({
        host: cfg.host,
        port: cfg.port,
        user: cfg.user,
        password: cfg.password,
        database: cfg.database,
        max: cfg.poolSize ?? 5,
      });
      // An idle client dropped by the server (restart, failover, admin command) must not crash the
      // process: the pool discards it and the next query opens a new connection.
      pool.on('error', () => undefined);
      return new PostgresDialect({ pool });
    }
    case 'mysql': {
      // `.default`: a CommonJS package's namespace from import() in the bundled build (dist/bundle/)
      // has only the default export
      const mysql = (await import('mysql2')).default;
      return new MysqlDialect({
        pool: mysql.createPool({
          host: cfg.host,
          port: cfg.port,
          user: cfg.user,
          password: cfg.password ?? '',
          database: cfg.database,
          connectionLimit: cfg.poolSize ?? 5,
          supportBigNumbers: true,
          bigNumberStrings: false,
        }),
      });
    }
  }
}

export async function connect(cfg: OdbConfig): Promise<Kysely<Database>> {
  return new Kysely<Database>({ dialect: await createDialect(cfg) });
}

export function describeOdb(cfg: OdbConfig): string {
  return cfg.type === 'sqlite'
    ? `sqlite:${cfg.path}`
    : `${cfg.type}://${cfg.user}@${cfg.host}:${cfg.port}/${cfg.database}`;
}
