/**
 * Loads a compiled module as CommonJS in this context with `vm.Script`. Unlike `import()`, whose
 * module cache keeps every version forever, a replaced module here is garbage once no request
 * uses its classes (see bench/redeploy-rss for the measurement). `import ... from 'wharf-esb'` (or the
 * legacy `'wharf'`) inside a service resolves to this very runtime, so `instanceof Service` holds.
 */
import { createRequire, SourceMap } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import { WharfError } from '../../errors.js';
import { isServiceClass, type AnyServiceClass } from '../service.js';
import { displayName, type CompiledModule } from './compile.js';

export interface LoadOptions {
  /** The module object `wharf-esb` (and the legacy `wharf`) resolves to (the public API). */
  api: object;
  /** Directory bare package imports resolve from. */
  resolveFrom: string;
  /** How long the module's top level may run (default: `setModuleLoadDefaults`, else 5 s). */
  timeoutMs?: number | undefined;
}

const loadDefaults: { timeoutMs: number; watch: ((loadingMs: number) => void) | undefined } = {
  timeoutMs: 5000,
  watch: undefined,
};

/**
 * The server's load time limit (server.yaml `moduleLoadTimeoutMs`) for every load that does not
 * pass one, and a hook told before (`ms` > 0) and after (0) each module's top level runs, so the
 * worker's event-loop watchdog knows the loop is busy on purpose for up to that long.
 */
export function setModuleLoadDefaults(o: { timeoutMs?: number; watch?: (loadingMs: number) => void }): void {
  if (o.timeoutMs !== undefined) loadDefaults.timeoutMs = o.timeoutMs;
  if (o.watch !== undefined) loadDefaults.watch = o.watch;
}

/** The package name, and the name it had before (services written for it keep deploying). */
const API_SPECIFIERS = new Set(['wharf-esb', 'wharf']);

/** The args the timed load script reads (set just before it runs, cleared after). */
const LOAD_ARGS = Symbol.for('wharf.loadArgs');

/** Source maps (and resolve dirs) of the loaded version of each module, for original lines in logged stacks. */
const sourceMaps = new Map<string, { sm: SourceMap; dir: string }>();

function toSourceMap(mod: CompiledModule): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(mod.map) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    return undefined;
  }
}

interface Position {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

/** The original position (the module itself or a file it bundled) of a generated line/column. */
function originalAt(
  name: string,
  entry: { sm: SourceMap; dir: string } | undefined,
  line: number,
  column: number,
): Position {
  const e = entry?.sm.findEntry(line - 1, column - 1) as
    { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
  if (e?.originalLine === undefined) return { file: name, line, column };
  const file = e.originalSource ? displayName(e.originalSource, entry!.dir) : name;
  const pos: Position = { file, line: e.originalLine + 1, column: (e.originalColumn ?? 0) + 1 };
  const payload = entry!.sm.payload as { sources?: string[]; sourcesContent?: Array<string | null> };
  const idx = payload.sources?.indexOf(e.originalSource ?? '') ?? -1;
  const text = idx >= 0 ? payload.sourcesContent?.[idx] : undefined;
  const lineText = text?.split('\n')[e.originalLine];
  if (lineText !== undefined) pos.lineText = lineText.replace(/\r$/, '');
  return pos;
}

/** `file:line:column` in the original sources: the module itself or a file it bundled. */
function mapPosition(
  name: string,
  entry: { sm: SourceMap; dir: string } | undefined,
  line: number,
  column: number,
): string {
  const p = originalAt(name, entry, line, column);
  return `${p.file}:${p.line}:${p.column}`;
}

function mapEntry(mod: CompiledModule): { sm: SourceMap; dir: string } | undefined {
  const sm = toSourceMap(mod);
  return sm && { sm, dir: mod.resolveDir };
}

/** Rewrites `wharf-service:file.ts:L:C` frames of a stack to the original source lines. */
export function mapServiceStack(stack: string): string {
  return stack.replace(/wharf-service:([^:\s()]+):(\d+):(\d+)/g, (_m, name: string, l: string, c: string) =>
    mapPosition(name, sourceMaps.get(name), Number(l), Number(c)),
  );
}

function loadError(mod: CompiledModule, e: unknown, filename: string): WharfError {
  const msg = e instanceof Error ? e.message : String(e);
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const m = new RegExp(`${filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`).exec(stack);
  const pos = m ? originalAt(mod.name, mapEntry(mod), Number(m[1]), Number(m[2])) : undefined;
  const where = pos ? `${pos.file}:${pos.line}:${pos.column}` : mod.name;
  return new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${where}: ${msg}`], {
    cause: e,
    details: {
      file: pos?.file ?? mod.name,
      line: pos?.line,
      column: pos?.column,
      message: msg,
      lineText: pos?.lineText,
      at: where,
    },
  });
}

export function loadModule(mod: CompiledModule, opts: LoadOptions): AnyServiceClass[] {
  const filename = `wharf-service:${mod.name}`;
  const baseRequire = createRequire(join(opts.resolveFrom, 'noop.js'));
  const req = (id: string): unknown => (API_SPECIFIERS.has(id) ? opts.api : baseRequire(id));
  const timeoutMs = opts.timeoutMs ?? loadDefaults.timeoutMs;
  let script: vm.Script;
  try {
    // The wrapper stays on line 1 so generated line numbers match the compiled code. The wrapper's
    // call is part of the script, so the time limit covers the module's top level, not only the compile.
    script = new vm.Script(
      `(function (exports, require, module, __filename, __dirname) {${mod.code}\n}).apply(undefined, globalThis[Symbol.for('wharf.loadArgs')])`,
      { filename },
    );
  } catch (e) {
    throw loadError(mod, e, filename);
  }
  const module = { exports: {} as Record<string, unknown> };
  const g = globalThis as unknown as Record<symbol, unknown>;
  g[LOAD_ARGS] = [module.exports, req, module, filename, opts.resolveFrom];
  loadDefaults.watch?.(timeoutMs);
  try {
    script.runInThisContext({ timeout: timeoutMs });
  } catch (e) {
    if ((e as NodeJS.ErrnoException | undefined)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      const message = `did not finish loading within ${timeoutMs} ms (a loop at the top level?)`;
      throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${mod.name}: ${message}`], {
        cause: e,
        details: { file: mod.name, message, timeoutMs },
      });
    }
    throw loadError(mod, e, filename);
  } finally {
    delete g[LOAD_ARGS];
    loadDefaults.watch?.(0);
  }
  const found: AnyServiceClass[] = [];
  for (const v of Object.values(module.exports)) if (isServiceClass(v) && !found.includes(v)) found.push(v);
  if (found.length === 0) {
    const message = 'exports no service class (export class X extends service({ name, ... }))';
    throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${mod.name}: ${message}`], {
      details: { file: mod.name, message },
    });
  }
  const entry = mapEntry(mod);
  if (entry) sourceMaps.set(mod.name, entry);
  const names = new Set<string>();
  for (const c of found) {
    const n = c.declaration.name;
    if (names.has(n))
      throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${mod.name}: service name \`${n}\` is declared twice`], {
        details: { file: mod.name, message: `service name \`${n}\` is declared twice` },
      });
    names.add(n);
  }
  return found;
}
