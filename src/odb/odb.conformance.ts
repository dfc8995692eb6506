/**
 * One ODB conformance suite for every dialect (SQLite, PostgreSQL, MySQL/MariaDB): the same
 * migrations, the same object/module/user/server/lease/state semantics, and the property the
 * cluster depends on: with several writers at once, config versions are strictly increasing,
 * gap-free, and become visible in order (a reader of the change log never skips a version).
 *
 * `target()` gives a fresh, empty database per run and a `drop()` that removes it.
 */
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdbConfig } from './dialect.js';
import { MODULE_KIND, Odb } from './odb.js';

export interface OdbTarget {
  config: OdbConfig;
  drop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The second writer of the concurrency test in its own thread, with its own Odb instance (the
 * built `dist/odb/odb.js`). SQLite needs it: better-sqlite3 waits for a busy database
 * synchronously, so two connections in one thread would wait for each other forever.
 */
function inThread<T>(
  config: OdbConfig,
  task: { op: 'writes'; who: string; n: number } | { op: 'lease'; name: string; holder: string },
): Promise<T> {
  const odbUrl = new URL('../../dist/odb/odb.js', import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.odbUrl).then(async ({ Odb }) => {
      const db = await Odb.open(workerData.config);
      const t = workerData.task;
      let result;
      if (t.op === 'lease') result = await db.tryLease(t.name, t.holder, 60000);
      else {
        result = [];
        await Promise.all([0, 1, 2, 3, 4].map(async (lane) => {
          for (let i = lane; i < t.n; i += 5) {
            const { version } = await db.write(async (w) => { await w.putObject('k.conc', t.who + '-' + i, { who: t.who, i, at: w.version }); });
            result.push(version);
          }
        }));
      }
      await db.close();
      parentPort.postMessage({ result });
    }).catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { odbUrl, config, task } });
    w.once('message', (m: { result?: T; error?: string }) =>
      m.error ? reject(new Error(m.error)) : resolve(m.result as T),
    );
    w.once('error', reject);
  });
}

export function odbConformance(
  label: string,
  target: () => Promise<OdbTarget>,
  opts: { threads?: boolean } = {},
): void {
  describe(`ODB conformance: ${label}`, () => {
    let t: OdbTarget | undefined;
    let odb: Odb;
    let other: Odb;

    beforeAll(async () => {
      t = await target();
      odb = await Odb.open(t.config);
      other = await Odb.open(t.config);
    });

    afterAll(async () => {
      await odb?.close();
      await other?.close();
      await t?.drop();
    });

    it('runs every migration on an empty database, then none; init and ping are idempotent', async () => {
      expect(await odb.migrate()).toEqual(['001-initial', '002-state', '003-history']);
      expect(await odb.migrate()).toEqual([]);
      expect(await other.migrate()).toEqual([]);
      await odb.init('conformance');
      await other.init('another');
      expect(await odb.clusterName()).toBe('conformance');
      expect(await odb.version()).toBe(0);
      await odb.ping();
    });

    it('object CRUD: create, edit, get, list ordered by kind and name, delete', async () => {
      const v0 = await odb.version();
      const { result, version } = await odb.write(async (w) => {
        expect(w.version).toBe(v0 + 1);
        return [
          await w.putObject('k.crud', 'b', { x: 1 }),
          await w.putObject('k.crud', 'a', { x: 2 }),
          await w.putObject('k.crud', 'b', { x: 3 }),
          await w.putObject('k.crud2', 'a', {}),
        ];
      });
      expect(result).toEqual(['create', 'create', 'edit', 'create']);
      expect(version).toBe(v0 + 1);
      const b = await odb.getObject('k.crud', 'b');
      expect(b).toMatchObject({ kind: 'k.crud', name: 'b', data: { x: 3 }, version: v0 + 1 });
      expect(typeof b!.version).toBe('number');
      expect((await odb.listObjects('k.crud')).map((o) => o.name)).toEqual(['a', 'b']);
      const all = (await odb.listObjects()).map((o) => `${o.kind}/${o.name}`);
      expect(all.indexOf('k.crud/b')).toBeLessThan(all.indexOf('k.crud2/a'));
      await odb.write(async (w) => expect(await w.deleteObject('k.crud', 'a')).toBe(true));
      expect(await odb.getObject('k.crud', 'a')).toBeUndefined();
      const changes = await odb.changesSince(v0);
      expect(changes.map((c) => c.version)).toEqual([v0 + 1, v0 + 1, v0 + 1, v0 + 2]);
      expect(
        changes
          .slice(0, 3)
          .map((c) => `${c.kind}/${c.name}`)
          .sort(),
      ).toEqual(['k.crud/a', 'k.crud/b', 'k.crud2/a']);
      expect(changes[3]).toEqual({ version: v0 + 2, kind: 'k.crud', name: 'a', action: 'delete' });
    });

    it('names are case-sensitive and exact; unicode and large payloads round-trip', async () => {
      const big = { text: 'ä€😀'.repeat(10), blob: 'x'.repeat(300_000) };
      await odb.write(async (w) => {
        await w.putObject('k.case', 'Echo', { n: 1 });
        await w.putObject('k.case', 'echo', { n: 2 });
        await w.putObject('k.case', 'Ünïcødé ✓', big);
      });
      expect((await odb.getObject('k.case', 'Echo'))?.data).toEqual({ n: 1 });
      expect((await odb.getObject('k.case', 'echo'))?.data).toEqual({ n: 2 });
      expect(await odb.getObject('k.case', 'ECHO')).toBeUndefined();
      expect((await odb.getObject('k.case', 'Ünïcødé ✓'))?.data).toEqual(big);
      expect((await odb.listObjects('k.case')).length).toBe(3);
    });

    it('a write that throws is rolled back: nothing stored, no change, no version', async () => {
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

    it('two Odb instances writing at once: versions strictly increasing, gap-free, change log complete and visible in order', async () => {
      const v0 = await odb.version();
      const perWriter = 25;
      const seen: number[] = [];
      let done = false;
      // A reader following the change log, as a worker does: it must never see version n+1 before n.
      const reader = (async () => {
        let last = v0;
        while (!done || last < v0 + 2 * perWriter) {
          const cs = await other.changesSince(last);
          for (const c of cs) {
            expect(c.version).toBe(last + 1);
            last = c.version;
            seen.push(c.version);
          }
          // Always yield to the event loop (SQLite answers synchronously; a bare loop would starve it).
          if (cs.length === 0) await sleep(2);
        }
      })();
      const writer = async (db: Odb, who: string): Promise<number[]> => {
        const versions: number[] = [];
        // Several in flight per instance too (pools of 5 connections).
        await Promise.all(
          [0, 1, 2, 3, 4].map(async (lane) => {
            for (let i = lane; i < perWriter; i += 5) {
              const { version } = await db.write(async (w) => {
                await w.putObject('k.conc', `${who}-${i}`, { who, i, at: w.version });
                return undefined;
              });
              versions.push(version);
            }
          }),
        );
        return versions;
      };
      const [a, b] = await Promise.all([
        writer(odb, 'a'),
        opts.threads ? inThread<number[]>(t!.config, { op: 'writes', who: 'b', n: perWriter }) : writer(other, 'b'),
      ]);
      done = true;
      await reader;
      const all = [...a, ...b].sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: 2 * perWriter }, (_, i) => v0 + 1 + i));
      expect(seen).toEqual(all);
      expect(await odb.version()).toBe(v0 + 2 * perWriter);
      const changes = await odb.changesSince(v0);
      expect(changes.map((c) => c.version)).toEqual(all);
      for (const c of changes) {
        const o = await odb.getObject('k.conc', c.name);
        expect(o?.version).toBe(c.version);
        expect(o?.data['at']).toBe(c.version);
      }
    });

    it('putModules: many modules (past one statement batch) created and replaced in one version, a change each with who', async () => {
      await odb.write((w) =>
        w.putModule({ name: 'bulk-0.ts', source: 'old', hash: 'h-old', services: ['b.old'], deployedFrom: 'test' }),
      );
      const mods = Array.from({ length: 1203 }, (_, i) => ({
        name: `bulk-${i}.ts`,
        source: `export const n = ${i};`,
        hash: `h${i}`,
        services: [`b.s${i}`],
        deployedFrom: 'bulk',
      }));
      const { version } = await odb.write((w) => w.putModules(mods), { who: 'dave' });
      const index = await odb.listModuleIndex();
      expect(index.filter((m) => m.name.startsWith('bulk-'))).toHaveLength(1203);
      expect(index.find((m) => m.name === 'bulk-0.ts')).toEqual({
        name: 'bulk-0.ts',
        hash: 'h0',
        services: ['b.s0'],
        version,
      });
      expect(await odb.getModule('bulk-1202.ts')).toMatchObject({ source: 'export const n = 1202;', version });
      const changes = await odb.changesAt(version);
      expect(changes).toHaveLength(1203);
      expect(changes.every((c) => c.kind === MODULE_KIND && c.action === 'deploy' && c.who === 'dave')).toBe(true);
      expect((await odb.objectAt(version, MODULE_KIND, 'bulk-5.ts'))?.data).toEqual({
        hash: 'h5',
        services: ['b.s5'],
        deployedFrom: 'bulk',
      });
      await odb.write(async (w) => {
        for (const m of mods) await w.deleteModule(m.name);
      });
      expect((await odb.listModuleIndex()).filter((m) => m.name.startsWith('bulk-'))).toEqual([]);
    });

    it('modules: put, replace, get, list, delete, recorded as service.module changes; large sources', async () => {
      const v0 = await odb.version();
      const source = `export const x = ${JSON.stringify('s'.repeat(200_000))};\n`;
      await odb.write((w) =>
        w.putModule({ name: 'crm.ts', source: 'src1', hash: 'h1', services: ['crm.get'], deployedFrom: 'test' }),
      );
      await odb.write((w) =>
        w.putModule({ name: 'crm.ts', source, hash: 'h2', services: ['crm.get', 'crm.put'], deployedFrom: 'test2' }),
      );
      const m = await odb.getModule('crm.ts');
      expect(m).toMatchObject({
        name: 'crm.ts',
        hash: 'h2',
        services: ['crm.get', 'crm.put'],
        version: v0 + 2,
        deployedFrom: 'test2',
      });
      expect(m!.source).toBe(source);
      expect((await odb.listModules()).map((x) => x.name)).toEqual(['crm.ts']);
      // The index: names, hashes, services and versions without the source, in and out of a transaction.
      const index = [{ name: 'crm.ts', hash: 'h2', services: ['crm.get', 'crm.put'], version: v0 + 2 }];
      expect(await odb.listModuleIndex()).toEqual(index);
      await odb.write(async (w) => {
        expect(await w.listModuleIndex()).toEqual(index);
        expect(await w.deleteModule('crm.ts')).toBe(true);
        expect(await w.deleteModule('crm.ts')).toBe(false);
      });
      expect(await odb.getModule('crm.ts')).toBeUndefined();
      expect((await odb.changesSince(v0)).map((c) => [c.version - v0, c.kind, c.action])).toEqual([
        [1, MODULE_KIND, 'deploy'],
        [2, MODULE_KIND, 'deploy'],
        [3, MODULE_KIND, 'undeploy'],
      ]);
    });

    it('users: put creates, put again replaces the hash (also with the same value)', async () => {
      await odb.putUser('admin', 'h1');
      await odb.putUser('admin', 'h2');
      await odb.putUser('admin', 'h2');
      expect(await odb.getUserHash('admin')).toBe('h2');
      expect(await other.getUserHash('admin')).toBe('h2');
      expect(await odb.getUserHash('Admin')).toBeUndefined();
      expect(await odb.getUserHash('nobody')).toBeUndefined();
    });

    it('history: who and data after each change (null for deletes), newest first, filters, objectAt, changesAt', async () => {
      const v0 = await odb.version();
      const w1 = await odb.write((w) => w.putObject('k.hist', 'h', { n: 1, secret: '$enc$v1$a$b$c', text: 'ä€😀' }), {
        who: 'alice',
      });
      const w2 = await odb.write(
        async (w) => {
          await w.putObject('k.hist', 'h', { n: 2 });
          await w.putObject('k.hist', 'other', { n: 9 });
        },
        { who: 'bob' },
      );
      const w3 = await odb.write((w) => w.deleteObject('k.hist', 'h'));
      const w4 = await odb.write(
        (w) =>
          w.putModule({
            name: 'hist.ts',
            source: 'x'.repeat(1000),
            hash: 'hh',
            services: ['hist.a'],
            deployedFrom: 'admin:carol',
          }),
        { who: 'carol' },
      );
      const w5 = await odb.write((w) => w.deleteModule('hist.ts'), { who: 'carol' });
      expect([w1.version, w2.version, w3.version, w4.version, w5.version]).toEqual([
        v0 + 1,
        v0 + 2,
        v0 + 3,
        v0 + 4,
        v0 + 5,
      ]);

      const all = await odb.history({ limit: 10 });
      expect(all.slice(0, 6).map((e) => [e.version - v0, e.kind, e.name, e.action, e.who])).toEqual([
        [5, MODULE_KIND, 'hist.ts', 'undeploy', 'carol'],
        [4, MODULE_KIND, 'hist.ts', 'deploy', 'carol'],
        [3, 'k.hist', 'h', 'delete', null],
        [2, 'k.hist', 'h', 'edit', 'bob'],
        [2, 'k.hist', 'other', 'create', 'bob'],
        [1, 'k.hist', 'h', 'create', 'alice'],
      ]);
      expect(all[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(all.every((e) => e.data === null)).toBe(true); // lists carry no data
      expect((await odb.history({ kind: 'k.hist', name: 'h', limit: 10 })).map((e) => e.version - v0)).toEqual([
        3, 2, 1,
      ]);
      expect(
        (await odb.history({ kind: 'k.hist', limit: 2, before: v0 + 3 })).map((e) => `${e.version - v0}${e.name}`),
      ).toEqual(['2h', '2other']);
      expect(await odb.history({ kind: 'k.nothing', limit: 5 })).toEqual([]);
      expect((await odb.changesAt(v0 + 2)).map((e) => e.name)).toEqual(['h', 'other']);
      expect((await odb.changesAt(v0 + 2, { name: 'other' })).map((e) => e.name)).toEqual(['other']);

      expect(await odb.objectAt(v0, 'k.hist', 'h')).toBeUndefined();
      expect(await odb.objectAt(v0 + 1, 'k.hist', 'h')).toMatchObject({
        version: v0 + 1,
        action: 'create',
        who: 'alice',
        data: { n: 1, secret: '$enc$v1$a$b$c', text: 'ä€😀' },
      });
      expect(await odb.objectAt(v0 + 2, 'k.hist', 'h')).toMatchObject({
        version: v0 + 2,
        action: 'edit',
        who: 'bob',
        data: { n: 2 },
      });
      expect(await odb.objectAt(v0 + 3, 'k.hist', 'h')).toMatchObject({
        version: v0 + 3,
        action: 'delete',
        who: null,
        data: null,
      });
      expect(await odb.objectAt(v0 + 1000, 'k.hist', 'other')).toMatchObject({ version: v0 + 2, data: { n: 9 } });
      expect(await odb.objectAt(v0 + 4, MODULE_KIND, 'hist.ts')).toMatchObject({
        action: 'deploy',
        who: 'carol',
        data: { hash: 'hh', services: ['hist.a'], deployedFrom: 'admin:carol' },
      });
      expect(await odb.objectAt(v0 + 5, MODULE_KIND, 'hist.ts')).toMatchObject({ action: 'undeploy', data: null });
      // changesSince keeps its shape (workers follow it)
      expect(await odb.changesSince(v0 + 4)).toEqual([
        { version: v0 + 5, kind: MODULE_KIND, name: 'hist.ts', action: 'undeploy' },
      ]);
    });

    it('users: add refuses a taken name, set hash, list with createdAt, delete never removes the last user', async () => {
      expect(await odb.addUser('u.one', 'h1')).toBe(true);
      expect(await other.addUser('u.one', 'h2')).toBe(false);
      expect(await odb.getUserHash('u.one')).toBe('h1');
      expect(await odb.setUserHash('u.one', 'h3')).toBe(true);
      expect(await odb.setUserHash('u.nobody', 'h3')).toBe(false);
      expect(await other.getUserHash('u.one')).toBe('h3');
      const listed = await odb.listUsers();
      expect(listed.map((u) => u.username)).toEqual([...listed.map((u) => u.username)].sort());
      expect(listed.find((u) => u.username === 'u.one')?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(await odb.deleteUser('u.nobody')).toBe('missing');
      // down to two users, then two deletes at once: exactly one succeeds
      for (const u of listed)
        if (u.username !== 'u.one' && u.username !== 'admin') expect(await odb.deleteUser(u.username)).toBe('deleted');
      expect((await odb.listUsers()).map((u) => u.username)).toEqual(['admin', 'u.one']);
      const results = await Promise.all([odb.deleteUser('admin'), (opts.threads ? odb : other).deleteUser('u.one')]); // SQLite: one thread cannot hold two waiting connections
      expect(results.sort()).toEqual(['deleted', 'last']);
      expect((await odb.listUsers()).length).toBe(1);
      const [last] = await odb.listUsers();
      expect(await odb.deleteUser(last!.username)).toBe('last');
      expect(await odb.getUserHash(last!.username)).toBeDefined();
      await odb.putUser('admin', 'h2');
    });

    it('servers: report inserts then updates, also with identical data', async () => {
      const s = {
        name: 'srv1',
        host: '127.0.0.1',
        port: 17010,
        pid: 123,
        configVersion: 3,
        moduleHashes: { 'a.ts': 'x' },
        lastSeen: '2024-01-01T00:00:00.000Z',
      };
      await odb.reportServer(s);
      await odb.reportServer(s);
      await other.reportServer({ ...s, configVersion: 4 });
      await odb.reportServer({ ...s, name: 'srv0' });
      expect(await odb.listServers()).toEqual([
        { ...s, name: 'srv0' },
        { ...s, configVersion: 4 },
      ]);
      expect(await other.deleteServer('srv0')).toBe(true);
      expect(await odb.deleteServer('srv0')).toBe(false);
      expect((await odb.listServers()).map((x) => x.name)).toEqual(['srv1']);
    });

    it('leases: one holder, renewable (also twice in the same millisecond), expiry takeover, holder-only release', async () => {
      expect(await odb.tryLease('job', 'A', 60_000)).toBe(true);
      expect(await other.tryLease('job', 'B', 60_000)).toBe(false);
      expect(await odb.tryLease('job', 'A', 60_000)).toBe(true);
      const [r1, r2] = await Promise.all([odb.tryLease('job', 'A', 60_000), odb.tryLease('job', 'A', 60_000)]);
      expect([r1, r2]).toEqual([true, true]);
      await other.releaseLease('job', 'B');
      expect(await other.tryLease('job', 'B', 60_000)).toBe(false);
      await odb.releaseLease('job', 'A');
      expect(await other.tryLease('job', 'B', 150)).toBe(true);
      expect(await odb.tryLease('job', 'A', 60_000)).toBe(false);
      await sleep(250);
      expect(await odb.tryLease('job', 'A', 60_000)).toBe(true);
      expect(await other.tryLease('job', 'B', 60_000)).toBe(false);
      const row = await odb.db
        .selectFrom('wharf_lease')
        .selectAll()
        .where('name', '=', 'job')
        .executeTakeFirstOrThrow();
      expect(typeof row.expires_at).toBe('number');
      expect(row.expires_at).toBeGreaterThan(Date.now());
    });

    it('leases: two instances racing for a new lease: exactly one wins', async () => {
      for (let i = 0; i < 5; i++) {
        const name = `race-${i}`;
        const got = await Promise.all([
          odb.tryLease(name, 'A', 60_000),
          opts.threads
            ? inThread<boolean>(t!.config, { op: 'lease', name, holder: 'B' })
            : other.tryLease(name, 'B', 60_000),
        ]);
        expect(got.filter(Boolean).length).toBe(1);
      }
    });

    it('state: set, get, overwrite (also unchanged), list, delete; long keys hashed; no version bump', async () => {
      const v0 = await odb.version();
      await odb.setState('sched', 'job1', { last: 1 });
      await odb.setState('sched', 'job1', { last: 2 });
      await other.setState('sched', 'job1', { last: 2 });
      const long = 'k'.repeat(300);
      await odb.setState('sched', long, [1, 2]);
      expect(await other.getState('sched', 'job1')).toEqual({ last: 2 });
      expect(await odb.getState('sched', long)).toEqual([1, 2]);
      const listed = await odb.listState('sched');
      expect(listed).toContainEqual({ key: 'job1', value: { last: 2 } });
      expect(listed.some((e) => /^sha256:[0-9a-f]{64}$/.test(e.key))).toBe(true);
      await odb.setState('sched', 'job1', undefined);
      expect(await odb.getState('sched', 'job1')).toBeUndefined();
      expect(await odb.getState('other', long)).toBeUndefined();
      expect(await odb.version()).toBe(v0);
    });

    it('the schema holds every table, and the dialect answers plain SQL', async () => {
      const r = await sql<{ one: number }>`select 1 as one`.execute(odb.db);
      expect(Number(r.rows[0]!.one)).toBe(1);
      for (const table of [
        'wharf_config',
        'wharf_object',
        'wharf_change',
        'wharf_module',
        'wharf_user',
        'wharf_server',
        'wharf_lease',
        'wharf_state',
      ] as const) {
        await odb.db.selectFrom(table).selectAll().limit(1).execute();
      }
    });
  });
}
