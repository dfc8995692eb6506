import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.js';
import * as m002 from './002-state.js';
import * as m003 from './003-history.js';

/** Migrations live in code, in order; kysely's Migrator records which ran. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '001-initial': m001, '002-state': m002, '003-history': m003 };
  },
};
