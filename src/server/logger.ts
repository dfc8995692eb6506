/**
 * pino, appended to the server's log file (always JSON lines) and, in the foreground, to stdout:
 * readable lines (pino-pretty) when stdout is a terminal, JSON lines when it is piped or redirected.
 * WHARF_LOG_FORMAT=json|pretty overrides the choice for stdout. docs/logs.md describes them.
 */
import { mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import type { ServiceLogger } from '../service/service.js';

export function createLogger(opts: {
  file: string;
  level: string;
  toStdout: boolean;
  base: Record<string, unknown>;
  /** Fields computed for every line (a spare worker's id, which it learns when it is activated). */
  mixin?: () => Record<string, unknown>;
}): Logger {
  mkdirSync(dirname(opts.file), { recursive: true });
  // The file is opened here, synchronously: the destination is ready at once (writes stay async), so
  // a process that logs and exits right after its start (a fatal error) flushes instead of throwing
  // "sonic boom is not ready yet" from pino's exit hook.
  const fileDest = pino.destination({ fd: openSync(opts.file, 'a'), sync: false });
  const streams: pino.StreamEntry[] = [{ stream: fileDest, level: opts.level as pino.Level }];
  if (opts.toStdout)
    streams.push({
      stream: stdoutFormat() === 'pretty' ? prettyStdout() : pino.destination({ fd: 1, sync: false }),
      level: opts.level as pino.Level,
    });
  return pino(
    {
      level: opts.level,
      base: opts.base,
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(opts.mixin ? { mixin: opts.mixin } : {}),
    },
    pino.multistream(streams),
  );
}

/** What the foreground's stdout gets: `pretty` on a terminal, `json` otherwise (WHARF_LOG_FORMAT wins). */
export function stdoutFormat(
  env: NodeJS.ProcessEnv = process.env,
  isTTY: boolean = process.stdout.isTTY === true,
): 'json' | 'pretty' {
  const forced = env['WHARF_LOG_FORMAT']?.toLowerCase();
  if (forced === 'json' || forced === 'pretty') return forced;
  return isTTY ? 'pretty' : 'json';
}

type PrettyFactory = (opts: Record<string, unknown>) => pino.DestinationStream;

/** pino-pretty, loaded only for a terminal (it is CommonJS: required synchronously, like the logger). */
export function prettyStdout(
  destination: number | NodeJS.WritableStream = 1,
  colorize = process.stdout.isTTY === true,
): pino.DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  // `[12:00:01.123] INFO server1 worker 1: message {"extra":"fields"}`
  const messageFormat = (log: Record<string, unknown>, messageKey: string): string => {
    const who = [
      log['server'] ?? log['component'],
      log['role'] ?? (log['worker'] !== undefined ? `worker ${String(log['worker'])}` : undefined),
    ]
      .filter((x) => x !== undefined)
      .join(' ');
    const msg = String(log[messageKey] ?? '');
    return who ? `${who}: ${msg}` : msg;
  };
  return pretty({
    destination,
    sync: true,
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,server,role,worker,component',
    singleLine: true,
    messageFormat,
  });
}

/** `logger.info('msg', { extra })` → pino's `info({ extra }, 'msg')`. */
export function serviceLogger(p: Logger): ServiceLogger {
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, ...args: unknown[]): void => {
      const first = args[0];
      if (args.length === 1 && typeof first === 'object' && first !== null && !(first instanceof Error))
        p[level](first as object, msg);
      else if (args.length === 1 && first instanceof Error) p[level]({ err: first }, msg);
      else if (args.length > 0) p[level]({ args }, msg);
      else p[level](msg);
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
