/**
 * `wharf SUBCOMMAND --help` for commands that hold verbs (`wharf channel --help`, `wharf channel http
 * --help`, `wharf service --help`): every verb with its arguments and options, instead of a bare list
 * of names. A verb that holds verbs of its own (`channel` → `http`) is one line naming them.
 */
import type { Command, Help } from 'commander';

const visible = (cmd: Command): Command[] => cmd.commands.filter((c) => c.name() !== 'help');

function verbLines(parent: Command, helper: Help): string[] {
  const lines: string[] = [];
  for (const verb of visible(parent)) {
    const inner = visible(verb);
    const description = verb.description();
    if (inner.length > 0) {
      lines.push(`  ${verb.name()} ${inner.map((c) => c.name()).join('|')} ...`);
      if (description) lines.push(`      ${description}`);
      continue;
    }
    const args = verb.registeredArguments.map((a) => {
      const name = `${a.name()}${a.variadic ? '...' : ''}`;
      return a.required ? `<${name}>` : `[${name}]`;
    });
    lines.push(`  ${[verb.name(), ...args].join(' ')}`);
    if (description) lines.push(`      ${description}`);
    const options = helper.visibleOptions(verb).filter((o) => o.long !== '--help');
    const width = Math.max(0, ...options.map((o) => helper.optionTerm(o).length));
    for (const o of options) {
      const text = helper.optionDescription(o);
      lines.push(`      ${helper.optionTerm(o).padEnd(width)}${text ? `  ${text}` : ''}`);
    }
  }
  return lines;
}

/** Makes `cmd --help` list its verbs with their arguments and options (instead of only their names). */
export function helpWithVerbs(cmd: Command): Command {
  cmd.configureHelp({ visibleCommands: () => [] });
  cmd.addHelpText('after', () => {
    const lines = verbLines(cmd, cmd.createHelp());
    if (lines.length === 0) return '';
    return `\nCommands (wharf ${path(cmd)} VERB ...; \`--help\` after a verb for its own page):\n${lines.join('\n')}\n`;
  });
  return cmd;
}

/** `channel http` for the command `wharf channel http`. */
function path(cmd: Command): string {
  const words: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}

/** helpWithVerbs on every command below `root` that holds verbs (run once, after registration). */
export function helpWithVerbsBelow(root: Command): void {
  for (const c of visible(root)) {
    if (visible(c).length > 0) {
      helpWithVerbs(c);
      helpWithVerbsBelow(c);
    }
  }
}
