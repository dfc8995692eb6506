/**
 * Config history: what changed, when, by whom, and the object as it was at any version (secrets
 * masked); restoring one object to an earlier version writes a new version through the same
 * validation as an edit (history is never rewritten).
 */
import type { ObjectKind } from '../config/kind.js';
import { findKind, getKind } from '../config/registry.js';
import {
  entrySpecs,
  isEncrypted,
  maskFields,
  openFields,
  sealFields,
  type SecretBox,
  type SecretSpec,
} from '../config/secrets.js';
import { WharfError } from '../errors.js';
import {
  MODULE_KIND,
  moduleHistoryData,
  type ChangeAction,
  type HistoryEntry,
  type HistoryQuery,
  type Odb,
  type OdbWriter,
} from '../odb/odb.js';
import { invalid, validate } from './config-ops.js';

export const HISTORY_MAX_LIMIT = 500;
const HISTORY_DEFAULT_LIMIT = 50;
const VERSION_RE = /^[1-9][0-9]{0,9}$/;
/** Versions are 32-bit integers in every ODB dialect (a larger number would be a database error). */
const MAX_VERSION = 2_147_483_647;

export interface HistoryItem {
  version: number;
  at: string;
  who: string | null;
  kind: string;
  name: string;
  action: ChangeAction;
  /** What changed: `changed: a, b` for edits (field names only, never values), the hash for deploys. */
  summary?: string;
}

export interface HistoryPage {
  items: HistoryItem[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: number;
}

export interface HistoryDetail extends HistoryItem {
  /** The object's data after this change, secrets masked; null when it was deleted. */
  data: Record<string, unknown> | null;
  /** The object now, secrets masked; null when it does not exist now. */
  current: Record<string, unknown> | null;
}

type Query = Record<string, string | string[] | undefined>;

function one(query: Query, field: string, problems: string[]): string | undefined {
  const v = query[field];
  if (Array.isArray(v)) {
    problems.push(`${field}: give it once`);
    return undefined;
  }
  return v === '' ? undefined : v;
}

/** A positive integer version (from a path, a query or a JSON body) or a problem naming `field`. */
export function parseVersion(v: unknown, field: string, problems: string[]): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v <= MAX_VERSION) return v;
  if (typeof v === 'string' && VERSION_RE.test(v) && Number(v) <= MAX_VERSION) return Number(v);
  problems.push(`${field}: must be a config version (a whole number from 1)`);
  return undefined;
}

/** `?kind=&name=&limit=&before=` checked: 400 naming the field on anything else. */
export function parseHistoryQuery(query: Query): HistoryQuery {
  const problems: string[] = [];
  const kind = one(query, 'kind', problems);
  const name = one(query, 'name', problems);
  const limitText = one(query, 'limit', problems);
  const beforeText = one(query, 'before', problems);
  if (kind !== undefined && kind.length > 100) problems.push('kind: at most 100 characters');
  if (name !== undefined && name.length > 200) problems.push('name: at most 200 characters');
  let limit = HISTORY_DEFAULT_LIMIT;
  if (limitText !== undefined) {
    limit = /^[0-9]{1,4}$/.test(limitText) ? Number(limitText) : 0;
    if (limit < 1 || limit > HISTORY_MAX_LIMIT)
      problems.push(`limit: must be a whole number from 1 to ${HISTORY_MAX_LIMIT}`);
  }
  const before = beforeText === undefined ? undefined : parseVersion(beforeText, 'before', problems);
  for (const k of Object.keys(query))
    if (!['kind', 'name', 'limit', 'before'].includes(k))
      problems.push(`${k}: unknown parameter (kind, name, limit, before)`);
  if (problems.length > 0) throw invalid(problems);
  return { kind, name, before, limit };
}

const item = (e: HistoryEntry): HistoryItem => ({
  version: e.version,
  at: e.at,
  who: e.who,
  kind: e.kind,
  name: e.name,
  action: e.action,
});

const MAX_NAMED_FIELDS = 12;

/** Top-level fields whose values differ; secrets compared in clear (each save seals them anew). */
function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  secrets: readonly SecretSpec[] | undefined,
  box: SecretBox | undefined,
): string[] {
  const entries = entrySpecs(secrets);
  if (box && entries.length > 0) {
    try {
      before = openFields(box, before, entries);
      after = openFields(box, after, entries);
    } catch {
      /* compared as stored */
    }
  }
  const clear = (v: unknown): unknown => {
    if (!box || !isEncrypted(v)) return v;
    try {
      return box.decrypt(v);
    } catch {
      return v;
    }
  };
  const out: string[] = [];
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const secret = secrets?.includes(k) ?? false;
    const a = secret ? clear(before[k]) : before[k];
    const b = secret ? clear(after[k]) : after[k];
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(k);
  }
  return out.sort();
}

/** The summary of one change (edits are compared with the object's previous recorded data). */
async function summarize(odb: Odb, e: HistoryEntry, box: SecretBox | undefined): Promise<string | undefined> {
  if (e.action !== 'edit' && e.action !== 'deploy') return undefined;
  const now = await odb.objectAt(e.version, e.kind, e.name);
  if (!now?.data) return undefined;
  if (e.action === 'deploy') {
    const services = Array.isArray(now.data['services']) ? (now.data['services'] as unknown[]).map(String) : [];
    return `hash ${String(now.data['hash'] ?? '').slice(0, 12)}; services: ${services.join(', ')}`;
  }
  const before = await odb.objectAt(e.version - 1, e.kind, e.name);
  if (!before?.data) return undefined;
  const fields = changedFields(
    before.data,
    now.data,
    e.kind === MODULE_KIND ? undefined : findKind(e.kind)?.secrets,
    box,
  );
  if (fields.length === 0) return 'no field changed';
  const named = fields.slice(0, MAX_NAMED_FIELDS).join(', ');
  return `changed: ${named}${fields.length > MAX_NAMED_FIELDS ? ` and ${fields.length - MAX_NAMED_FIELDS} more` : ''}`;
}

async function withSummaries(odb: Odb, rows: HistoryEntry[], box: SecretBox | undefined): Promise<HistoryItem[]> {
  return Promise.all(
    rows.map(async (r) => {
      const summary = await summarize(odb, r, box);
      return summary === undefined ? item(r) : { ...item(r), summary };
    }),
  );
}

/**
 * Newest first. A page never splits one version's changes (a write may change many objects): the
 * next page starts below the last version shown, and a version with more changes than `limit`
 * comes whole. `box` opens secrets so that re-sealed but unchanged ones are not reported as changed.
 */
export async function listHistory(odb: Odb, q: HistoryQuery, box?: SecretBox): Promise<HistoryPage> {
  const rows = await odb.history({ ...q, limit: q.limit + 1 });
  if (rows.length <= q.limit) return { items: await withSummaries(odb, rows, box) };
  const lastShown = rows[q.limit - 1]!.version;
  let page = rows.slice(0, q.limit);
  if (rows[q.limit]!.version === lastShown) {
    page = page.filter((r) => r.version !== lastShown);
    if (page.length === 0) page = await odb.changesAt(lastShown, q);
    else return { items: await withSummaries(odb, page, box), next: page[page.length - 1]!.version };
  }
  return { items: await withSummaries(odb, page, box), next: lastShown };
}

/** The kind's declaration for masking; modules have no secrets; unknown kinds → 404. */
function kindOf(kindId: string): ObjectKind | undefined {
  return kindId === MODULE_KIND ? undefined : getKind(kindId);
}

async function currentData(
  odb: Odb,
  kind: ObjectKind | undefined,
  kindId: string,
  name: string,
): Promise<Record<string, unknown> | null> {
  if (kindId === MODULE_KIND) {
    const m = await odb.getModule(name);
    return m ? moduleHistoryData(m) : null;
  }
  const o = await odb.getObject(kindId, name);
  return o ? maskFields(o.data, kind?.secrets) : null;
}

function notAt(
  kind: ObjectKind | undefined,
  kindId: string,
  name: string,
  version: number,
  why = 'did not exist',
): WharfError {
  return new WharfError(
    'WHARF_ERR_NOT_FOUND',
    [`${kind?.title ?? kindId} \`${name}\` ${why} at config version ${version}`],
    { details: { kind: kindId, name, version } },
  );
}

async function checkVersionExists(odb: Odb, version: number): Promise<void> {
  const latest = await odb.version();
  if (version > latest)
    throw new WharfError(
      'WHARF_ERR_NOT_FOUND',
      [`config version ${version} does not exist (the latest is ${latest})`],
      { details: { version, latest } },
    );
}

/**
 * The object as of `version` (its last change at or before it) and as it is now. The stored data
 * of changes made before history kept data is unknown: it is the current data when the object has
 * not changed since, else 404.
 */
export async function historyDetail(odb: Odb, version: number, kindId: string, name: string): Promise<HistoryDetail> {
  const kind = kindOf(kindId);
  await checkVersionExists(odb, version);
  const e = await odb.objectAt(version, kindId, name);
  if (!e) throw notAt(kind, kindId, name, version);
  const current = await currentData(odb, kind, kindId, name);
  let data = e.data === null ? null : maskFields(e.data, kind?.secrets);
  if (data === null && e.action !== 'delete' && e.action !== 'undeploy') {
    const o = kindId === MODULE_KIND ? await odb.getModule(name) : await odb.getObject(kindId, name);
    if (!o || o.version !== e.version)
      throw notAt(kind, kindId, name, version, 'has no recorded data (changed before history kept data)');
    data = current;
  }
  return { ...item(e), data, current };
}

/** Secrets whose clear text did not change keep their stored (sealed) form, so nothing is re-encrypted. */
function sealAsBefore(
  box: SecretBox,
  obj: Record<string, unknown>,
  before: Record<string, unknown>,
  secrets: readonly SecretSpec[] | undefined,
): Record<string, unknown> {
  const out = { ...obj };
  for (const f of secrets ?? []) {
    if (typeof f !== 'string') continue;
    const was = before[f];
    if (typeof out[f] === 'string' && isEncrypted(was) && box.decrypt(was) === out[f]) out[f] = was;
  }
  return sealFields(box, out, secrets);
}

export interface RestorePlan {
  kind: ObjectKind;
  name: string;
  fromVersion: number;
  /** Stored (sealed) data of the object at `fromVersion`. */
  data: Record<string, unknown>;
}

/** Finds what to restore (outside the write: the past does not change); 404 when there is nothing. */
export async function planRestore(
  odb: Odb,
  kindId: string,
  name: string,
  body: Record<string, unknown>,
): Promise<RestorePlan> {
  const kind = getKind(kindId);
  const problems: string[] = [];
  const fromVersion = parseVersion(body['version'], 'version', problems);
  for (const k of Object.keys(body))
    if (k !== 'version') problems.push(`${k}: unknown field (restore takes { version })`);
  if (problems.length > 0 || fromVersion === undefined) throw invalid(problems);
  await checkVersionExists(odb, fromVersion);
  const e = await odb.objectAt(fromVersion, kind.id, name);
  if (!e || e.action === 'delete') throw notAt(kind, kind.id, name, fromVersion);
  let data = e.data;
  if (data === null) {
    const o = await odb.getObject(kind.id, name);
    if (!o || o.version !== e.version)
      throw notAt(kind, kind.id, name, fromVersion, 'has no recorded data (changed before history kept data)');
    data = o.data;
  }
  return { kind, name, fromVersion, data };
}

/**
 * Writes the planned data as the object's new version: validated like a create or an edit
 * (schema, references, the kind's checks), re-created when it was deleted since.
 */
export async function restoreObject(w: OdbWriter, plan: RestorePlan, box: SecretBox): Promise<'create' | 'edit'> {
  const { kind, name } = plan;
  const clear = { ...openFields(box, plan.data, kind.secrets), name };
  const obj = await validate(w, kind, clear, undefined, box);
  return w.putObject(kind.id, name, sealAsBefore(box, obj, plan.data, kind.secrets));
}
