/**
 * An environment's file modes: the environment directory and every directory in it 0700; the files
 * that hold secrets 0600 — the SQLite ODB (and its -wal/-shm: admin hashes, all config, every
 * service's source), secret.key, cli-credentials.json, metrics.token, config files holding
 * passwords (server.yaml, lb.yaml), keys and PEM bundles. The quickstart sets them; every
 * `wharf start` checks them again, fixes what is too open and warns, naming the file and its old
 * mode. chmod after create, so the process umask does not matter. Symbolic links are not followed.
 */
import { chmodSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DIR_MODE = 0o700;
export const SECRET_FILE_MODE = 0o600;

export interface ModeFix {
  path: string;
  /** The mode found (permission bits). */
  was: number;
  /** The mode set (or wanted, when `error` says why it could not be set). */
  now: number;
  error?: string | undefined;
}

const SECRET_NAMES = new Set(['secret.key', 'cli-credentials.json', 'metrics.token', 'server.yaml', 'lb.yaml']);

/** Whether a file (by name) holds secrets and must be 0600. */
export function isSecretFile(name: string): boolean {
  return (
    SECRET_NAMES.has(name) || /\.(db|sqlite|sqlite3)(-wal|-shm|-journal)?$/.test(name) || /\.(key|pem)$/.test(name)
  );
}

export const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

function fix(path: string, mode: number, want: number, out: ModeFix[]): void {
  const perm = mode & 0o777;
  if ((perm & 0o077) === 0) return;
  try {
    chmodSync(path, want);
    out.push({ path, was: perm, now: want });
  } catch (e) {
    out.push({ path, was: perm, now: want, error: e instanceof Error ? e.message : String(e) });
  }
}

function walk(dir: string, out: ModeFix[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      fix(p, lstatSync(p).mode, DIR_MODE, out);
      walk(p, out);
    } else if (e.isFile() && isSecretFile(e.name)) fix(p, lstatSync(p).mode, SECRET_FILE_MODE, out);
  }
}

/**
 * Tightens the environment `dir` (and `extraFiles`, e.g. a SQLite ODB kept elsewhere, with its
 * -wal/-shm when present); returns what was too open (fixed, or `error` when chmod failed).
 */
export function secureEnv(dir: string, extraFiles: string[] = []): ModeFix[] {
  const out: ModeFix[] = [];
  if (!existsSync(dir)) return out;
  fix(dir, lstatSync(dir).mode, DIR_MODE, out);
  walk(dir, out);
  const seen = new Set(out.map((f) => f.path));
  for (const f of extraFiles.flatMap((x) => [x, `${x}-wal`, `${x}-shm`])) {
    if (seen.has(f) || !existsSync(f)) continue;
    const st = lstatSync(f);
    if (st.isFile()) fix(f, st.mode, SECRET_FILE_MODE, out);
  }
  return out;
}

/** One warning line per fix, e.g. `ENV/odb/wharf.db was 0644, now 0600`. */
export function describeFix(f: ModeFix): string {
  return f.error
    ? `${f.path} is ${octal(f.was)} (should be ${octal(f.now)}) and could not be fixed: ${f.error}`
    : `${f.path} was ${octal(f.was)} (too open), now ${octal(f.now)}`;
}
