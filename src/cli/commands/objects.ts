/**
 * CRUD commands for every object kind, generated from the kind registry: the words come from the
 * kind (`wharf channel http create ENV --name x --url-path /x --service s`), the options from its
 * fields (camelCase → --kebab-case, with their help text), values typed by the field's schema.
 */
import type { Command } from 'commander';
import { describeKinds, type FieldInfo } from '../../admin/kinds-info.js';
import type { ObjectKind } from '../../config/kind.js';
import { allKinds, getKind } from '../../config/registry.js';
import { AdminApiError, AdminClient, enc } from '../client.js';
import { CliError, EXIT } from '../exit.js';
import type { KindEntry } from '../kind-table.js';
import { asOptionProblem } from '../messages.js';
import { print } from '../output.js';
import { addReadCommands, jsonObject } from './object-reads.js';

const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const camel = (s: string): string => s.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Turns a CLI string into the field's type: numbers, booleans, lists, JSON for records. */
export function coerceOption(field: FieldInfo, raw: unknown): unknown {
  const values = Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const one = values[values.length - 1]!;
  if (field.type === 'number') {
    const n = Number(one);
    if (one.trim() === '' || !Number.isFinite(n))
      throw new CliError(`--${kebab(field.name)}: \`${one}\` is not a number`, EXIT.USAGE);
    return n;
  }
  if (field.type === 'boolean') {
    if (/^(true|yes|1|on)$/i.test(one)) return true;
    if (/^(false|no|0|off)$/i.test(one)) return false;
    throw new CliError(`--${kebab(field.name)}: \`${one}\` is not true/false`, EXIT.USAGE);
  }
  if (field.type.startsWith('array')) {
    if (values.length === 1 && one.trim().startsWith('[')) return parseJson(field, one);
    return values
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  }
  if (field.type === 'record' || field.type === 'object') return parseJson(field, one);
  if (['string', 'enum', 'literal'].includes(field.type)) return one;
  // JSON-valued fields (unknown, lazy, unions): JSON when it parses, else the text itself
  try {
    return JSON.parse(one) as unknown;
  } catch {
    return one;
  }
}

function parseJson(field: FieldInfo, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `--${kebab(field.name)}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      EXIT.USAGE,
    );
  }
}

function fieldsOf(kind: ObjectKind): FieldInfo[] {
  return describeKinds([kind])[0]!.fields;
}

function collect(value: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), value];
}

function dataFromOptions(kind: ObjectKind, opts: Record<string, unknown>, forEdit: boolean): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (typeof opts['json'] === 'string') Object.assign(data, jsonObject(opts['json'], '--json'));
  for (const f of fieldsOf(kind)) {
    const raw = opts[camel(kebab(f.name))];
    if (raw === undefined) continue;
    data[f.name] = coerceOption(f, raw);
  }
  if (forEdit && typeof opts['newName'] === 'string') data['name'] = opts['newName'];
  return data;
}

/** A refused create/edit in the words of the CLI: the options to fix (`--name is required`). */
async function withOptionWords<T>(kind: ObjectKind, name: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const problems = e instanceof AdminApiError ? e.error.details?.['problems'] : undefined;
    if (!(e instanceof AdminApiError) || !Array.isArray(problems) || problems.length === 0) throw e;
    const fields = fieldsOf(kind).map((f) => f.name);
    const words = problems.map((p) => asOptionProblem(String(p), fields));
    throw new CliError(`${kind.title}${name ? ` \`${name}\`` : ''} refused: ${words.join('; ')}`, e.exitCode);
  }
}

function addFieldOptions(cmd: Command, kind: ObjectKind, forEdit: boolean): Command {
  for (const f of fieldsOf(kind)) {
    if (forEdit && f.name === 'name') continue;
    const flag = `--${kebab(f.name)} <${f.type.startsWith('array') ? 'value...' : 'value'}>`;
    const parts = [f.description ?? f.name];
    if (f.values) parts.push(`one of ${f.values.join('|')}`);
    if (f.default !== undefined && !forEdit) parts.push(`default ${JSON.stringify(f.default)}`);
    if (f.required && !forEdit) parts.push('required');
    if (f.secret) parts.push('secret');
    if (f.ref) parts.push(`names ${/^[aeiou]/.test(f.ref) ? 'an' : 'a'} ${f.ref}`);
    if (f.type.startsWith('array')) cmd.option(flag, parts.join('; '), collect);
    else cmd.option(flag, parts.join('; '));
  }
  cmd.option('--json <object>', 'all fields as one JSON object (options override it)');
  if (forEdit) cmd.option('--new-name <name>', 'rename the object');
  return cmd;
}

function addKindCommands(parent: Command, kind: ObjectKind, entry: KindEntry): void {
  const id = kind.id;
  addFieldOptions(
    parent.command('create').description(`Create a ${kind.title}`).argument('<env>', 'environment directory'),
    kind,
    false,
  ).action(async (env: string, opts: Record<string, unknown>) => {
    const data = dataFromOptions(kind, opts, false);
    const r = await withOptionWords(kind, typeof data['name'] === 'string' ? data['name'] : undefined, () =>
      new AdminClient(env).call<{ created: string; version: number; warnings?: Array<{ message: string }> }>(
        'POST',
        `/wharf/admin/config/${id}`,
        data,
      ),
    );
    print(`${kind.title} \`${r.created}\` created (config version ${r.version})`);
    for (const w of r.warnings ?? []) process.stderr.write(`wharf: warning: ${w.message}\n`);
  });
  addFieldOptions(
    parent
      .command('edit')
      .description(`Edit a ${kind.title} (only the given fields change; live, no restart)`)
      .argument('<env>')
      .argument('<name>'),
    kind,
    true,
  ).action(async (env: string, name: string, opts: Record<string, unknown>) => {
    const data = dataFromOptions(kind, opts, true);
    const r = await withOptionWords(kind, name, () =>
      new AdminClient(env).call<{ edited: string; version: number; warnings?: Array<{ message: string }> }>(
        'PATCH',
        `/wharf/admin/config/${id}/${enc(name)}`,
        data,
      ),
    );
    print(`${kind.title} \`${r.edited}\` edited (config version ${r.version})`);
    for (const w of r.warnings ?? []) process.stderr.write(`wharf: warning: ${w.message}\n`);
  });
  addReadCommands(parent, entry);
}

/** Builds `wharf <words...> create|edit|delete|get|list|<action>` for every kind. */
export function registerObjectCommands(program: Command): void {
  const nodes = new Map<string, Command>();
  const node = (words: readonly string[]): Command => {
    let parent = program;
    for (let i = 0; i < words.length; i++) {
      const k = words.slice(0, i + 1).join(' ');
      let c = nodes.get(k);
      if (!c) {
        c = parent.command(words[i]!).description(`${words.slice(0, i + 1).join(' ')} commands`);
        nodes.set(k, c);
      }
      parent = c;
    }
    return parent;
  };
  // Groups (`channel`, `outgoing`) say what they hold; the table's wording wins once main.ts applies it.
  for (const entry of kindEntries(allKinds())) {
    const kind = getKind(entry.id);
    const cmd = node(kind.cli);
    cmd.description(`${kind.title}s (enmasse key ${kind.id})`);
    addKindCommands(cmd, kind, entry);
    if (kind.cliDefault && kind.cli.length > 1) addKindCommands(node(kind.cli.slice(0, -1)), kind, entry);
  }
}

/**
 * What src/cli/kind-table.ts holds of each kind, derived from the declarations (the object commands
 * registered from them use it; the table's test compares the two).
 */
export function kindEntries(kinds: readonly ObjectKind[]): KindEntry[] {
  const info = describeKinds([...kinds]);
  return kinds.map((kind) => {
    const i = info.find((k) => k.id === kind.id);
    const columns = (i?.fields ?? [])
      .filter((f) => !['record', 'object', 'unknown'].includes(f.type) && !f.secret)
      .slice(0, 6)
      .map((f) => f.name);
    return {
      id: kind.id,
      cli: kind.cli,
      ...(kind.cliDefault ? { cliDefault: true } : {}),
      title: kind.title,
      actions: i?.actions ?? [],
      columns,
    };
  });
}

/** registerObjectCommands after registering the built-in kinds' declarations (not their connectors). */
export async function registerObjectCommandsWithKinds(program: Command): Promise<void> {
  const { registerBuiltinKinds } = await import('../../kinds.js');
  registerBuiltinKinds();
  registerObjectCommands(program);
}
