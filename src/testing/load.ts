/**
 * `loadServices(file)`: a service module loaded as a server loads a deployed one (esbuild, then the
 * module's `import ... from` Wharf resolves to this very copy of Wharf), so its classes, errors and
 * `instanceof` checks are the kit's own, whatever the package is called or where it is installed.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModule } from '../service/deploy/compile.js';
import { loadModule } from '../service/deploy/load.js';
import type { AnyServiceClass } from '../service/service.js';

/** The module's services by name: `(await loadServices('services/invoice.ts'))['invoice.dispatcher']`. */
export async function loadServices(file: string | URL): Promise<Readonly<Record<string, AnyServiceClass>>> {
  if (!(file instanceof URL) && (typeof file !== 'string' || file === ''))
    throw new TypeError('loadServices: give the path (or file: URL) of a .ts or .js service module');
  const path = file instanceof URL ? fileURLToPath(file) : resolve(file);
  const source = await readFile(path, 'utf8');
  const dir = dirname(path);
  const compiled = await compileModule(basename(path), source, dir);
  const api = (await import('../index.js')) as object;
  const out: Record<string, AnyServiceClass> = {};
  for (const cls of loadModule(compiled, { api, resolveFrom: dir })) out[cls.declaration.name] = cls;
  return Object.freeze(out);
}
