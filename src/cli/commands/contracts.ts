/**
 * `wharf openapi ENV [--channel NAME] [--base URL] [-o FILE]` and
 * `wharf wsdl ENV --channel NAME [--base URL] [-o FILE]`: the contracts the admin API generates
 * from the channels and the services' SimpleIO declarations, printed or written to a file.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AdminClient, enc } from '../client.js';
import { CliError } from '../exit.js';
import { print } from '../output.js';

interface ContractOptions {
  channel?: string;
  base?: string;
  output?: string;
}

function query(opts: ContractOptions): string {
  const q = [
    opts.channel !== undefined ? `channel=${enc(opts.channel)}` : '',
    opts.base !== undefined ? `base=${enc(opts.base)}` : '',
  ]
    .filter(Boolean)
    .join('&');
  return q ? `?${q}` : '';
}

function emit(text: string, file: string | undefined, what: string): void {
  if (!file) return print(text.replace(/\n$/, ''));
  try {
    writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
  } catch (e) {
    throw new CliError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.stderr.write(`${what} written to ${file}\n`);
}

export function registerContractCommands(program: Command): void {
  program
    .command('openapi')
    .description(
      "OpenAPI 3.1 of the HTTP channels (or one), generated from the channels and the services' SimpleIO declarations",
    )
    .argument('<env>')
    .option('--channel <name>', 'only this channel')
    .option('--base <url>', "base URL clients use (default: the server's address)")
    .option('-o, --output <file>', 'write to this file instead of printing')
    .action(async (env: string, opts: ContractOptions) => {
      const doc = await new AdminClient(env).call<unknown>('GET', `/wharf/admin/openapi.json${query(opts)}`);
      emit(`${JSON.stringify(doc, null, 2)}\n`, opts.output, 'OpenAPI document');
    });
  program
    .command('wsdl')
    .description('WSDL 1.1 (document/literal wrapped, with the XSD of the input and output) of a SOAP channel')
    .argument('<env>')
    .requiredOption('--channel <name>', 'the SOAP channel')
    .option('--base <url>', "base URL clients use in soap:address (default: the server's address)")
    .option('-o, --output <file>', 'write to this file instead of printing')
    .action(async (env: string, opts: ContractOptions) => {
      emit(await new AdminClient(env).text('GET', `/wharf/admin/wsdl${query(opts)}`), opts.output, 'WSDL');
    });
}
