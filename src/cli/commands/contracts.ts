/**
 * `wharf openapi ENV [--channel NAME] [--base URL] [-o FILE]` and
 * `wharf wsdl ENV --channel NAME [--base URL] [-o FILE]`: the contracts the admin API generates
 * from the channels and the services' SimpleIO declarations, printed or written to a file.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AdminApiError, AdminClient, enc, type ApiError } from '../client.js';
import { credentials, openEnv, type Env } from '../env.js';
import { CliError, EXIT } from '../exit.js';
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

/** GET of a non-JSON admin document (the WSDL) with the CLI's credentials; errors as AdminClient's. */
async function fetchText(env: Env, path: string): Promise<string> {
  const client = new AdminClient(env);
  const c = credentials(env);
  let res: Response;
  try {
    res = await fetch(`${client.base}${path}`, {
      headers: { authorization: `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}` },
      signal: AbortSignal.timeout(120_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e instanceof Error ? e.message : String(e));
    throw new CliError(
      `cannot reach the server's admin API at ${client.base} (${cause}); is it running? (wharf start ENV)`,
      EXIT.UNREACHABLE,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let err: ApiError = { code: 'WHARF_ERR_INTERNAL', message: `HTTP ${res.status}` };
    try {
      err = (JSON.parse(text) as { error?: ApiError }).error ?? err;
    } catch {
      /* not JSON: keep the status line */
    }
    throw new AdminApiError(res.status, err);
  }
  return text;
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
      const doc = await new AdminClient(openEnv(env)).call<unknown>('GET', `/wharf/admin/openapi.json${query(opts)}`);
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
      emit(await fetchText(openEnv(env), `/wharf/admin/wsdl${query(opts)}`), opts.output, 'WSDL');
    });
}
