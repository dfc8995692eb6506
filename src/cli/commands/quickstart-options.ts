/**
 * The quickstart's cluster arguments: positional (as the reference: PATH ODB_TYPE ODB_HOST ODB_PORT
 * ODB_USER ODB_DB KVDB_HOST KVDB_PORT) or options, defaults, and the passwords: the option, else
 * WHARF_ODB_PASSWORD / WHARF_KVDB_PASSWORD, else asked twice without echo on a terminal (empty = none).
 */
import { port } from '../args.js';
import { CliError, EXIT } from '../exit.js';

export { port };
import { normalizeOdbType, type ClusterQuickstartOptions } from './quickstart-cluster.js';

export interface QuickstartCliOptions {
  clusterName?: string;
  port?: number;
  workers?: number;
  odbType?: string;
  odbHost?: string;
  odbPort?: number;
  odbUser?: string;
  odbDb?: string;
  odbPassword?: string;
  kvdbHost?: string;
  kvdbPort?: number;
  kvdbPassword?: string;
  servers?: number;
  basePort?: number;
  lbHost?: string;
  lbPort?: number;
  webAdminPort?: number;
}

interface Positional {
  odbType: string | undefined;
  odbHost: string | undefined;
  odbPort: string | undefined;
  odbUser: string | undefined;
  odbDb: string | undefined;
  kvdbHost: string | undefined;
  kvdbPort: string | undefined;
}

/** Reads a line from the terminal without echoing it. */
export function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stdout.write(question);
  return new Promise((resolve) => {
    let value = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode?.(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stdout.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode?.(false);
          process.stdout.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function password(what: string, option: string | undefined, envVar: string): Promise<string | undefined> {
  if (option !== undefined) return option || undefined;
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined) return fromEnv || undefined;
  if (!process.stdin.isTTY) return undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const a = await askHidden(`${what} password (empty for none): `);
    const b = await askHidden(`${what} password again: `);
    if (a === b) return a || undefined;
    process.stdout.write('The passwords do not match; try again.\n');
  }
  throw new CliError(`${what} password: the two entries did not match`, EXIT.USAGE);
}

/** The cluster options, or undefined for the embedded default (no ODB type anywhere). */
export async function clusterOptions(
  p: Positional,
  o: QuickstartCliOptions,
): Promise<ClusterQuickstartOptions | undefined> {
  const typeArg = p.odbType ?? o.odbType;
  if (typeArg === undefined) {
    const stray = [o.odbHost, o.odbUser, o.odbDb, o.kvdbHost, o.servers, o.basePort, o.lbPort].some(
      (v) => v !== undefined,
    );
    if (stray)
      throw new CliError(
        'cluster options need an ODB type: quickstart create PATH postgresql|mysql ... (or --odb-type)',
        EXIT.USAGE,
      );
    return undefined;
  }
  const type = normalizeOdbType(typeArg);
  if (type === 'sqlite') {
    throw new CliError(
      'the embedded default (SQLite) is what `quickstart create PATH` makes without an ODB type',
      EXIT.USAGE,
    );
  }
  if (!type) throw new CliError(`ODB type \`${typeArg}\`: use postgresql or mysql (MariaDB)`, EXIT.USAGE);
  const odbPassword = await password('ODB', o.odbPassword, 'WHARF_ODB_PASSWORD');
  const kvdbPassword = await password('Redis', o.kvdbPassword, 'WHARF_KVDB_PASSWORD');
  return {
    odbType: type,
    odbHost: p.odbHost ?? o.odbHost ?? '127.0.0.1',
    odbPort: port(p.odbPort ?? o.odbPort, 'ODB port') ?? (type === 'postgresql' ? 5432 : 3306),
    odbUser: p.odbUser ?? o.odbUser ?? (type === 'postgresql' ? 'postgres' : 'root'),
    odbDb: p.odbDb ?? o.odbDb ?? 'wharf',
    odbPassword,
    kvdbHost: p.kvdbHost ?? o.kvdbHost ?? '127.0.0.1',
    kvdbPort: port(p.kvdbPort ?? o.kvdbPort, 'Redis port') ?? 6379,
    kvdbPassword,
    servers: o.servers,
    basePort: port(o.basePort, '--base-port'),
    lbHost: o.lbHost,
    lbPort: port(o.lbPort, '--lb-port'),
  };
}
