/** A worker's in-memory view of the config: every object by kind and name, secrets decrypted. */
import type { ConfigObject } from './kind.js';

export class ConfigSnapshot {
  private byKind = new Map<string, Map<string, ConfigObject>>();
  private listeners = new Set<(kindId: string, name: string) => void>();

  get(kindId: string, name: string): ConfigObject | undefined {
    return this.byKind.get(kindId)?.get(name);
  }

  list(kindId: string): ConfigObject[] {
    return [...(this.byKind.get(kindId)?.values() ?? [])];
  }

  set(kindId: string, obj: ConfigObject): void {
    let m = this.byKind.get(kindId);
    if (!m) {
      m = new Map();
      this.byKind.set(kindId, m);
    }
    m.set(obj.name, obj);
    for (const l of this.listeners) l(kindId, obj.name);
  }

  delete(kindId: string, name: string): void {
    if (this.byKind.get(kindId)?.delete(name)) for (const l of this.listeners) l(kindId, name);
  }

  onChange(l: (kindId: string, name: string) => void): void {
    this.listeners.add(l);
  }
}
