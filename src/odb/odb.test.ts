import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOdb } from './dialect.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-state.js';
import { MODULE_KIND, Odb } from './odb.js';

let dir: string;
let odb: Odb;

/** Changes within one version come in no particular order. */
const byName = <T extends { name: string }>(cs: T[]): T[] => [...cs].sort((a, b) => a.name.localeCompare(b.name));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-odb-'));
  odb = await Odb.open({ type: 'sqlite', path: join(dir, 'odb.sqlite') });
  expect(await odb.migrate()).toEqual(['001-initial', '002-state', '003-history']);
  await odb.init('test');
});

afterAll(async () => {
  await odb?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Odb setup', () => {
  it('migrate and init are idempotent', async () => {
    expect(await odb.migrate()).toEqual([]);
    await odb.init('another-name');
    expect(await odb.clusterName()).toBe('test');
    await odb.ping();
  });

  it('describeOdb', () => {
    expect(describeOdb({ type: 'sqlite', path: '/x/odb.sqlite' })).toBe('sqlite:/x/odb.sqlite');
    expect(
      describeOdb({ type: 'postgresql', host: 'h', port: 5432, user: 'u', password: 'secret', database: 'd' }),
    ).toBe('postgresql://u@h:5432/d');
  });
});

describe('Odb objects and versions', () => {
  it('each write bumps the config version exactly once, whatever it does', async () => {
    const v0 = await odb.version();
    const { result, version } = await odb.write(async (w) => {
      expect(w.version).toBe(v0 + 1);
      const a = await w.putObject('k.one', 'a', { x: 1 });
      const b = await w.putObject('k.one', 'b', { x: 2 });
      const a2 = await w.putObject('k.one', 'a', { x: 3 });
      return [a, b, a2];
    });
    expect(result).toEqual(['create', 'create', 'edit']);
    expect(version).toBe(v0 + 1);
    expect(await odb.version()).toBe(v0 + 1);
    const a = await odb.getObject('k.one', 'a');
    expect(a).toMatchObject({ kind: 'k.one', name: 'a', data: { x: 3 }, version: v0 + 1 });
    expect(a!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(byName(await odb.changesSince(v0))).toEqual([
      { version: v0 + 1, kind: 'k.one', name: 'a', action: 'edit' },
      { version: v0 + 1, kind: 'k.one', name: 'b', action: 'create' },
    ]);
  });

  it('edits keep createdAt, move version and updatedAt; changesSince returns only newer changes, in version order', async () => {
    const v0 = await odb.version();
    await odb.write((w) => w.putObject('k.two', 'x', { n: 1 }));
    const first = (await odb.getObject('k.two', 'x'))!;
    await new Promise((r) => setTimeout(r, 5));
    await odb.write((w) => w.putObject('k.two', 'x', { n: 2 }));
    await odb.write(async (w) => {
      expect(await w.deleteObject('k.two', 'x')).toBe(true);
    });
    const changes = await odb.changesSince(v0);
    expect(changes).toEqual([
      { version: v0 + 1, kind: 'k.two', name: 'x', action: 'create' },
      { version: v0 + 2, kind: 'k.two', name: 'x', action: 'edit' },
      { version: v0 + 3, kind: 'k.two', name: 'x', action: 'delete' },
    ]);
    expect(await odb.changesSince(v0 + 2)).toEqual([changes[2]]);
    expect(await odb.changesSince(v0 + 3)).toEqual([]);
    expect(first.createdAt).toBe(first.updatedAt);
    expect(await odb.getObject('k.two', 'x')).toBeUndefined();
  });

  it('deleting what is not there changes nothing but the version', async () => {
    const v0 = await odb.version();
    const { result } = await odb.write((w) => w.deleteObject('k.none', 'ghost'));
    expect(result).toBe(false);
    expect(await odb.changesSince(v0)).toEqual([]);
  });

  it('a write that throws is rolled back: no objects, no changes, no version bump', async () => {
    const v0 = await odb.version();
    await expect(
      odb.write(async (w) => {
        await w.putObject('k.rollback', 'r', { a: 1 });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await odb.version()).toBe(v0);
    expect(await odb.getObject('k.rollback', 'r')).toBeUndefined();
    expect(await odb.changesSince(v0)).toEqual([]);
  });

  it('a rename in one write is a delete and a create under one version', async () => {
    await odb.write((w) => w.putObject('k.ren', 'old', { v: 1 }));
    const v0 = await odb.version();
    await odb.write(async (w) => {
      await w.deleteObject('k.ren', 'old');
      await w.putObject('k.ren', 'new', { v: 1 });
    });
    expect(byName(await odb.changesSince(v0))).toEqual([
      { version: v0 + 1, kind: 'k.ren', name: 'new', action: 'create' },
      { version: v0 + 1, kind: 'k.ren', name: 'old', action: 'delete' },
    ]);
  });

  it('the writer sees its own uncommitted changes; readers see them after commit', async () => {
    await odb.write(async (w) => {
      await w.putObject('k.vis', 'a', { n: 1 });
      expect((await w.getObject('k.vis', 'a'))?.data).toEqual({ n: 1 });
      expect((await w.listObjects('k.vis')).map((o) => o.name)).toEqual(['a']);
    });
    expect((await odb.listObjects('k.vis')).map((o) => o.name)).toEqual(['a']);
  });

  it('listObjects is ordered by kind then name, optionally filtered', async () => {
    await odb.write(async (w) => {
      await w.putObject('k.list', 'b', {});
      await w.putObject('k.list', 'a', {});
      await w.putObject('k.lisu', 'a', {});
    });
    expect((await odb.listObjects('k.list')).map((o) => o.name)).toEqual(['a', 'b']);
    const all = (await odb.listObjects()).map((o) => `${o.kind}/${o.name}`);
    expect(all.indexOf('k.list/a')).toBeLessThan(all.indexOf('k.list/b'));
    expect(all.indexOf('k.list/b')).toBeLessThan(all.indexOf('k.lisu/a'));
  });

  it('concurrent writes queue up and get distinct consecutive versions', async () => {
    const v0 = await odb.version();
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => odb.write((w) => w.putObject('k.conc', `o${i}`, { i }))),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([v0 + 1, v0 + 2, v0 + 3, v0 + 4, v0 + 5]);
    expect(await odb.version()).toBe(v0 + 5);
  });
});

describe('Odb modules', () => {
  it('put, get, list and delete modules, recorded as service.module changes', async () => {
    const v0 = await odb.version();
    await odb.write((w) =>
      w.putModule({ name: 'crm.ts', source: 'src1', hash: 'h1', services: ['crm.get'], deployedFrom: 'test' }),
    );
    await odb.write((w) =>
      w.putModule({
        name: 'crm.ts',
        source: 'src2',
        hash: 'h2',
        services: ['crm.get', 'crm.put'],
        deployedFrom: 'test2',
      }),
    );
    const m = await odb.getModule('crm.ts');
    expect(m).toMatchObject({
      name: 'crm.ts',
      source: 'src2',
      hash: 'h2',
      services: ['crm.get', 'crm.put'],
      version: v0 + 2,
      deployedFrom: 'test2',
    });
    expect((await odb.listModules()).map((x) => x.name)).toContain('crm.ts');
    await odb.write(async (w) => {
      expect((await w.getModule('crm.ts'))?.hash).toBe('h2');
      expect((await w.listModules()).length).toBeGreaterThan(0);
      expect(await w.deleteModule('crm.ts')).toBe(true);
      expect(await w.deleteModule('crm.ts')).toBe(false);
    });
    expect(await odb.getModule('crm.ts')).toBeUndefined();
    expect((await odb.changesSince(v0)).map((c) => [c.kind, c.action])).toEqual([
      [MODULE_KIND, 'deploy'],
      [MODULE_KIND, 'deploy'],
      [MODULE_KIND, 'undeploy'],
    ]);
  });
});

describe('Odb users, servers, leases and state', () => {
  it('admin users: put replaces the hash', async () => {
    await odb.putUser('admin', 'h1');
    await odb.putUser('admin', 'h2');
    expect(await odb.getUserHash('admin')).toBe('h2');
    expect(await odb.getUserHash('nobody')).toBeUndefined();
  });

  it('servers report what they run', async () => {
    const s = {
      name: 'srv1',
      host: 'h',
      port: 17010,
      pid: 1,
      configVersion: 3,
      moduleHashes: { 'a.ts': 'x' },
      lastSeen: '2024-01-01T00:00:00Z',
    };
    await odb.reportServer(s);
    await odb.reportServer({ ...s, configVersion: 4 });
    expect(await odb.listServers()).toEqual([{ ...s, configVersion: 4 }]);
  });

  it('leases: one holder at a time, renewable, taken over after expiry, releasable by the holder only', async () => {
    expect(await odb.tryLease('job', 'A', 60_000)).toBe(true);
    expect(await odb.tryLease('job', 'B', 60_000)).toBe(false);
    expect(await odb.tryLease('job', 'A', 60_000)).toBe(true);
    await odb.releaseLease('job', 'B');
    expect(await odb.tryLease('job', 'B', 60_000)).toBe(false);
    await odb.releaseLease('job', 'A');
    expect(await odb.tryLease('job', 'B', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(await odb.tryLease('job', 'A', 60_000)).toBe(true);
  });

  it('state: set, get, overwrite, list, delete with undefined; long keys are hashed', async () => {
    await odb.setState('sched', 'job1', { last: 1 });
    await odb.setState('sched', 'job1', { last: 2 });
    const long = 'k'.repeat(300);
    await odb.setState('sched', long, [1, 2]);
    expect(await odb.getState('sched', 'job1')).toEqual({ last: 2 });
    expect(await odb.getState('sched', long)).toEqual([1, 2]);
    const listed = await odb.listState('sched');
    expect(listed).toContainEqual({ key: 'job1', value: { last: 2 } });
    expect(listed.some((e) => /^sha256:[0-9a-f]{64}$/.test(e.key))).toBe(true);
    await odb.setState('sched', 'job1', undefined);
    expect(await odb.getState('sched', 'job1')).toBeUndefined();
    expect(await odb.getState('other', long)).toBeUndefined();
  });

  it('state writes do not bump the config version', async () => {
    const v0 = await odb.version();
    await odb.setState('s', 'k', 1);
    expect(await odb.version()).toBe(v0);
  });
});

describe('Odb history (migration 003)', () => {
  it('an ODB made before 003 upgrades in place: old changes keep who and data null, new ones record both', async () => {
    const file = join(dir, 'old.sqlite');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    const provider = { getMigrations: async () => ({ '001-initial': m001, '002-state': m002 }) };
    const before = await new Migrator({
      db: old,
      provider,
      migrationTableName: 'wharf_migration',
      migrationLockTableName: 'wharf_migration_lock',
    }).migrateToLatest();
    expect(before.error).toBeUndefined();
    await sql`insert into wharf_config (id, version, cluster_name) values (1, 1, 'old')`.execute(old);
    await sql`insert into wharf_object (kind, name, data, version, created_at, updated_at) values ('k.old', 'a', '{"n":1}', 1, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')`.execute(
      old,
    );
    await sql`insert into wharf_change (version, kind, name, action, at) values (1, 'k.old', 'a', 'create', '2024-01-01T00:00:00.000Z')`.execute(
      old,
    );
    await old.destroy();

    const up = await Odb.open({ type: 'sqlite', path: file });
    try {
      expect(await up.migrate()).toEqual(['003-history']);
      expect(await up.history({ limit: 10 })).toEqual([
        {
          version: 1,
          kind: 'k.old',
          name: 'a',
          action: 'create',
          at: '2024-01-01T00:00:00.000Z',
          who: null,
          data: null,
        },
      ]);
      expect(await up.objectAt(1, 'k.old', 'a')).toMatchObject({ who: null, data: null });
      await up.write((w) => w.putObject('k.old', 'a', { n: 2 }), { who: 'admin' });
      expect(await up.objectAt(2, 'k.old', 'a')).toMatchObject({
        version: 2,
        action: 'edit',
        who: 'admin',
        data: { n: 2 },
      });
      expect(await up.changesSince(0)).toEqual([
        { version: 1, kind: 'k.old', name: 'a', action: 'create' },
        { version: 2, kind: 'k.old', name: 'a', action: 'edit' },
      ]);
    } finally {
      await up.close();
    }
  });

  it('a write without who records null; an empty who is null too', async () => {
    const { version } = await odb.write((w) => w.putObject('k.who', 'a', { x: 1 }), { who: '' });
    expect(await odb.objectAt(version, 'k.who', 'a')).toMatchObject({ who: null, data: { x: 1 } });
    const w2 = await odb.write((w) => w.putObject('k.who', 'a', { x: 2 }));
    expect((await odb.objectAt(w2.version, 'k.who', 'a'))?.who).toBeNull();
  });
});
