/**
 * What a deploy checks before it stores anything, apart from compiling: the request's shape (file
 * names, sources, no file twice) and service-name clashes among the deployed modules and with the
 * modules already stored. Pure functions: the same checks for one module and for a bulk deploy.
 */
import { basename } from 'node:path';
import { WharfError } from '../errors.js';
import { isServiceFile } from '../service/deploy/compile.js';

/** One module of a deploy request. */
export interface ModuleUpload {
  /** The file name (a path is reduced to its base name). */
  name: string;
  source: string;
  /** Where it came from (`cli:PATH`, `admin:USER`); the request's default when absent. */
  from?: string | undefined;
}

/** A module's name and the services it declares (prepared, or stored). */
export interface ModuleServices {
  name: string;
  services: readonly string[];
}

/** How many modules one bulk deploy takes (with the admin API's 50 MiB body limit). */
export const MAX_BULK_MODULES = 5000;

/** A refused deploy: the message names the file, `details` carries it apart (as a compile error does). */
export function deployRefused(
  file: string,
  message: string,
  opts: { status?: number; details?: Record<string, unknown> } = {},
): WharfError {
  return new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${file}: ${message}`], {
    ...(opts.status ? { status: opts.status } : {}),
    details: { file, message, ...opts.details },
  });
}

/** The file name a module is stored under; refuses what cannot be deployed (not .ts/.js, empty source). */
export function checkUpload(fileName: unknown, source: unknown): string {
  if (typeof fileName !== 'string' || typeof source !== 'string')
    throw new WharfError('WHARF_ERR_BAD_REQUEST', ['each module is { name: "file.ts", source: "..." }']);
  const name = basename(fileName);
  if (!name || !isServiceFile(name))
    throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`\`${fileName}\`: only .ts and .js files can be deployed`], {
      details: { file: name || fileName, message: 'only .ts and .js files can be deployed' },
    });
  if (source.trim() === '') throw deployRefused(name, 'the file is empty');
  return name;
}

/**
 * The modules of a bulk request body (`{ modules: [{ name, source, from? }], from? }`), each checked
 * as `checkUpload` does; refuses an empty list, more than MAX_BULK_MODULES (413) and a file name twice.
 */
export function parseBulkUpload(body: Record<string, unknown>): ModuleUpload[] {
  const list = body['modules'];
  if (!Array.isArray(list) || list.length === 0)
    throw new WharfError('WHARF_ERR_BAD_REQUEST', [
      'a bulk deploy takes { modules: [{ name: "file.ts", source: "..." }, ...] } with at least one module',
    ]);
  if (list.length > MAX_BULK_MODULES)
    throw new WharfError(
      'WHARF_ERR_BAD_REQUEST',
      [`a bulk deploy takes at most ${MAX_BULK_MODULES} modules (this one has ${list.length}): split it`],
      { status: 413, details: { limit: MAX_BULK_MODULES, count: list.length } },
    );
  const seen = new Set<string>();
  return list.map((m: unknown, i) => {
    if (typeof m !== 'object' || m === null)
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [`modules[${i}]: not { name, source }`]);
    const r = m as Record<string, unknown>;
    const name = checkUpload(r['name'], r['source']);
    if (seen.has(name)) throw deployRefused(name, 'given twice in one deploy (modules are stored by file name)');
    seen.add(name);
    return { name, source: r['source'] as string, from: typeof r['from'] === 'string' ? r['from'] : undefined };
  });
}

/**
 * Refuses a service declared by two of the deployed modules (400), or by a deployed module and a
 * stored module that this deploy does not replace (409, as a single deploy does). `stored` is the
 * ODB's module index; a stored module with the name of a deployed one is being replaced.
 */
export function checkClashes(deployed: readonly ModuleServices[], stored: readonly ModuleServices[]): void {
  const owner = new Map<string, string>();
  for (const m of deployed)
    for (const s of m.services) {
      const other = owner.get(s);
      if (other !== undefined && other !== m.name)
        throw deployRefused(m.name, `service \`${s}\` is also declared in ${other}, deployed with it`, {
          details: { service: s, module: other },
        });
      owner.set(s, m.name);
    }
  const replaced = new Set(deployed.map((m) => m.name));
  for (const m of stored) {
    if (replaced.has(m.name)) continue;
    for (const s of m.services) {
      const mine = owner.get(s);
      if (mine !== undefined)
        throw deployRefused(mine, `service \`${s}\` is already deployed from ${m.name}`, {
          status: 409,
          details: { service: s, module: m.name },
        });
    }
  }
}

/** Where and why one module was refused: `file`, `message`, and `line`, `column`, `lineText` when known. */
export function failureOf(e: unknown, file: string): Record<string, unknown> {
  const details = e instanceof WharfError ? (e.details ?? {}) : {};
  const text = e instanceof Error ? e.message : String(e);
  const message =
    typeof details['message'] === 'string'
      ? details['message']
      : text.startsWith(`${file}: `)
        ? text.slice(file.length + 2)
        : text;
  return { ...details, file: typeof details['file'] === 'string' ? details['file'] : file, message };
}

/**
 * The error of a bulk deploy that refused modules: the first refusal's message and status (as a
 * single deploy would answer), its location in `details`, and every refusal in `details.errors`.
 */
export function bulkRefusal(failures: ReadonlyArray<{ file: string; error: unknown }>): WharfError {
  const first = failures[0]!;
  const all = failures.map((f) => failureOf(f.error, f.file));
  const text = first.error instanceof Error ? first.error.message : String(first.error);
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more modules refused; nothing deployed)` : '';
  return new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${text}${more}`], {
    status: first.error instanceof WharfError ? first.error.status : 400,
    cause: first.error,
    details: { ...all[0], errors: all },
  });
}
