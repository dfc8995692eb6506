/**
 * The web admin process:
 *   node dist/web-admin/server/main.js DIR [--fg]               DIR holds web-admin.yaml (or .json)
 *   node dist/web-admin/server/main.js --admin-url URL [--port P] [--host H] [--idle-seconds N] [--fg]
 * --fg also logs to stdout. Exit codes: 2 usage, 3 port in use, 4 already running, 5 start failed,
 * 8 invalid configuration.
 */
import { buildConfig, ConfigError, loadConfig, type WebAdminConfig } from './config.js';
import { startWebAdmin, StartError } from './run.js';

const USAGE = `usage: main.js DIR [--fg]
       main.js --admin-url URL [--port P] [--host H] [--idle-seconds N] [--log-file F] [--pid-file F] [--fg]`;

interface Args {
  dir?: string;
  fg: boolean;
  flags: Record<string, string>;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { fg: false, flags: {} };
  const withValue = new Set(['--admin-url', '--port', '--host', '--idle-seconds', '--log-file', '--pid-file']);
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--fg') a.fg = true;
    else if (x === '--help' || x === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (withValue.has(x)) {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`${x} needs a value`);
      a.flags[x.slice(2)] = v;
    } else if (x.startsWith('--') && x.includes('=') && withValue.has(x.slice(0, x.indexOf('='))))
      a.flags[x.slice(2, x.indexOf('='))] = x.slice(x.indexOf('=') + 1);
    else if (!x.startsWith('-') && a.dir === undefined) a.dir = x;
    else throw new ConfigError(`unknown argument ${x}`);
  }
  return a;
}

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ConfigError(`--${name}: \`${v}\` is not a number`);
  return Number(v);
}

async function configFrom(a: Args): Promise<WebAdminConfig> {
  const f = a.flags;
  if (a.dir !== undefined) {
    const cfg = await loadConfig(a.dir);
    // Command-line flags override the file.
    const port = num(f['port'], 'port');
    return buildConfig(
      {
        ...cfg,
        tls: cfg.tls,
        ...(f['admin-url'] ? { adminUrl: f['admin-url'] } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(f['host'] ? { host: f['host'] } : {}),
        ...(f['idle-seconds'] ? { idleSeconds: num(f['idle-seconds'], 'idle-seconds') } : {}),
        ...(f['log-file'] ? { logFile: f['log-file'] } : {}),
        ...(f['pid-file'] ? { pidFile: f['pid-file'] } : {}),
      } as unknown as Record<string, unknown>,
      cfg.dir,
    );
  }
  if (!f['admin-url']) throw new ConfigError(`give DIR or --admin-url\n${USAGE}`);
  return buildConfig({
    adminUrl: f['admin-url'],
    port: num(f['port'], 'port'),
    host: f['host'],
    idleSeconds: num(f['idle-seconds'], 'idle-seconds'),
    logFile: f['log-file'],
    pidFile: f['pid-file'],
  });
}

async function main(): Promise<void> {
  let cfg: WebAdminConfig;
  try {
    cfg = await configFrom(parseArgs(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`web admin: ${(e as Error).message}\n`);
    process.exit(
      e instanceof ConfigError && /unknown argument|needs a value|give DIR/.test((e as Error).message) ? 2 : 8,
    );
  }
  try {
    const r = await startWebAdmin(cfg, { stdoutLog: process.argv.includes('--fg') });
    process.stdout.write(`${cfg.name} listening on ${r.url} (admin API ${cfg.adminUrl}, pid ${process.pid})\n`);
    // A bug in one request must not take the UI away from everyone: log it and keep serving.
    process.on('uncaughtException', (e) => r.log('error', 'uncaught exception', { error: e.stack ?? String(e) }));
    process.on('unhandledRejection', (e) =>
      r.log('error', 'unhandled rejection', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
  } catch (e) {
    process.stderr.write(`web admin: ${(e as Error).message}\n`);
    process.exit(e instanceof StartError ? e.exitCode : 5);
  }
}

void main();
