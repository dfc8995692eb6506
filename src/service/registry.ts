/**
 * The per-worker service registry: service name → deployed class with its precompiled SimpleIO.
 * Modules (one source file each) are swapped atomically: all of a module's services change at once.
 */
import { WharfError } from '../errors.js';
import { compileInput, compileOutput, type InputParser, type OutputNormaliser } from './simpleio/compile.js';
import type { AnyServiceClass, HttpVerb } from './service.js';

export interface ServiceEntry {
  readonly name: string;
  readonly cls: AnyServiceClass;
  readonly moduleName: string;
  readonly hash: string;
  readonly parseInput: InputParser;
  readonly normaliseOutput: OutputNormaliser | undefined;
  /** Verbs with their own `handle<Verb>`; empty when only `handle` exists. */
  readonly verbs: ReadonlySet<string>;
  readonly hasHandle: boolean;
}

export interface ModuleEntry {
  readonly name: string;
  readonly hash: string;
  readonly services: readonly string[];
}

const VERBS: readonly HttpVerb[] = ['Get', 'Post', 'Put', 'Patch', 'Delete', 'Head', 'Options'];

export function makeEntry(cls: AnyServiceClass, moduleName: string, hash: string): ServiceEntry {
  const decl = cls.declaration;
  const proto = cls.prototype as Record<string, unknown>;
  const verbs = new Set<string>();
  for (const v of VERBS) if (typeof proto[`handle${v}`] === 'function') verbs.add(v.toUpperCase());
  const hasHandle = typeof proto['handle'] === 'function';
  if (!hasHandle && verbs.size === 0) {
    throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [
      `service \`${decl.name}\` has no handle() nor handle<Verb>() method`,
    ]);
  }
  return {
    name: decl.name,
    cls,
    moduleName,
    hash,
    parseInput: compileInput(decl.input),
    normaliseOutput: compileOutput(decl.output, decl.name),
    verbs,
    hasHandle,
  };
}

export class ServiceRegistry {
  private services = new Map<string, ServiceEntry>();
  private modules = new Map<string, ModuleEntry>();

  get(name: string): ServiceEntry | undefined {
    return this.services.get(name);
  }

  has(name: string): boolean {
    return this.services.has(name);
  }

  list(): ServiceEntry[] {
    return [...this.services.values()];
  }

  listModules(): ModuleEntry[] {
    return [...this.modules.values()];
  }

  getModule(name: string): ModuleEntry | undefined {
    return this.modules.get(name);
  }

  /** Names that `entries` would take from another module: a deploy with any of these is refused. */
  conflicts(moduleName: string, names: readonly string[]): Array<{ service: string; module: string }> {
    const out: Array<{ service: string; module: string }> = [];
    for (const n of names) {
      const e = this.services.get(n);
      if (e && e.moduleName !== moduleName) out.push({ service: n, module: e.moduleName });
    }
    return out;
  }

  /** Replaces all services of a module at once. */
  swapModule(moduleName: string, hash: string, entries: readonly ServiceEntry[]): void {
    const old = this.modules.get(moduleName);
    if (old) for (const s of old.services) this.services.delete(s);
    for (const e of entries) this.services.set(e.name, e);
    this.modules.set(moduleName, { name: moduleName, hash, services: entries.map((e) => e.name) });
  }

  removeModule(moduleName: string): void {
    const old = this.modules.get(moduleName);
    if (!old) return;
    for (const s of old.services) this.services.delete(s);
    this.modules.delete(moduleName);
  }
}
