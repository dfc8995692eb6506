/**
 * The operational database: every config object, deployed module, admin user, server record and
 * lease. Every write runs in one transaction that first bumps the config version (which also
 * serialises writers on every dialect) and records what changed, so any worker can catch up with
 * `changesSince(itsVersion)`: a missed broadcast delays a change, never loses it.
 */
import { createHash } from 'node:crypto';
import { Migrator, sql, type Kysely, type Transaction } from 'kysely';
import { connect, type OdbConfig } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export interface StoredObject {
  kind: string;
  name: string;
  data: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type ChangeAction = 'create' | 'edit' | 'delete' | 'deploy' | 'undeploy';

export interface Change {
  version: number;
  kind: string;
  name: string;
  action: ChangeAction;
}

/** One row of the config history: a change with when, who and the object's stored data after it. */
export interface HistoryEntry extends Change {
  at: string;
  /** The admin user; null when made outside the admin API (or before history kept it). */
  who: string | null;
  /** The stored data after the change (secrets sealed); null for deletes and undeploys, or when not kept. */
  data: Record<string, unknown> | null;
}

export interface HistoryQuery {
  kind?: string | undefined;
  name?: string | undefined;
  /** Only changes with a version below this one. */
  before?: number | undefined;
  limit: number;
}

export interface WriteOptions {
  /** Who makes the change (the admin user), recorded with every change of the transaction. */
  who?: string | undefined;
}

export interface UserRecord {
  username: string;
  createdAt: string;
}

/** What a module deploy records as its history data (the source stays in wharf_module). */
export function moduleHistoryData(
  m: Pick<StoredModule, 'hash' | 'services' | 'deployedFrom'>,
): Record<string, unknown> {
  return { hash: m.hash, services: m.services, deployedFrom: m.deployedFrom };
}

export interface StoredModule {
  name: string;
  source: string;
  hash: string;
  services: string[];
  version: number;
  deployedAt: string;
  deployedFrom: string;
}

/** A stored module without its source: what deploy checks (hash, service names) need. */
export type ModuleIndexEntry = Pick<StoredModule, 'name' | 'hash' | 'services' | 'version'>;

export interface ServerRecord {
  name: string;
  host: string;
  port: number;
  pid: number;
  configVersion: number;
  moduleHashes: Record<string, string>;
  lastSeen: string;
}

/** The kind under which module deploys appear in the change log. */
export const MODULE_KIND = 'service.module';

const now = (): string => new Date().toISOString();

/** Rows per multi-row statement (7 columns: well within every dialect's bound-parameter limit). */
const BATCH_ROWS = 500;

/** Rolls back a delete that would leave no admin user. */
class LastUser extends Error {}

type Db = Kysely<Database> | Transaction<Database>;

function toObject(r: Database['wharf_object']): StoredObject {
  return {
    kind: r.kind,
    name: r.name,
    data: JSON.parse(r.data) as Record<string, unknown>,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toHistory(r: Database['wharf_change']): HistoryEntry {
  return {
    version: Number(r.version),
    kind: r.kind,
    name: r.name,
    action: r.action as ChangeAction,
    at: r.at,
    who: r.who ?? null,
    data: r.data == null ? null : (JSON.parse(r.data) as Record<string, unknown>),
  };
}

function toModule(r: Database['wharf_module']): StoredModule {
  return {
    name: r.name,
    source: r.source,
    hash: r.hash,
    services: JSON.parse(r.services) as string[],
    version: r.version,
    deployedAt: r.deployed_at,
    deployedFrom: r.deployed_from,
  };
}

/** Names, hashes, services and versions of every module, by name; reads no source. */
async function listModuleIndexIn(db: Db): Promise<ModuleIndexEntry[]> {
  const rows = await db
    .selectFrom('wharf_module')
    .select(['name', 'hash', 'services', 'version'])
    .orderBy('name')
    .execute();
  return rows.map((r) => ({
    name: r.name,
    hash: r.hash,
    services: JSON.parse(r.services) as string[],
    version: Number(r.version),
  }));
}

async function getObjectIn(db: Db, kind: string, name: string): Promise<StoredObject | undefined> {
  const r = await db
    .selectFrom('wharf_object')
    .selectAll()
    .where('kind', '=', kind)
    .where('name', '=', name)
    .executeTakeFirst();
  return r && toObject(r);
}

async function listObjectsIn(db: Db, kind?: string): Promise<StoredObject[]> {
  let q = db.selectFrom('wharf_object').selectAll();
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.orderBy('kind').orderBy('name').execute();
  return rows.map(toObject);
}

/** What a write transaction may do; every change is recorded under the transaction's version. */
export class OdbWriter {
  constructor(
    private readonly tx: Transaction<Database>,
    readonly version: number,
    /** Who makes this transaction's changes (recorded with each). */
    readonly who: string | null = null,
  ) {}

  getObject(kind: string, name: string): Promise<StoredObject | undefined> {
    return getObjectIn(this.tx, kind, name);
  }

  listObjects(kind?: string): Promise<StoredObject[]> {
    return listObjectsIn(this.tx, kind);
  }

  async getModule(name: string): Promise<StoredModule | undefined> {
    const r = await this.tx.selectFrom('wharf_module').selectAll().where('name', '=', name).executeTakeFirst();
    return r && toModule(r);
  }

  async listModules(): Promise<StoredModule[]> {
    return (await this.tx.selectFrom('wharf_module').selectAll().orderBy('name').execute()).map(toModule);
  }

  /** Every module's name, hash, services and version, without the source (deploy checks). */
  listModuleIndex(): Promise<ModuleIndexEntry[]> {
    return listModuleIndexIn(this.tx);
  }

  /** One row per object and version: a later change of the same object in this transaction replaces it. */
  private async record(kind: string, name: string, action: ChangeAction, data: string | null): Promise<void> {
    await this.tx
      .deleteFrom('wharf_change')
      .where('version', '=', this.version)
      .where('kind', '=', kind)
      .where('name', '=', name)
      .execute();
    await this.tx
      .insertInto('wharf_change')
      .values({ version: this.version, kind, name, action, at: now(), who: this.who, data })
      .execute();
  }

  /** Creates or replaces an object; returns whether it existed. */
  async putObject(kind: string, name: string, data: Record<string, unknown>): Promise<'create' | 'edit'> {
    const ts = now();
    const json = JSON.stringify(data);
    const res = await this.tx
      .updateTable('wharf_object')
      .set({ data: json, version: this.version, updated_at: ts })
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    const action = Number(res.numUpdatedRows) > 0 ? 'edit' : 'create';
    if (action === 'create') {
      await this.tx
        .insertInto('wharf_object')
        .values({ kind, name, data: json, version: this.version, created_at: ts, updated_at: ts })
        .execute();
    }
    await this.record(kind, name, action, json);
    return action;
  }

  /** Renames keep history simple: delete the old name, create the new one. */
  async deleteObject(kind: string, name: string): Promise<boolean> {
    const res = await this.tx
      .deleteFrom('wharf_object')
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    const gone = Number(res.numDeletedRows) > 0;
    if (gone) await this.record(kind, name, 'delete', null);
    return gone;
  }

  async putModule(m: Omit<StoredModule, 'version' | 'deployedAt'>): Promise<void> {
    const row = {
      source: m.source,
      hash: m.hash,
      services: JSON.stringify(m.services),
      version: this.version,
      deployed_at: now(),
      deployed_from: m.deployedFrom,
    };
    const res = await this.tx.updateTable('wharf_module').set(row).where('name', '=', m.name).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0)
      await this.tx
        .insertInto('wharf_module')
        .values({ name: m.name, ...row })
        .execute();
    await this.record(MODULE_KIND, m.name, 'deploy', JSON.stringify(moduleHistoryData(m)));
  }

  /**
   * Stores many modules (created or replaced) with a few multi-row statements instead of four per
   * module: a bulk deploy of 1,000 modules. Recorded as putModule records each (one change per module).
   */
  async putModules(ms: ReadonlyArray<Omit<StoredModule, 'version' | 'deployedAt'>>): Promise<void> {
    const at = now();
    for (let i = 0; i < ms.length; i += BATCH_ROWS) {
      const chunk = ms.slice(i, i + BATCH_ROWS);
      const names = chunk.map((m) => m.name);
      await this.tx.deleteFrom('wharf_module').where('name', 'in', names).execute();
      await this.tx
        .insertInto('wharf_module')
        .values(
          chunk.map((m) => ({
            name: m.name,
            source: m.source,
            hash: m.hash,
            services: JSON.stringify(m.services),
            version: this.version,
            deployed_at: at,
            deployed_from: m.deployedFrom,
          })),
        )
        .execute();
      await this.tx
        .deleteFrom('wharf_change')
        .where('version', '=', this.version)
        .where('kind', '=', MODULE_KIND)
        .where('name', 'in', names)
        .execute();
      await this.tx
        .insertInto('wharf_change')
        .values(
          chunk.map((m) => ({
            version: this.version,
            kind: MODULE_KIND,
            name: m.name,
            action: 'deploy' as const,
            at,
            who: this.who,
            data: JSON.stringify(moduleHistoryData(m)),
          })),
        )
        .execute();
    }
  }

  async deleteModule(name: string): Promise<boolean> {
    const res = await this.tx.deleteFrom('wharf_module').where('name', '=', name).executeTakeFirst();
    const gone = Number(res.numDeletedRows) > 0;
    if (gone) await this.record(MODULE_KIND, name, 'undeploy', null);
    return gone;
  }
}

export class Odb {
  private constructor(
    readonly db: Kysely<Database>,
    readonly config: OdbConfig,
  ) {}

  static async open(config: OdbConfig): Promise<Odb> {
    return new Odb(await connect(config), config);
  }

  /** Runs pending migrations; throws with the failing migration's name. */
  async migrate(): Promise<string[]> {
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider,
      migrationTableName: 'wharf_migration',
      migrationLockTableName: 'wharf_migration_lock',
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error');
      throw new Error(
        `ODB migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  /** Creates the cluster's config row once. */
  async init(clusterName: string): Promise<void> {
    const r = await this.db.selectFrom('wharf_config').select('id').where('id', '=', 1).executeTakeFirst();
    if (!r) await this.db.insertInto('wharf_config').values({ id: 1, version: 0, cluster_name: clusterName }).execute();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async clusterName(): Promise<string> {
    const r = await this.db
      .selectFrom('wharf_config')
      .select('cluster_name')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return r.cluster_name;
  }

  async version(): Promise<number> {
    const r = await this.db.selectFrom('wharf_config').select('version').where('id', '=', 1).executeTakeFirst();
    return r ? Number(r.version) : 0;
  }

  async changesSince(version: number): Promise<Change[]> {
    const rows = await this.db
      .selectFrom('wharf_change')
      .selectAll()
      .where('version', '>', version)
      .orderBy('version')
      .execute();
    return rows.map((r) => ({
      version: Number(r.version),
      kind: r.kind,
      name: r.name,
      action: r.action as ChangeAction,
    }));
  }

  // ---- config history
  /** Changes newest first (then by kind and name), optionally of one kind/object, below `before`. */
  async history(q: HistoryQuery): Promise<HistoryEntry[]> {
    let s = this.db.selectFrom('wharf_change').select(['version', 'kind', 'name', 'action', 'at', 'who']);
    if (q.kind !== undefined) s = s.where('kind', '=', q.kind);
    if (q.name !== undefined) s = s.where('name', '=', q.name);
    if (q.before !== undefined) s = s.where('version', '<', q.before);
    const rows = await s.orderBy('version', 'desc').orderBy('kind').orderBy('name').limit(q.limit).execute();
    return rows.map((r) => toHistory({ ...r, data: null }));
  }

  /** Every change of one version (a write may change many objects). */
  async changesAt(version: number, q: Pick<HistoryQuery, 'kind' | 'name'> = {}): Promise<HistoryEntry[]> {
    let s = this.db
      .selectFrom('wharf_change')
      .select(['version', 'kind', 'name', 'action', 'at', 'who'])
      .where('version', '=', version);
    if (q.kind !== undefined) s = s.where('kind', '=', q.kind);
    if (q.name !== undefined) s = s.where('name', '=', q.name);
    const rows = await s.orderBy('kind').orderBy('name').execute();
    return rows.map((r) => toHistory({ ...r, data: null }));
  }

  /** The object as of `version`: its last change at or before it, with data (undefined: never existed by then). */
  async objectAt(version: number, kind: string, name: string): Promise<HistoryEntry | undefined> {
    const r = await this.db
      .selectFrom('wharf_change')
      .selectAll()
      .where('kind', '=', kind)
      .where('name', '=', name)
      .where('version', '<=', version)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r && toHistory(r);
  }

  getObject(kind: string, name: string): Promise<StoredObject | undefined> {
    return getObjectIn(this.db, kind, name);
  }

  listObjects(kind?: string): Promise<StoredObject[]> {
    return listObjectsIn(this.db, kind);
  }

  async getModule(name: string): Promise<StoredModule | undefined> {
    const r = await this.db.selectFrom('wharf_module').selectAll().where('name', '=', name).executeTakeFirst();
    return r && toModule(r);
  }

  async listModules(): Promise<StoredModule[]> {
    return (await this.db.selectFrom('wharf_module').selectAll().orderBy('name').execute()).map(toModule);
  }

  /** Every module's name, hash, services and version, without the source. */
  listModuleIndex(): Promise<ModuleIndexEntry[]> {
    return listModuleIndexIn(this.db);
  }

  /**
   * One write transaction under a new config version. The version bump comes first: it takes the
   * row lock (PostgreSQL/MySQL) or the write lock (SQLite) so concurrent writers queue up and
   * versions become visible in order.
   */
  async write<T>(fn: (w: OdbWriter) => Promise<T>, opts: WriteOptions = {}): Promise<{ result: T; version: number }> {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('wharf_config')
        .set({ version: sql`version + 1` })
        .where('id', '=', 1)
        .execute();
      const { version } = await tx
        .selectFrom('wharf_config')
        .select('version')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      const result = await fn(new OdbWriter(tx, Number(version), opts.who || null));
      return { result, version: Number(version) };
    });
  }

  // ---- admin users
  async putUser(username: string, passwordHash: string): Promise<void> {
    const res = await this.db
      .updateTable('wharf_user')
      .set({ password_hash: passwordHash })
      .where('username', '=', username)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0)
      await this.db
        .insertInto('wharf_user')
        .values({ username, password_hash: passwordHash, created_at: now() })
        .execute();
  }

  async getUserHash(username: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('wharf_user')
      .select('password_hash')
      .where('username', '=', username)
      .executeTakeFirst();
    return r?.password_hash;
  }

  /** Adds a user; false when the name is taken (also when a concurrent add won). */
  async addUser(username: string, passwordHash: string): Promise<boolean> {
    if (await this.getUserHash(username)) return false;
    try {
      await this.db
        .insertInto('wharf_user')
        .values({ username, password_hash: passwordHash, created_at: now() })
        .execute();
      return true;
    } catch (e) {
      if (await this.getUserHash(username)) return false;
      throw e;
    }
  }

  /** Replaces an existing user's hash; false when there is no such user. */
  async setUserHash(username: string, passwordHash: string): Promise<boolean> {
    const res = await this.db
      .updateTable('wharf_user')
      .set({ password_hash: passwordHash })
      .where('username', '=', username)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.db
      .selectFrom('wharf_user')
      .select(['username', 'created_at'])
      .orderBy('username')
      .execute();
    return rows.map((r) => ({ username: r.username, createdAt: r.created_at }));
  }

  /**
   * Deletes a user unless it is the last one. Serialised with every other write through the
   * config row's lock (no version bump), so two concurrent deletes can never remove the last two.
   */
  async deleteUser(username: string): Promise<'deleted' | 'missing' | 'last'> {
    return this.db
      .transaction()
      .execute(async (tx) => {
        await tx
          .updateTable('wharf_config')
          .set({ version: sql`version` })
          .where('id', '=', 1)
          .execute();
        const res = await tx.deleteFrom('wharf_user').where('username', '=', username).executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) return 'missing';
        const left = await tx
          .selectFrom('wharf_user')
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
          .executeTakeFirstOrThrow();
        if (Number(left.n) > 0) return 'deleted';
        throw new LastUser();
      })
      .catch((e: unknown) => {
        if (e instanceof LastUser) return 'last' as const;
        throw e;
      });
  }

  // ---- servers (what each runs, for `wharf info` and drift)
  async reportServer(s: ServerRecord): Promise<void> {
    const row = {
      host: s.host,
      port: s.port,
      pid: s.pid,
      config_version: s.configVersion,
      module_hashes: JSON.stringify(s.moduleHashes),
      last_seen: s.lastSeen,
    };
    const res = await this.db.updateTable('wharf_server').set(row).where('name', '=', s.name).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0)
      await this.db
        .insertInto('wharf_server')
        .values({ name: s.name, ...row })
        .execute();
  }

  /** Removes a server from the cluster's list (and so from the load balancer); true when it was there. */
  async deleteServer(name: string): Promise<boolean> {
    const res = await this.db.deleteFrom('wharf_server').where('name', '=', name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async listServers(): Promise<ServerRecord[]> {
    const rows = await this.db.selectFrom('wharf_server').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      host: r.host,
      port: Number(r.port),
      pid: Number(r.pid),
      configVersion: Number(r.config_version),
      moduleHashes: JSON.parse(r.module_hashes) as Record<string, string>,
      lastSeen: r.last_seen,
    }));
  }

  // ---- leases (once-per-cluster work on the embedded default; the cluster uses Redis)
  /** Takes or renews `name` for `holder` until now + ttl; true when held. */
  async tryLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const t = Date.now();
    const exp = t + ttlMs;
    return this.db
      .transaction()
      .execute(async (tx) => {
        const upd = await tx
          .updateTable('wharf_lease')
          .set({ holder, expires_at: exp })
          .where('name', '=', name)
          .where((eb) => eb.or([eb('holder', '=', holder), eb('expires_at', '<', t)]))
          .executeTakeFirst();
        if (Number(upd.numUpdatedRows) > 0) return true;
        const existing = await tx.selectFrom('wharf_lease').select('name').where('name', '=', name).executeTakeFirst();
        if (existing) return false;
        await tx.insertInto('wharf_lease').values({ name, holder, expires_at: exp }).execute();
        return true;
      })
      .catch(() => false); // a concurrent insert of the same lease: the other holder won
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('wharf_lease').where('name', '=', name).where('holder', '=', holder).execute();
  }

  // ---- connector state (not config: no version bump, no broadcast)
  /** Keys longer than 200 characters are stored under their SHA-256. */
  private static stateKey(key: string): string {
    return key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
  }

  async getState(scope: string, key: string): Promise<unknown> {
    const r = await this.db
      .selectFrom('wharf_state')
      .select('value')
      .where('scope', '=', scope)
      .where('skey', '=', Odb.stateKey(key))
      .executeTakeFirst();
    return r ? (JSON.parse(r.value) as unknown) : undefined;
  }

  async setState(scope: string, key: string, value: unknown): Promise<void> {
    const skey = Odb.stateKey(key);
    if (value === undefined) {
      await this.db.deleteFrom('wharf_state').where('scope', '=', scope).where('skey', '=', skey).execute();
      return;
    }
    const row = { value: JSON.stringify(value), updated_at: now() };
    const res = await this.db
      .updateTable('wharf_state')
      .set(row)
      .where('scope', '=', scope)
      .where('skey', '=', skey)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      await this.db
        .insertInto('wharf_state')
        .values({ scope, skey, ...row })
        .execute()
        .catch(async () => {
          await this.db
            .updateTable('wharf_state')
            .set(row)
            .where('scope', '=', scope)
            .where('skey', '=', skey)
            .execute();
        });
    }
  }

  async listState(scope: string): Promise<Array<{ key: string; value: unknown }>> {
    const rows = await this.db.selectFrom('wharf_state').select(['skey', 'value']).where('scope', '=', scope).execute();
    return rows.map((r) => ({ key: r.skey, value: JSON.parse(r.value) as unknown }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
