import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { helpWithVerbsBelow } from './help.js';

function helpOf(program: Command, path: string[]): string {
  let cmd = program;
  for (const w of path) cmd = cmd.commands.find((c) => c.name() === w)!;
  let out = '';
  cmd.configureOutput({ writeOut: (s) => (out += s) });
  cmd.outputHelp();
  return out;
}

describe('subcommand help', () => {
  it('lists the verbs with their arguments and options, and nested verbs in one line', () => {
    const program = new Command('wharf');
    const channel = program.command('channel').description('Channels: http');
    const http = channel.command('http').description('HTTP channels');
    http
      .command('create')
      .description('Create a HTTP channel')
      .argument('<env>')
      .option('--name <value>', 'Unique name; required')
      .option('--url-path <value>', 'URL path');
    http.command('delete').description('Delete a HTTP channel').argument('<env>').argument('<name>');
    helpWithVerbsBelow(program);
    const text = helpOf(program, ['channel', 'http']);
    expect(text).toMatch(
      /create <env>\n\s+Create a HTTP channel\n\s+--name <value>\s+Unique name; required\n\s+--url-path <value>\s+URL path/,
    );
    expect(text).toMatch(/delete <env> <name>\n\s+Delete a HTTP channel/);
    expect(text).not.toMatch(/http commands|help \[command\]/);
    expect(helpOf(program, ['channel'])).toMatch(/http create\|delete \.\.\.\n\s+HTTP channels/);
  });
});
