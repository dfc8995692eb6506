/**
 * CRUD commands for every object kind, generated from the kind registry: the words come from the
 * kind (`wharf channel http create ENV --name x --url-path /x --service s`), the options from its
 * fields (camelCase → --kebab-case, with their help text), values typed by the field's schema.
 */
import type { Command } from 'commander';
import { describeKinds, type FieldInfo } from '../../admin/kinds-info.js';
import type { ObjectKind } from '../../config/kind.js';
import { allKinds } from '../../config/registry.js';
import { AdminApiError, AdminClient, enc } from '../client.js';
import { openEnv } from '../env.js';
import { CliError, EXIT } from '../exit.js';
import { asOptionProblem } from '../messages.js';
import { print, printTable } from '../output.js';

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

function jsonObject(text: string, what: string): Record<string, unknown> {
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

function addKindCommands(parent: Command, kind: ObjectKind, actions: string[]): void {
  const id = kind.id;
  addFieldOptions(
    parent.command('create').description(`Create a ${kind.title}`).argument('<env>', 'environment directory'),
    kind,
    false,
  ).action(async (env: string, opts: Record<string, unknown>) => {
    const data = dataFromOptions(kind, opts, false);
    const r = await withOptionWords(kind, typeof data['name'] === 'string' ? data['name'] : undefined, () =>
      new AdminClient(openEnv(env)).call<{ created: string; version: number; warnings?: Array<{ message: string }> }>(
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
      new AdminClient(openEnv(env)).call<{ edited: string; version: number; warnings?: Array<{ message: string }> }>(
        'PATCH',
        `/wharf/admin/config/${id}/${enc(name)}`,
        data,
      ),
    );
    print(`${kind.title} \`${r.edited}\` edited (config version ${r.version})`);
    for (const w of r.warnings ?? []) process.stderr.write(`wharf: warning: ${w.message}\n`);
  });
  parent
    .command('delete')
    .description(`Delete a ${kind.title}`)
    .argument('<env>')
    .argument('<name>')
    .action(async (env: string, name: string) => {
      const r = await new AdminClient(openEnv(env)).call<{ version: number }>(
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
      const r = await new AdminClient(openEnv(env)).call<{ data: Record<string, unknown> }>(
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
      const r = await new AdminClient(openEnv(env)).call<{
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
      const cols = fieldsOf(kind)
        .filter((f) => !['record', 'object', 'unknown'].includes(f.type) && !f.secret)
        .slice(0, 6)
        .map((f) => f.name);
      printTable(
        cols,
        r.items.map((i) => cols.map((c) => i.data[c])),
      );
    });
  for (const action of actions) {
    parent
      .command(action)
      .description(`Run \`${action}\` on a ${kind.title}`)
      .argument('<env>')
      .argument('<name>')
      .option('--json <object>', 'arguments as JSON')
      .action(async (env: string, name: string, opts: { json?: string }) => {
        const r = await new AdminClient(openEnv(env)).call<{ result: unknown }>(
          'POST',
          `/wharf/admin/config/${id}/${enc(name)}/actions/${action}`,
          opts.json ? jsonObject(opts.json, '--json') : {},
        );
        print(JSON.stringify(r.result, null, 2));
      });
  }
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
  const info = describeKinds(allKinds());
  // Groups (`channel`, `outgoing`) say what they hold; the table's wording wins once main.ts applies it.
  for (const kind of allKinds()) {
    const actions = info.find((k) => k.id === kind.id)?.actions ?? [];
    const cmd = node(kind.cli);
    cmd.description(`${kind.title}s (enmasse key ${kind.id})`);
    addKindCommands(cmd, kind, actions);
    if (kind.cliDefault && kind.cli.length > 1) addKindCommands(node(kind.cli.slice(0, -1)), kind, actions);
  }
}

/** registerObjectCommands after registering the built-in kinds' declarations (not their connectors). */
export async function registerObjectCommandsWithKinds(program: Command): Promise<void> {
  const { registerBuiltinKinds } = await import('../../kinds.js');
  registerBuiltinKinds();
  registerObjectCommands(program);
}
