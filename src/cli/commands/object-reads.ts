/**
 * The object verbs that need no kind declaration: `list`, `get`, `delete` and the kind's actions
 * (`wharf job execute ENV NAME`). They ask the admin API and print, knowing the kind from the static
 * table (src/cli/kind-table.ts), so `wharf channel http list ENV` loads neither zod nor src/kinds.ts.
 * registerObjectReads registers only the command line's kind when the line names one of these verbs.
 */
import type { Command } from 'commander';
import { AdminClient, enc } from '../client.js';
import { CliError, EXIT } from '../exit.js';
import { KIND_TABLE, READ_VERBS, type KindEntry } from '../kind-table.js';
import { print, printTable } from '../output.js';

export function jsonObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, EXIT.USAGE);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new CliError(`${what}: expected a JSON object ({...})`, EXIT.USAGE);
  return v as Record<string, unknown>;
}

/** `delete`, `get`, `list` and the actions of one kind, under `parent` (its command node). */
export function addReadCommands(parent: Command, kind: KindEntry): void {
  const id = kind.id;
  parent
    .command('delete')
    .description(`Delete a ${kind.title}`)
    .argument('<env>')
    .argument('<name>')
    .action(async (env: string, name: string) => {
      const r = await new AdminClient(env).call<{ version: number }>(
        'DELETE',
        `/wharf/admin/config/${id}/${enc(name)}`,
      );
      print(`${kind.title} \`${name}\` deleted (config version ${r.version})`);
    });
  parent
    .command('get')
    .description(`Show a ${kind.title} (secrets masked)`)
    .argument('<env>')
    .argument('<name>')
    .action(async (env: string, name: string) => {
      const r = await new AdminClient(env).call<{ data: Record<string, unknown> }>(
        'GET',
        `/wharf/admin/config/${id}/${enc(name)}`,
      );
      print(JSON.stringify(r.data, null, 2));
    });
  parent
    .command('list')
    .description(`List ${kind.title}s`)
    .argument('<env>')
    .option('--json', 'print JSON')
    .action(async (env: string, opts: { json?: boolean }) => {
      const r = await new AdminClient(env).call<{
        items: Array<{ name: string; data: Record<string, unknown> }>;
      }>('GET', `/wharf/admin/config/${id}`);
      if (opts.json)
        return print(
          JSON.stringify(
            r.items.map((i) => i.data),
            null,
            2,
          ),
        );
      printTable(
        [...kind.columns],
        r.items.map((i) => kind.columns.map((c) => i.data[c])),
      );
    });
  for (const action of kind.actions) {
    parent
      .command(action)
      .description(`Run \`${action}\` on a ${kind.title}`)
      .argument('<env>')
      .argument('<name>')
      .option('--json <object>', 'arguments as JSON')
      .action(async (env: string, name: string, opts: { json?: string }) => {
        const r = await new AdminClient(env).call<{ result: unknown }>(
          'POST',
          `/wharf/admin/config/${id}/${enc(name)}/actions/${action}`,
          opts.json ? jsonObject(opts.json, '--json') : {},
        );
        print(JSON.stringify(r.result, null, 2));
      });
  }
}

const startsWith = (words: readonly string[], prefix: readonly string[]): boolean =>
  prefix.every((w, i) => words[i] === w);

/**
 * The kind and the words of its command node when the command line (after `wharf`) runs a read verb
 * of it (`channel http list ENV`, `channel list ENV`, `job execute ENV NAME`); undefined for
 * anything else (create, edit, --help, a group alone, a typo), which registers from the declarations.
 */
export function readCommandOf(args: readonly string[]): { kind: KindEntry; words: readonly string[] } | undefined {
  if (args.some((a) => a === '--help' || a === '-h')) return undefined;
  const words = args.filter((a) => !a.startsWith('-'));
  const isRead = (kind: KindEntry, verb: string | undefined): boolean =>
    verb !== undefined && (READ_VERBS.includes(verb) || kind.actions.includes(verb));
  for (const kind of KIND_TABLE)
    if (startsWith(words, kind.cli) && isRead(kind, words[kind.cli.length])) return { kind, words: kind.cli };
  for (const kind of KIND_TABLE) {
    const short = kind.cli.slice(0, -1);
    if (kind.cliDefault && short.length > 0 && startsWith(words, short) && isRead(kind, words[short.length]))
      return { kind, words: short };
  }
  return undefined;
}

/** Registers the one read command the line names; false when it names none (register from the declarations). */
export function registerObjectReads(program: Command, args: readonly string[]): boolean {
  const found = readCommandOf(args);
  if (!found) return false;
  let node = program;
  for (const w of found.words) node = node.command(w);
  addReadCommands(node, found.kind);
  return true;
}

/** The object commands of a command line: a read verb alone, else everything from the declarations (src/cli/commands/objects.ts). */
export async function registerObjectCommandsFor(program: Command, args: readonly string[]): Promise<void> {
  if (registerObjectReads(program, args)) return;
  await (await import('./objects.js')).registerObjectCommandsWithKinds(program);
}
