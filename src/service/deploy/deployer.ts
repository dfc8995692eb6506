/** Compile → load → check, shared by the admin deploy operation (validate first) and every worker (apply). */
import { WharfError } from '../../errors.js';
import { makeEntry, type ServiceEntry, type ServiceRegistry } from '../registry.js';
import { compileModule } from './compile.js';
import { loadModule, type LoadOptions } from './load.js';

export interface PreparedModule {
  name: string;
  hash: string;
  entries: ServiceEntry[];
}

export async function prepareModule(
  name: string,
  source: string,
  opts: LoadOptions & { resolveDir: string },
): Promise<PreparedModule> {
  const compiled = await compileModule(name, source, opts.resolveDir);
  const classes = loadModule(compiled, opts);
  const entries = classes.map((c) => makeEntry(c, name, compiled.hash));
  return { name, hash: compiled.hash, entries };
}

/** Refuses a module whose service names belong to another module. */
export function checkConflicts(registry: ServiceRegistry, mod: PreparedModule): void {
  const clashes = registry.conflicts(
    mod.name,
    mod.entries.map((e) => e.name),
  );
  if (clashes.length > 0) {
    const c = clashes[0]!;
    throw new WharfError(
      'WHARF_ERR_DEPLOY_FAILED',
      [`${mod.name}: service \`${c.service}\` is already deployed from ${c.module}`],
      {
        status: 409,
        details: { service: c.service, module: c.module },
      },
    );
  }
}
