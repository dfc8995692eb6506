import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { allKinds } from '../config/registry.js';
import { registerBuiltinKinds } from '../kinds.js';
import { kindEntries, registerObjectCommandsWithKinds } from './commands/objects.js';
import { readCommandOf, registerObjectReads } from './commands/object-reads.js';
import { KIND_TABLE } from './kind-table.js';

/** A command's shape as `--help` and the parser see it: name, description, arguments, options, verbs. */
function shape(cmd: Command): unknown {
  return {
    name: cmd.name(),
    description: cmd.description(),
    args: cmd.registeredArguments.map((a) => `${a.name()}${a.required ? '!' : '?'}`),
    options: cmd.options.map((o) => `${o.flags} ${o.description}`),
  };
}

function find(program: Command, words: readonly string[]): Command | undefined {
  let c: Command | undefined = program;
  for (const w of words) c = c?.commands.find((x) => x.name() === w);
  return c;
}

describe('the static kind table (src/cli/kind-table.ts)', () => {
  it('matches the kind declarations (paste the printed entries when a kind changes)', () => {
    registerBuiltinKinds();
    const derived = kindEntries(allKinds());
    expect(KIND_TABLE, `src/cli/kind-table.ts should read:\n${JSON.stringify(derived, null, 2)}`).toEqual(derived);
  });

  it('registers, for a read verb, the same command the declarations register', async () => {
    registerBuiltinKinds();
    const lines = KIND_TABLE.flatMap((k) => [
      ...['list', 'get', 'delete', ...k.actions].map((v) => [...k.cli, v]),
      ...(k.cliDefault ? [[...k.cli.slice(0, -1), 'list']] : []),
    ]);
    for (const words of lines) {
      const light = new Command('wharf');
      expect(registerObjectReads(light, [...words, 'ENV']), words.join(' ')).toBe(true);
      const full = new Command('wharf');
      await registerObjectCommandsWithKinds(full);
      const verb = find(full, words);
      expect(verb, words.join(' ')).toBeDefined();
      expect(shape(find(light, words)!), words.join(' ')).toEqual(shape(verb!));
    }
  });

  it('leaves create, edit, help and unknown verbs to the declarations', () => {
    expect(readCommandOf(['channel', 'http', 'list', '/env'])?.kind.id).toBe('channels.http');
    expect(readCommandOf(['channel', 'list', '/env'])).toMatchObject({
      kind: { id: 'channels.http' },
      words: ['channel'],
    });
    expect(readCommandOf(['channel', 'amqp', 'get', '/env', 'x'])?.kind.id).toBe('channels.amqp');
    expect(readCommandOf(['job', 'execute', '/env', 'nightly', '--json', '{}'])?.kind.id).toBe('scheduler.jobs');
    expect(readCommandOf(['channel', 'http', 'list', '--json', '/env'])?.kind.id).toBe('channels.http');
    for (const line of [
      ['channel', 'http', 'create', '/env'],
      ['channel', 'edit', '/env', 'x'],
      ['channel', 'http', 'list', '--help'],
      ['channel', 'http', '-h'],
      ['channel', 'http'],
      ['channel', 'http', 'lst', '/env'],
      ['outgoing', 'execute', '/env', 'x'],
    ])
      expect(readCommandOf(line), line.join(' ')).toBeUndefined();
  });
});
