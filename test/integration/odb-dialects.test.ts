/**
 * The ODB conformance suite on all three real databases: SQLite (a temp file), PostgreSQL 5432 and
 * MariaDB 3306 on loopback. Every run gets a fresh, uniquely named database that is dropped after.
 * A database that is not reachable fails the suite (no skipping).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { odbConformance } from '../../src/odb/odb.conformance.js';

const unique = (): string => `wharf_conf_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

odbConformance(
  'SQLite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-odb-conf-'));
    return {
      config: { type: 'sqlite', path: join(dir, 'odb.sqlite') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  { threads: true },
);

odbConformance('PostgreSQL', async () => {
  const pg = (await import('pg')).default;
  const name = unique();
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    config: { type: 'postgresql', host: '127.0.0.1', port: 5432, user: 'postgres', database: name },
    async drop() {
      const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
});

odbConformance('MariaDB', async () => {
  const mysql = await import('mysql2/promise');
  const name = unique();
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    config: { type: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', database: name },
    async drop() {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
      await c.query(`drop database if exists ${name}`);
      await c.end();
    },
  };
});
