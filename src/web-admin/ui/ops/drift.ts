/**
 * Drift: servers (or one server's workers) running a config version or service module hashes other
 * than the ODB's. Pure (unit-tested under Node); the dashboard, the cluster and the services pages use it.
 */

/** A server or worker as the admin API reports it. */
export interface Member {
  /** Server name or `worker N`. */
  id: string;
  configVersion?: number | undefined;
  /** module file name → hash. */
  modules: Record<string, string>;
  /** False: the member is not heartbeating (down); it is reported as down, not as drift. */
  alive?: boolean | undefined;
  /** When the member last reported (ISO); a report older than a deploy cannot show that deploy yet. */
  lastSeen?: string | undefined;
}

/** What everyone should run: the ODB's version and its modules' hashes (both optional). */
export interface Expected {
  version?: number | undefined;
  modules?: Record<string, string> | undefined;
}

export interface ModuleDrift {
  module: string;
  /** The hash everyone should run (the ODB's, else the most common one). */
  expected?: string;
  /** member id → its hash (null: the member does not run this module). */
  perMember: Record<string, string | null>;
}

export interface DriftReport {
  /** Any alive member differs. */
  drift: boolean;
  /** The version everyone should run (the ODB's, else the highest seen). */
  version?: number;
  /** Distinct config versions among alive members, ascending. */
  versions: number[];
  /** member id → reasons it differs ([] = in line). Down members have `['down']`. */
  reasons: Record<string, string[]>;
  /** Modules not run identically by every alive member. */
  modules: ModuleDrift[];
  /** How many alive members there are. */
  alive: number;
}

/** The first 8 characters of a hash (`sha256:` prefixes dropped). */
export function shortHash(h: string | null | undefined): string {
  if (!h) return '';
  return h.replace(/^sha\d+[:-]/, '').slice(0, 8);
}

function mostCommon(xs: string[]): string | undefined {
  const n = new Map<string, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  let best: string | undefined;
  let bestN = 0;
  for (const [x, c] of n) if (c > bestN || (c === bestN && best !== undefined && x < best)) [best, bestN] = [x, c];
  return best;
}

export function computeDrift(members: Member[], expected: Expected = {}): DriftReport {
  const alive = members.filter((m) => m.alive !== false);
  const versions = [
    ...new Set(alive.map((m) => m.configVersion).filter((v): v is number => typeof v === 'number')),
  ].sort((a, b) => a - b);
  const version = expected.version ?? (versions.length ? versions[versions.length - 1] : undefined);
  const names = new Set<string>(Object.keys(expected.modules ?? {}));
  for (const m of alive) for (const k of Object.keys(m.modules)) names.add(k);

  const reasons: Record<string, string[]> = {};
  for (const m of members) reasons[m.id] = m.alive === false ? ['down'] : [];
  if (version !== undefined) {
    for (const m of alive) {
      if (m.configVersion !== undefined && m.configVersion !== version)
        reasons[m.id]!.push(`config version ${m.configVersion} (expected ${version})`);
    }
  }
  const modules: ModuleDrift[] = [];
  for (const mod of [...names].sort()) {
    const inOdb = expected.modules ? expected.modules[mod] : undefined;
    const want = expected.modules
      ? inOdb
      : mostCommon(alive.map((m) => m.modules[mod]).filter((h): h is string => !!h));
    const perMember: Record<string, string | null> = {};
    let differs = false;
    for (const m of alive) {
      const h = m.modules[mod] ?? null;
      perMember[m.id] = h;
      if (h === (want ?? null)) continue;
      differs = true;
      if (h === null) reasons[m.id]!.push(`${mod} missing`);
      else if (want === undefined) reasons[m.id]!.push(`${mod} is not deployed in the ODB`);
      else reasons[m.id]!.push(`${mod} ${shortHash(h)} (expected ${shortHash(want)})`);
    }
    if (differs) modules.push({ module: mod, ...(want !== undefined ? { expected: want } : {}), perMember });
  }
  const drift = alive.some((m) => reasons[m.id]!.length > 0);
  return { drift, ...(version !== undefined ? { version } : {}), versions, reasons, modules, alive: alive.length };
}

export type ModuleState = 'ok' | 'outdated' | 'missing' | 'down' | 'pending';

/**
 * How one server runs a module whose ODB hash is `hash`; `pending` when it differs but the server has
 * not reported since the module was deployed at `deployedAt` (ISO).
 */
export function moduleState(member: Member, module: string, hash: string, deployedAt?: string): ModuleState {
  if (member.alive === false) return 'down';
  const h = member.modules[module];
  if (h === hash) return 'ok';
  const seen = member.lastSeen ? Date.parse(member.lastSeen) : NaN;
  const at = deployedAt ? Date.parse(deployedAt) : NaN;
  if (Number.isFinite(seen) && Number.isFinite(at) && seen <= at) return 'pending';
  return h ? 'outdated' : 'missing';
}

/**
 * Drift that persists: servers report what they run every few seconds, so right after a change a
 * server still shows the old version for a moment. A member counts as drifting only when it drifted in
 * the previous poll too (`prev`); `pending` lists the members that differ for the first time.
 */
export function confirmDrift(prev: DriftReport | undefined, cur: DriftReport): DriftReport & { pending: string[] } {
  const reasons: Record<string, string[]> = {};
  const pending: string[] = [];
  for (const [id, why] of Object.entries(cur.reasons)) {
    const real = why.filter((w) => w !== 'down');
    const before = (prev?.reasons[id] ?? []).filter((w) => w !== 'down');
    if (real.length && !before.length) {
      pending.push(id);
      reasons[id] = why.filter((w) => w === 'down');
    } else reasons[id] = why;
  }
  const drift = Object.values(reasons).some((why) => why.some((w) => w !== 'down'));
  return { ...cur, reasons, drift, modules: drift ? cur.modules : [], pending };
}
