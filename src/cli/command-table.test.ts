import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { allKinds } from '../config/registry.js';
import { registerBuiltinKinds } from '../kinds.js';
import { COMMANDS, entryFor, OBJECT_GROUPS } from './command-table.js';

describe('command table', () => {
  it('names every object kind group, and each group description names its kinds', () => {
    registerBuiltinKinds();
    const groups = new Map<string, Set<string>>();
    for (const k of allKinds()) {
      const set = groups.get(k.cli[0]!) ?? new Set<string>();
      if (k.cli[1]) set.add(k.cli[1]);
      groups.set(k.cli[0]!, set);
    }
    expect(OBJECT_GROUPS.map((g) => g.name).sort()).toEqual([...groups.keys()].sort());
    for (const g of OBJECT_GROUPS)
      for (const sub of groups.get(g.name) ?? []) expect(g.description, g.name).toMatch(new RegExp(`\\b${sub}\\b`));
  });

  it("each entry's module registers that command", async () => {
    for (const entry of COMMANDS) {
      const program = new Command('wharf');
      await (
        await entry.load()
      )(program, [entry.name]);
      expect(
        program.commands.map((c) => c.name()),
        entry.name,
      ).toContain(entry.name);
    }
  });

  it('finds the command a line names, also after help and options', () => {
    expect(entryFor(['channel', 'http', 'list', 'ENV'])?.name).toBe('channel');
    expect(entryFor(['help', 'service'])?.name).toBe('service');
    expect(entryFor(['--help'])).toBeUndefined();
    expect(entryFor(['nosuch'])).toBeUndefined();
  });
});
