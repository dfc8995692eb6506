/** A migrated, initialised SQLite ODB in a temporary folder, for unit tests; `close()` also removes the folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Odb } from '../../src/odb/odb.js';

export interface TempOdb {
  odb: Odb;
  close(): Promise<void>;
}

export async function tempOdb(prefix: string, cluster = 'test'): Promise<TempOdb> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const odb = await Odb.open({ type: 'sqlite', path: join(dir, 'odb.sqlite') });
  await odb.migrate();
  await odb.init(cluster);
  return {
    odb,
    async close() {
      await odb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
