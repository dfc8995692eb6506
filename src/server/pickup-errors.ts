/**
 * Refusals of modules dropped in the pickup directory, where the user looks: a refused file gets
 * `pickup/errors/NAME.txt` beside the pickup directory (its `file:line:col` message), removed when a
 * later version of the module deploys; `wharf service list` (the admin API) reports them as refused.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export interface PickupRefusal {
  /** The module's file name, e.g. `invoice.ts`. */
  module: string;
  /** Why it was refused (file:line:col and the compiler's or loader's words). */
  message: string;
  /** When (ISO time of the refusal). */
  at: string;
}

/** `pickup/errors` for the default `pickup/incoming/services`; else `errors/` inside the pickup directory. */
export function pickupErrorsDir(pickupDir: string): string {
  const dir = resolve(pickupDir);
  return /[/\\]incoming[/\\]services$/.test(dir) ? resolve(dir, '..', '..', 'errors') : join(dir, 'errors');
}

const fileOf = (pickupDir: string, module: string): string =>
  join(pickupErrorsDir(pickupDir), `${basename(module)}.txt`);

/** Node's `Require stack:` list says nothing the first line does not. */
const clean = (message: string): string => message.replace(/\n?Require stack:(\n- [^\n]*)*/g, '').trimEnd();

/** Writes the refusal of `module` (best effort: a read-only directory must not stop the server). */
export function recordPickupRefusal(pickupDir: string, module: string, message: string): string | undefined {
  try {
    mkdirSync(pickupErrorsDir(pickupDir), { recursive: true, mode: 0o700 });
    const file = fileOf(pickupDir, module);
    writeFileSync(file, `${clean(message)}\n`, { mode: 0o600 });
    return file;
  } catch {
    return undefined;
  }
}

/** Removes the refusal of `module`, once a version of it deploys. */
export function clearPickupRefusal(pickupDir: string, module: string): void {
  rmSync(fileOf(pickupDir, module), { force: true });
}

/** The refusals on record, by module name. */
export function listPickupRefusals(pickupDir: string): PickupRefusal[] {
  const dir = pickupErrorsDir(pickupDir);
  if (!existsSync(dir)) return [];
  const out: PickupRefusal[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.txt')) continue;
    try {
      const path = join(dir, f);
      out.push({
        module: f.slice(0, -4),
        message: readFileSync(path, 'utf8').trimEnd(),
        at: statSync(path).mtime.toISOString(),
      });
    } catch {
      /* removed meanwhile */
    }
  }
  return out;
}
